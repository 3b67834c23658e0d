/**
 * The stampede (SCENARIOS.md #4) with real SDK clients: a fleet shares a cached system prompt;
 * after a quiet spell longer than the cache's lifetime, 200 clients fan out within 200 ms. Every
 * client that arrives before the first re-write becomes visible pays for a write of its own, and
 * the SDK's usage fields show it.
 */
import { describe, it, expect } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";
import { AnthropicEndpoint } from "../../src/world/anthropic-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

const MODEL = "claude-opus-5-5";
/** About 14,000 tokens of shared system prompt (the post's 14K-token system message). */
const SYSTEM = [{ type: "text" as const, text: "You are the support fleet's triage agent. ".repeat(1_334), cache_control: { type: "ephemeral" as const } }];
const realNow = performance.now.bind(performance);

/** The fleet's code: warm the prompt, stay quiet for `quietMs`, then fan `workers` items out within 200 ms. */
function fleet(workers: number, quietMs: number) {
  return async () => {
    const ask = (item: string) =>
      new Anthropic({ apiKey: "sk-sim", baseURL: "https://api.anthropic.com", logLevel: "off" }).messages.create({
        model: MODEL,
        max_tokens: 20,
        system: SYSTEM,
        messages: [{ role: "user", content: item }],
      });
    const warm = await ask("warm-up ticket");
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const batch = await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 200));
        return (await ask(`ticket ${w}: tag it`)).usage;
      }),
    );
    return { warm: warm.usage, batch };
  };
}

async function runFleet(seed: number, workers: number, quietMs: number) {
  const sim = new Simulation({ seed });
  const llm = new LlmProvider(sim, { ttft: { lognormal: { p50: "1.5s", p99: "5s" } } });
  const wallStart = realNow();
  const run = await runInWorld(sim, fleet(workers, quietMs), { services: [new AnthropicEndpoint(sim, { provider: llm })] });
  expect(run.agent.status).toBe("done");
  const value = (run.agent as { value: Awaited<ReturnType<ReturnType<typeof fleet>>> }).value;
  return { ...value, llm, run, wallMs: realNow() - wallStart };
}

describe("a 200-client stampede through the SDK", () => {
  it("after the prefix expired, most clients' usage shows a cache write, and the cache counts the same writes", async () => {
    const { warm, batch, llm, run, wallMs } = await runFleet(1, 200, 10 * 60_000);
    const prefix = warm.cache_creation_input_tokens;
    expect(prefix).toBeGreaterThan(13_000);
    const writers = batch.filter((u) => u.cache_creation_input_tokens === prefix);
    const readers = batch.filter((u) => u.cache_read_input_tokens === prefix);
    expect(writers.length + readers.length).toBe(200);
    expect(writers.length).toBeGreaterThan(150);
    const [, stampede] = llm.cache.generations();
    expect(stampede?.writes).toBe(writers.length);
    expect(stampede?.lapsedAt).toBeGreaterThan(0);
    expect(run.outcome.now).toBeGreaterThan(10 * 60_000);
    expect(wallMs).toBeLessThan(60_000);
  });

  it("with a quiet spell inside the lifetime, the same batch reads the prefix and writes nothing", async () => {
    const { batch, llm } = await runFleet(1, 200, 4 * 60_000);
    expect(batch.every((u) => u.cache_creation_input_tokens === 0 && (u.cache_read_input_tokens ?? 0) > 13_000)).toBe(true);
    expect(llm.cache.generations()).toHaveLength(1);
  });

  it("gives the same trace for the same seed", async () => {
    const a = await runFleet(7, 40, 10 * 60_000);
    const b = await runFleet(7, 40, 10 * 60_000);
    expect(a.run.traceHash).toBe(b.run.traceHash);
    expect(a.batch).toEqual(b.batch);
  });
});
