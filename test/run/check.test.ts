/** checkScenario: fast-check search over seeds, parameters and fault schedules, and its shrinking. */
import { describe, expect, it } from "vitest";
import { checkScenario, compareSchedules, mergeParams, scheduleSize } from "../../src/run/check.js";
import { runScenario } from "../../src/run/run-scenario.js";
import flaky from "./fixtures/flaky-service.js";

/** With no chance errors, only an outage fault can fail a request: faults are necessary. */
const outagesOnly = { scenario: flaky, params: { errorRate: 0 } };

describe("checkScenario", () => {
  it("finds a failing fault schedule and shrinks it to one short outage over the first call", async () => {
    const r = await checkScenario({ base: outagesOnly, runs: 200, fixedParams: [["errorRate"]] });
    expect(r.found).toBe(true);
    if (!r.found) return;
    // The first failure needed at least one outage; shrinking kept one and made it smaller.
    expect(r.first.faults.some((f) => f.kind === "outage")).toBe(true);
    expect(compareSchedules(r.shrunk.faults, r.first.faults)).toBeLessThan(0);
    expect(r.shrunk.faults).toHaveLength(1);
    const [f] = r.shrunk.faults;
    // One request (the low end of its range) whose only call ends at 100 ms: the outage must cover that instant.
    expect(r.shrunk.params).toMatchObject({ requests: 1 });
    expect(f).toMatchObject({ kind: "outage", target: "db" });
    expect(f!.at).toBeLessThanOrEqual(100);
    expect(f!.at + f!.for).toBeGreaterThan(100);
    expect(r.shrunk.seed).toBe(1);
    expect(r.shrunk.verdict).toBe("violated");
    expect(r.result?.violations[0]).toMatchObject({ invariant: "every-request-served", at: 100 });
    // The shrunk run fails on its own, as recorded.
    const again = await runScenario({ ...outagesOnly, seed: r.shrunk.seed, params: mergeParams(outagesOnly.params, r.shrunk.params), faults: r.shrunk.faults });
    expect(again.traceHash).toBe(r.result?.traceHash);
  });

  it("is itself seeded: the same options find the same counterexample", async () => {
    const a = await checkScenario({ base: outagesOnly, runs: 50, fixedParams: [["errorRate"]], seed: 77 });
    const b = await checkScenario({ base: outagesOnly, runs: 50, fixedParams: [["errorRate"]], seed: 77 });
    expect(b).toEqual(a);
  });

  it("with swarm, still finds the failure and shrinks it to a lone outage", async () => {
    const r = await checkScenario({ base: outagesOnly, runs: 200, fixedParams: [["errorRate"]], swarm: true, seed: 3 });
    expect(r.found).toBe(true);
    if (r.found) expect(r.shrunk.faults.map((f) => f.kind)).toEqual(["outage"]);
  });

  it("searches seeds and parameters of a scenario that declares no fault kinds", async () => {
    const noFaults = { ...flaky, faults: undefined };
    const r = await checkScenario({ base: { scenario: noFaults }, runs: 100 });
    expect(r.found).toBe(true);
    if (!r.found) return;
    expect(r.first.faults).toEqual([]);
    expect(r.shrunk.faults).toEqual([]);
    // Failing needs a chance error: the error rate cannot shrink to 0.
    expect(r.shrunk.params.errorRate).toBeGreaterThan(0);
  });

  it("reports nothing found after all its runs when no run can fail", async () => {
    const r = await checkScenario({ base: { ...outagesOnly, mitigations: ["retry"] }, runs: 40, fixedParams: [["errorRate"]], faults: false });
    expect(r).toEqual({ found: false, runs: 40, searchSeed: 1 });
  });
});

describe("schedule size", () => {
  it("orders by fault count, then total duration, then start times", () => {
    const f = (at: number, d: number) => ({ kind: "outage", at, for: d });
    expect(scheduleSize([f(5, 10), f(1, 2)])).toEqual([2, 12, 6]);
    expect(compareSchedules([f(0, 1e6)], [f(0, 1), f(0, 1)])).toBeLessThan(0);
    expect(compareSchedules([f(9, 5)], [f(0, 6)])).toBeLessThan(0);
    expect(compareSchedules([f(1, 5)], [f(0, 5)])).toBeGreaterThan(0);
    expect(compareSchedules([], [])).toBe(0);
  });
});

describe("mergeParams", () => {
  it("writes drawn leaves over the written tree without touching the original", () => {
    const written = { tool: { timeout: "1s", latency: { constant: "2s" } }, clients: 3 };
    const merged = mergeParams(written, { tool: { timeout: 500 }, clients: 9 });
    expect(merged).toEqual({ tool: { timeout: 500, latency: { constant: "2s" } }, clients: 9 });
    expect(written.tool.timeout).toBe("1s");
  });
});
