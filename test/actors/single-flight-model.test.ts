import { describe, expect, it } from "vitest";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { PrefixWarmth } from "../../src/actors/prefix-warmth.js";
import { SingleFlightModel } from "../../src/actors/single-flight-model.js";
import { Simulation } from "../../src/sim/simulation.js";

/** Five callers that send a request with the same 4,000-token prefix 10 ms apart, to a provider whose first token takes 1 s. */
async function fiveCallers(enabled: boolean): Promise<{ sim: Simulation; model: SingleFlightModel; firstTokens: string[] }> {
  const sim = new Simulation({ seed: 1 });
  const llm = new LlmProvider(sim, { ttft: { constant: "1s" }, tokensPerSecond: 1e9 });
  const warmth = new PrefixWarmth("sys", 300_000);
  const model = new SingleFlightModel(sim, llm, { warmth: () => warmth, enabled });
  const firstTokens: string[] = [];
  for (let i = 0; i < 5; i++)
    sim.spawn(`caller-${i}`, async (ctx) => {
      await ctx.sleep(i * 10);
      const r = await model.complete(ctx, {
        caller: `caller-${i}`,
        prefixKey: "sys",
        prefixTokens: 4_000,
        inputTokens: 100,
        outputTokens: 10,
        onFirstToken: () => firstTokens.push(`caller-${i}`),
      });
      expect(r.ok).toBe(true);
    });
  await sim.run();
  return { sim, model, firstTokens };
}

describe("SingleFlightModel", () => {
  it("off, it passes requests through: every caller that arrives before the first write is visible writes the prefix", async () => {
    const { sim, model, firstTokens } = await fiveCallers(false);
    expect(sim.trace.events.filter((e) => e.kind === "cache.write").length).toBe(5);
    expect(model.flights.stats).toEqual({ flights: 0, followers: 0 });
    expect(firstTokens).toHaveLength(5);
  });

  it("on, one caller leads and writes; the others wait for its first token, send then, and read; the callers still hear their own first tokens", async () => {
    const { sim, model, firstTokens } = await fiveCallers(true);
    const events = sim.trace.events;
    expect(events.filter((e) => e.kind === "cache.write").length).toBe(1);
    expect(events.filter((e) => e.kind === "cache.hit").length).toBe(4);
    expect(model.flights.stats).toEqual({ flights: 1, followers: 4 });
    const lead = events.find((e) => e.kind === "single-flight.lead");
    expect(lead).toMatchObject({ actor: "caller-0", layer: "harness", attrs: { prefixKey: "sys" } });
    // The followers' calls name the leader's first token as their cause, and begin at it.
    const leaderFirstToken = events.find((e) => e.kind === "llm.first-token");
    expect(leaderFirstToken?.actor).toBe("llm");
    const followerCalls = events.filter((e) => e.kind === "llm.call" && e.phase === "begin").slice(1);
    expect(followerCalls.map((e) => [e.parent, e.t])).toEqual(Array.from({ length: 4 }, () => [leaderFirstToken?.id, 1_000]));
    expect(firstTokens).toHaveLength(5);
  });
});
