/**
 * The README's "Test the agent you already have" example, run as written (imports from src/
 * instead of the package name): an agent on the official openai SDK, unmodified, in a fast-check
 * property over fault schedules; first failing with a shrunk counterexample, then fixed. And the
 * same agent on the Vercel AI SDK.
 */
import fc from "fast-check";
import OpenAI from "openai";
import { generateText, stepCountIs, tool } from "ai";
import { openai as aiOpenAI } from "@ai-sdk/openai";
import { z } from "zod";
import { expect, it } from "vitest";
import { runWithModels } from "../../../src/world/model-world.js";
import { worldRunArbitrary } from "../../../src/world/world-fault-arbitrary.js";

process.env.OPENAI_API_KEY ??= "sk-test"; // the simulated API checks that there is one, not what it is

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: "function", function: { name: "track_order", parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] } } },
];

// The agent you already have: the official SDK, a streamed tool loop.
async function supportAgent(question: string): Promise<string> {
  const openai = new OpenAI();
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: question }];
  for (;;) {
    const completion = await openai.chat.completions.stream({ model: "gpt-5.5", messages, tools }).finalChatCompletion();
    const message = completion.choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? "";
    for (const call of message.tool_calls) messages.push({ role: "tool", tool_call_id: call.id, content: '{"status":"shipped"}' });
  }
}

// The fix: retry a failed step (a 429 burst, an overload, a stream broken off) with backoff.
async function patientAgent(question: string): Promise<string> {
  const openai = new OpenAI();
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: question }];
  const step = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await openai.chat.completions.stream({ model: "gpt-5.5", messages, tools }).finalChatCompletion();
      } catch (error) {
        if (!(error instanceof OpenAI.APIError) || attempt === 6) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000 * 2 ** attempt));
      }
    }
  };
  for (;;) {
    const message = (await step()).choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? "";
    for (const call of message.tool_calls) messages.push({ role: "tool", tool_call_id: call.id, content: '{"status":"shipped"}' });
  }
}

const property = (agent: (q: string) => Promise<string>) =>
  fc.asyncProperty(worldRunArbitrary({ horizon: "30s" }), async ({ seed, faults }) => {
    const run = await runWithModels(() => agent("Where is order 1234?"), { seed, faults });
    return run.agent.status === "done";
  });

it("the SDK's own retries do not carry the agent through every fault schedule", async () => {
  const failure = await fc.assert(property(supportAgent), { numRuns: 200, seed: 1 }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(failure?.message).toContain('Counterexample: [{"seed":1,"faults":[{"kind":"llm-429-burst","at":0,"for":2002}]}]');
  const run = await runWithModels(() => supportAgent("Where is order 1234?"), { seed: 1, faults: [{ kind: "llm-429-burst", at: 0, for: 2002 }] });
  expect(String((run.agent as { error: unknown }).error)).toBe("Error: 429 Rate limit reached on requests per min (RPM). Please try again in 1s.");
  const attempts = run.world.sim.trace.events.filter((e) => e.kind === "http.request" && e.phase === "begin").map((e) => e.t);
  expect(attempts).toEqual([1, 1_001, 2_001]); // the SDK sends after a setTimeout(0): 1 ms, as in Node
  if (process.env.SHOW_README_OUTPUT) console.log(failure?.message);
});

it("the patient agent answers whatever the provider does in the first 30 s", async () => {
  await fc.assert(property(patientAgent), { numRuns: 200, seed: 1 });
}, 60_000);

it("the same agent on the Vercel AI SDK runs unmodified", async () => {
  const agent = () =>
    generateText({
      model: aiOpenAI("gpt-5.5"),
      prompt: "Where is order 1234?",
      stopWhen: stepCountIs(5),
      tools: { track_order: tool({ inputSchema: z.object({ orderId: z.string() }), execute: async () => ({ status: "shipped" }) }) },
    });
  const a = await runWithModels(agent, { seed: 7 });
  const b = await runWithModels(agent, { seed: 7 });
  expect(a.agent.status).toBe("done");
  expect((a.agent as { value: { steps: unknown[] } }).value.steps).toHaveLength(2);
  expect(a.traceHash).toBe(b.traceHash);
});
