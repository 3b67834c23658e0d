import { describe, expect, it } from "vitest";
import { KeepWarm, largestOfExponentials, xfetchEarlyMs, type KeepWarmFire } from "../../src/actors/keep-warm.js";
import { PrefixWarmth } from "../../src/actors/prefix-warmth.js";
import { Simulation } from "../../src/sim/simulation.js";

describe("XFetch", () => {
  it("refreshes δ·β·(-ln u) before expiry: later for u near 1, earlier for a slower recompute or a larger β", () => {
    expect(xfetchEarlyMs(1_000, 1, 1)).toBe(0);
    expect(xfetchEarlyMs(1_000, 1, Math.exp(-2))).toBeCloseTo(2_000, 9);
    expect(xfetchEarlyMs(1_000, 3, Math.exp(-2))).toBeCloseTo(6_000, 9);
  });

  it("the largest of n exponentials has distribution function (1 - e^-g)^n", () => {
    for (const [n, u] of [
      [1, 0.3],
      [10, 0.5],
      [1_000, 0.9],
    ] as const) {
      const g = largestOfExponentials(n, u);
      expect((1 - Math.exp(-g)) ** n).toBeCloseTo(u, 9);
    }
    // For a fleet its median grows like ln n: about 7.3 for 1,000 workers.
    expect(largestOfExponentials(1_000, 0.5)).toBeCloseTo(Math.log(1_000) + 0.3665, 2);
  });
});

describe("KeepWarm", () => {
  /** A fleet whose refreshes begin `ttftMs` after they are sent, until `until`. */
  async function fleet(workers: number, ttftMs: number, until: number): Promise<{ fires: KeepWarmFire[]; sim: Simulation; warmth: PrefixWarmth }> {
    const sim = new Simulation({ seed: 3 });
    const warmth = new PrefixWarmth("p", 300_000);
    const fires: KeepWarmFire[] = [];
    new KeepWarm(sim, {
      warmth,
      workers,
      beta: 1,
      rng: sim.rng("fleet:keep-warm"),
      refresh: (fire) => {
        fires.push(fire);
        const sent = sim.now;
        sim.schedule(ttftMs, () => warmth.observe({ arrivedAt: sent, firstTokenAt: sim.now, eventId: fire.eventId }));
      },
    });
    sim.at(0, () => warmth.observe({ arrivedAt: 0, firstTokenAt: ttftMs, eventId: -1 }));
    await sim.run({ horizon: until });
    return { fires, sim, warmth };
  }

  it("refreshes once per lifetime, always before the recorded expiry, so the record never lapses", async () => {
    const { fires, warmth } = await fleet(1_000, 1_500, 3_600_000);
    expect(fires.length).toBeGreaterThanOrEqual(12);
    expect(fires.length).toBeLessThanOrEqual(13);
    for (const f of fires) {
      expect(f.earlyByMs).toBeGreaterThan(0);
      expect(f.worker).toBeGreaterThanOrEqual(0);
      expect(f.worker).toBeLessThan(1_000);
    }
    for (let i = 1; i < fires.length; i++) expect(fires[i]!.expiresAt).toBeGreaterThan(fires[i - 1]!.expiresAt);
    expect(warmth.warmAt(3_600_000)).toBe(true);
  });

  it("a bigger fleet refreshes earlier: the earliest of more draws (δ·β·ln n on average)", async () => {
    const one = await fleet(1, 1_500, 3_600_000);
    const many = await fleet(10_000, 1_500, 3_600_000);
    const mean = (xs: KeepWarmFire[]): number => xs.reduce((s, f) => s + f.earlyByMs, 0) / xs.length;
    expect(mean(many.fires)).toBeGreaterThan(3 * mean(one.fires));
  });

  it("traces each refresh under the first token that last moved the record", async () => {
    const { fires, sim } = await fleet(10, 1_000, 700_000);
    const first = sim.trace.get(fires[0]!.eventId);
    expect(first).toMatchObject({ kind: "keep-warm.fire", layer: "harness", actor: "fleet", attrs: { prefixKey: "p", worker: fires[0]!.worker } });
    expect(first?.parent).toBeUndefined();
    expect(sim.trace.get(fires[1]!.eventId)?.parent).toBe(fires[0]!.eventId);
  });
});
