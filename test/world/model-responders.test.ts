/**
 * What answers a simulated model call: the default model's schema-valid tool arguments (checked
 * by zod against the schema they were drawn from), and cassettes of scripted or recorded
 * responses, matched by request, played through real SDKs.
 */
import { describe, it, expect } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { RngStreams } from "../../src/sim/rng.js";
import { Simulation } from "../../src/sim/simulation.js";
import { AnthropicEndpoint } from "../../src/world/anthropic-endpoint.js";
import { cassette, conversationKey } from "../../src/world/cassette.js";
import { defaultModel, sampleJsonSchema } from "../../src/world/default-model.js";
import type { ModelTurn } from "../../src/world/model-turn.js";
import { OpenAIEndpoint } from "../../src/world/openai-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

describe("the default model's tool arguments", () => {
  it("are valid against the tool's JSON schema, draw after draw", () => {
    const schema = z.object({
      orderId: z.string().min(3).max(10),
      quantity: z.number().int().min(1).max(9),
      priceUsd: z.number().gt(0).lte(250),
      step: z.number().multipleOf(5).min(10).max(40),
      mode: z.enum(["refund", "exchange"]),
      note: z.string().optional(),
      tags: z.array(z.string().min(1)).min(1).max(3),
      address: z.object({ city: z.string(), zip: z.string().length(5) }),
      contact: z.union([z.object({ email: z.email() }), z.object({ phone: z.string().min(7) })]),
      when: z.iso.datetime().nullable(),
    });
    const json = z.toJSONSchema(schema) as Record<string, unknown>;
    const rng = new RngStreams(1).stream("args");
    for (let i = 0; i < 300; i++) {
      const value = sampleJsonSchema(json, rng);
      const parsed = schema.safeParse(value);
      expect(parsed.success, `${JSON.stringify(value)}: ${parsed.success ? "" : parsed.error.message}`).toBe(true);
    }
  });

  it("calls the tool tool_choice names, and answers with text once results came back", () => {
    const tools = [1, 2, 3].map((i) => ({ name: `t${i}`, description: "", schema: { type: "object", properties: {} } }));
    const turn = (messages: ModelTurn["messages"], toolChoice: ModelTurn["toolChoice"] = { type: "auto" }): ModelTurn => ({
      api: "openai-chat",
      model: "m",
      system: "",
      messages,
      tools,
      toolChoice,
      maxTokens: undefined,
      body: {},
    });
    const rng = new RngStreams(2).stream("model");
    const ctx = { outputTokens: 5, caller: "a", requestId: 1, rng, toolCallId: () => "call_1" };
    const model = defaultModel({ parallel: 2 });
    expect(model(turn([{ role: "user", text: "go" }], { type: "tool", name: "t3" }), ctx)).toEqual([{ type: "tool_use", id: "call_1", name: "t3", input: {} }]);
    expect(model(turn([{ role: "user", text: "go" }]), ctx)).toHaveLength(2);
    expect(model(turn([{ role: "user", text: "go" }], { type: "none" }), ctx)).toEqual([
      { type: "text", text: expect.stringContaining("simulated m response") },
    ]);
    const after = model(
      turn([
        { role: "user", text: "go" },
        { role: "assistant", text: "", toolCalls: [{ id: "c", name: "t1", input: "{}" }] },
        { role: "tool", callId: "c", text: "42 items", isError: false },
      ]),
      ctx,
    );
    expect(after).toEqual([{ type: "text", text: expect.stringMatching(/^Read 1 tool result: 42 items\./) }]);
  });
});

describe("cassettes", () => {
  it("play scripted answers matched by request through the openai SDK: a tool call, then text after its result", async () => {
    const sim = new Simulation({ seed: 1 });
    const provider = new LlmProvider(sim);
    const respond = cassette([
      { match: { lastUser: /refund/i, afterToolResults: false }, response: [{ type: "tool_use", name: "refund", input: { returnId: "R-9" } }] },
      { match: { lastToolResult: '{"ok":true}' }, response: [{ type: "text", text: "Refunded R-9." }] },
    ]);
    const api = new OpenAIEndpoint(sim, { provider, respond });
    const run = await runInWorld(
      sim,
      async () => {
        const oa = new OpenAI({ apiKey: "k", logLevel: "off" });
        const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: "Please refund R-9" }];
        const first = await oa.chat.completions.create({ model: "gpt-5.5", messages });
        const call = first.choices[0]?.message.tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
        messages.push(first.choices[0]?.message as OpenAI.Chat.ChatCompletionMessageParam, { role: "tool", tool_call_id: call.id, content: '{"ok":true}' });
        const second = await oa.chat.completions.create({ model: "gpt-5.5", messages, stream: true });
        let text = "";
        for await (const c of second) text += c.choices[0]?.delta.content ?? "";
        return { call, text };
      },
      { services: [api] },
    );
    expect(run.agent).toMatchObject({
      status: "done",
      value: { call: { function: { name: "refund", arguments: '{"returnId":"R-9"}' } }, text: "Refunded R-9." },
    });
  });

  it("replays a recorded response for the exact conversation it was recorded for; a miss crashes the run naming the request", async () => {
    const ask = (content: string) => () =>
      new Anthropic({ apiKey: "k", logLevel: "off", maxRetries: 0 }).messages.create({
        model: "claude-opus-5-5",
        max_tokens: 100,
        system: "Be brief.",
        messages: [{ role: "user", content }],
      });
    const recorded: ModelTurn = {
      api: "anthropic-messages",
      model: "claude-opus-5-5",
      system: "Be brief.",
      messages: [{ role: "user", text: "What is the refund window?" }],
      tools: [],
      toolChoice: { type: "auto" },
      maxTokens: 100,
      body: {},
    };
    const respond = cassette([{ match: { conversation: conversationKey(recorded) }, response: [{ type: "text", text: "30 days." }] }]);
    const play = async (content: string) => {
      const sim = new Simulation({ seed: 1 });
      return runInWorld(sim, ask(content), { services: [new AnthropicEndpoint(sim, { provider: new LlmProvider(sim), respond })] });
    };
    const hit = await play("What is the refund window?");
    expect(hit.agent).toMatchObject({ status: "done", value: { content: [{ type: "text", text: "30 days." }], usage: { output_tokens: 2 } } });
    const miss = await play("Something else?");
    expect(miss.outcome.status).toBe("crashed");
    expect(String((miss.outcome.crash?.error as Error | undefined)?.message)).toMatch(
      /no cassette entry matches anthropic-messages request 1 .*Something else\?/,
    );
  });
});
