/** slowedDuring: latency grows inside a fault window on the target only, and draws stay aligned outside it. */
import { describe, expect, it } from "vitest";
import { activeFault, slowedDuring } from "../../src/scenarios/fault-windows.js";
import { distribution } from "../../src/sim/distributions.js";
import { Simulation } from "../../src/sim/simulation.js";

const base = distribution({ lognormal: { p50: "200ms", p99: "2s" } });

/** Samples at the given virtual times from a fresh simulation with the given faults. */
async function samplesAt(times: number[], faults: Parameters<typeof slowedDuring>[2], target = "db"): Promise<number[]> {
  const sim = new Simulation({ seed: 3 });
  const d = slowedDuring(sim, base, faults, { kind: "slow", target, extraMs: 5_000 });
  const rng = sim.rng("tool:db:latency");
  const out: number[] = [];
  for (const t of times) sim.schedule(t, () => out.push(d.sample(rng)));
  await sim.run();
  return out;
}

describe("slowedDuring", () => {
  it("adds the extra time to calls that start inside [at, at + for) and to nothing else", async () => {
    const times = [0, 999, 1_000, 1_500, 1_999, 2_000, 5_000];
    const plain = await samplesAt(times, []);
    const slowed = await samplesAt(times, [{ kind: "slow", at: 1_000, for: 1_000, target: "db" }]);
    expect(slowed.map((x, i) => Math.round(x - (plain[i] as number)))).toEqual([0, 0, 5_000, 5_000, 5_000, 0, 0]);
  });

  it("leaves other targets and other kinds alone, and hits every target when the fault names none", async () => {
    const times = [100, 200];
    const plain = await samplesAt(times, []);
    expect(await samplesAt(times, [{ kind: "slow", at: 0, for: 1_000, target: "cache" }])).toEqual(plain);
    expect(await samplesAt(times, [{ kind: "outage", at: 0, for: 1_000, target: "db" }])).toEqual(plain);
    const all = await samplesAt(times, [{ kind: "slow", at: 0, for: 1_000 }]);
    expect(all.map((x, i) => Math.round(x - (plain[i] as number)))).toEqual([5_000, 5_000]);
  });

  it("returns the base distribution itself when no fault of the kind is scheduled", () => {
    const sim = new Simulation({ seed: 1 });
    expect(slowedDuring(sim, base, [{ kind: "other", at: 0, for: 10 }], { kind: "slow", target: "db", extraMs: 1 })).toBe(base);
  });

  it("with a probability, slows about that share of the calls in the window", async () => {
    const times = Array.from({ length: 400 }, (_, i) => i);
    const plain = await samplesAt(times, []);
    const some = await samplesAt(times, [{ kind: "slow", at: 0, for: 1_000, target: "db", probability: 0.25 }]);
    const hit = some.filter((x, i) => x - (plain[i] as number) > 4_000).length;
    expect(hit).toBeGreaterThan(60);
    expect(hit).toBeLessThan(140);
  });
});

describe("activeFault", () => {
  it("finds the fault whose window holds t", () => {
    const f = { kind: "slow", at: 10, for: 5, target: "db" };
    expect(activeFault([f], "slow", "db", 10)).toBe(f);
    expect(activeFault([f], "slow", "db", 15)).toBeUndefined();
    expect(activeFault([f], "slow", "db", 9)).toBeUndefined();
  });
});
