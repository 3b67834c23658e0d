/**
 * The Vercel AI SDK (`ai` 6) with `@ai-sdk/openai` 3 (Responses and Chat Completions) and
 * `@ai-sdk/anthropic` 3, unmodified, against the simulated endpoints: multi-step tool loops with
 * `streamText` and `generateText`, driven by the default model (schema-valid tool inputs, then
 * text), in virtual time, the same trace for the same seed.
 */
import { describe, it, expect } from "vitest";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { z } from "zod";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";
import { AnthropicEndpoint } from "../../src/world/anthropic-endpoint.js";
import { OpenAIEndpoint } from "../../src/world/openai-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

const realNow = performance.now.bind(performance);

/** The user's tools: plain AI SDK tools with zod schemas; `lookups` records what the model asked. */
function refundTools(lookups: unknown[]) {
  return {
    lookupOrder: tool({
      description: "Look an order up",
      inputSchema: z.object({ orderId: z.string().min(3).max(12), includeItems: z.boolean() }),
      execute: async (input) => {
        lookups.push(input);
        await new Promise((r) => setTimeout(r, 250));
        return { status: "delivered", totalUsd: 40 };
      },
    }),
  };
}

type Flavour = "openai-responses" | "openai-chat" | "anthropic";

function model(flavour: Flavour) {
  if (flavour === "anthropic") return createAnthropic({ apiKey: "sk-sim", baseURL: "https://api.anthropic.com/v1" })("claude-opus-5-5");
  const openai = createOpenAI({ apiKey: "sk-sim", baseURL: "https://api.openai.com/v1" });
  return flavour === "openai-chat" ? openai.chat("gpt-5.5") : openai("gpt-5.5");
}

async function agentRun(seed: number, flavour: Flavour, streamed: boolean) {
  const sim = new Simulation({ seed });
  const llm = new LlmProvider(sim, { rpm: 30 });
  const services = [
    new OpenAIEndpoint(sim, { provider: llm, outputTokens: { uniform: { min: 10, max: 40 } } }),
    new AnthropicEndpoint(sim, { provider: llm, outputTokens: { uniform: { min: 10, max: 40 } } }),
  ];
  const lookups: unknown[] = [];
  const wallStart = realNow();
  const run = await runInWorld(
    sim,
    async () => {
      const params = { model: model(flavour), tools: refundTools(lookups), stopWhen: stepCountIs(5), prompt: "Where is order 1234?", maxRetries: 3 };
      if (!streamed) {
        const r = await generateText(params);
        return { text: r.text, steps: r.steps.length, usage: r.totalUsage, deltas: 0 };
      }
      const r = streamText(params);
      let deltas = 0;
      for await (const part of r.fullStream) if (part.type === "text-delta" || part.type === "tool-input-delta") deltas++;
      return { text: await r.text, steps: (await r.steps).length, usage: await r.totalUsage, deltas };
    },
    { services },
  );
  return { run, sim, llm, lookups, wallMs: realNow() - wallStart };
}

describe("the AI SDK's tool loop against the simulated endpoints", () => {
  for (const flavour of ["openai-responses", "openai-chat", "anthropic"] as const) {
    it(`${flavour}: streamText calls the tool with schema-valid input, then answers; tokens stream one by one`, async () => {
      const { run, lookups } = await agentRun(1, flavour, true);
      expect(run.agent, JSON.stringify(run.agent)).toMatchObject({ status: "done" });
      const out = (run.agent as { value: { text: string; steps: number; usage: { outputTokens?: number }; deltas: number } }).value;
      expect(out.steps).toBe(2);
      expect(out.text).toContain("Read 1 tool result");
      expect(lookups).toHaveLength(1);
      const input = lookups[0] as { orderId: string; includeItems: boolean };
      expect(input.orderId.length).toBeGreaterThanOrEqual(3);
      expect(input.orderId.length).toBeLessThanOrEqual(12);
      expect(typeof input.includeItems).toBe("boolean");
      expect(out.deltas).toBeGreaterThan(10);
      expect(out.usage.outputTokens).toBeGreaterThan(0);
    });

    it(`${flavour}: generateText, same seed same trace hash, other seed other hash`, async () => {
      const a = await agentRun(3, flavour, false);
      const b = await agentRun(3, flavour, false);
      const c = await agentRun(4, flavour, false);
      expect(a.run.agent.status).toBe("done");
      expect(a.run.traceHash).toBe(b.run.traceHash);
      expect(c.run.traceHash).not.toBe(a.run.traceHash);
      expect(a.run.outcome.now).toBeGreaterThan(250);
    });
  }
});

describe("a stream that breaks off after its 200, through the AI SDK", () => {
  for (const flavour of ["openai-responses", "openai-chat", "anthropic"] as const) {
    it(`${flavour}: the provider's error event reaches the stream as an error part`, async () => {
      const sim = new Simulation({ seed: 5 });
      const llm = new LlmProvider(sim);
      const options = { provider: llm, outputTokens: 50, pMidStreamError: 1 };
      const run = await runInWorld(
        sim,
        async () => {
          const r = streamText({ model: model(flavour), prompt: "hi", maxRetries: 0, onError: () => {} });
          const parts: string[] = [];
          for await (const part of r.fullStream)
            parts.push(part.type === "error" ? `error: ${String((part.error as Error).message ?? part.error)}` : part.type);
          return parts;
        },
        { services: [new OpenAIEndpoint(sim, options), new AnthropicEndpoint(sim, options)] },
      );
      expect(run.agent.status).toBe("done");
      const parts = (run.agent as { value: string[] }).value;
      expect(
        parts.some((p) => p.startsWith("error:") && p.includes("stream broke off")),
        parts.join(", "),
      ).toBe(true);
      expect(sim.trace.events.filter((e) => e.kind === "stream.error")).toHaveLength(1);
    });
  }
});
