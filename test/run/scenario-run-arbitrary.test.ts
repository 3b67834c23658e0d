/** scenarioRunArbitrary: drawn runs stay within what the scenario declares; swarm switches kinds off. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faultKindsWithin, scenarioRunArbitrary } from "../../src/run/scenario-run-arbitrary.js";
import flaky from "./fixtures/flaky-service.js";

const HORIZON = 120_000;
const sample = (options: Parameters<typeof scenarioRunArbitrary>[1]) => fc.sample(scenarioRunArbitrary(flaky, options), { numRuns: 400, seed: 11 });

/** Among schedules with two faults or more, the share that use a single kind. */
function singleKindShare(runs: ReturnType<typeof sample>): number {
  const multi = runs.filter((r) => r.faults.length >= 2);
  return multi.filter((r) => new Set(r.faults.map((f) => f.kind)).size === 1).length / multi.length;
}

describe("scenarioRunArbitrary", () => {
  it("draws faults of declared kinds and targets within the horizon, sorted by start, at most maxFaults", () => {
    const runs = sample({ maxFaults: 3 });
    for (const r of runs) {
      expect(r.faults.length).toBeLessThanOrEqual(3);
      for (const f of r.faults) {
        expect(["outage", "slow"]).toContain(f.kind);
        expect(f.target).toBe("db");
        expect(f.at).toBeGreaterThanOrEqual(0);
        expect(f.at).toBeLessThanOrEqual(HORIZON);
        expect(f.for).toBeGreaterThanOrEqual(0);
        expect(f.for).toBeLessThanOrEqual(HORIZON);
      }
      expect(r.faults.map((f) => f.at)).toEqual([...r.faults.map((f) => f.at)].sort((a, b) => a - b));
    }
    expect(runs.some((r) => r.faults.length === 3)).toBe(true);
  });

  it("draws parameters within their explore ranges, and leaves fixed ones out", () => {
    for (const r of sample({ fixedParams: [["errorRate"]] })) {
      expect(r.params.requests).toBeGreaterThanOrEqual(1);
      expect(r.params.requests).toBeLessThanOrEqual(40);
      expect(r.params.gap).toBeGreaterThanOrEqual(10);
      expect(r.params.gap).toBeLessThanOrEqual(10_000);
      expect(r.params).not.toHaveProperty("errorRate");
      // Parameters with no range (booleans, open-ended ints) are never drawn.
      expect(Object.keys(r.params).sort()).toEqual(["gap", "requests"]);
      expect(r.seed).toBeGreaterThanOrEqual(1);
    }
  });

  it("draws no faults when told not to, or when the scenario declares none", () => {
    expect(sample({ faults: false }).every((r) => r.faults.length === 0)).toBe(true);
    const none = fc.sample(scenarioRunArbitrary({ ...flaky, faults: [] }), { numRuns: 50, seed: 2 });
    expect(none.every((r) => r.faults.length === 0)).toBe(true);
  });

  it("with swarm, switches whole kinds off: far more multi-fault schedules use a single kind", () => {
    // Without swarm, n faults share one kind with chance 2^(1-n) (at most 1/2); with swarm, also whenever a kind is off.
    const plain = singleKindShare(sample({ maxFaults: 4 }));
    const swarm = singleKindShare(sample({ maxFaults: 4, swarm: true }));
    expect(plain).toBeLessThan(0.5);
    expect(swarm).toBeGreaterThan(plain + 0.2);
  });

  it("draws only the fault kinds named, and names the declared ones for a misspelt kind", () => {
    expect(
      sample({ faultKinds: ["slow"] })
        .flatMap((r) => r.faults.map((f) => f.kind))
        .every((k) => k === "slow"),
    ).toBe(true);
    expect(() => scenarioRunArbitrary(flaky, { faultKinds: ["slowness"] })).toThrow(
      'unknown fault kind "slowness" for flaky-service; expected one of: outage, slow',
    );
  });

  it("leaves out the fault kinds declared to defeat a switched-on mitigation", () => {
    const def = { ...flaky, faults: (flaky.faults ?? []).map((k) => (k.name === "outage" ? { ...k, defeats: ["retry"] } : k)) };
    expect(faultKindsWithin(def, ["retry"])).toEqual(["slow"]);
    expect(faultKindsWithin(def, [])).toEqual(["outage", "slow"]);
  });
});
