/** The determinism check: two runs of one seed, compared; a leak between runs is caught and located. */
import { describe, expect, it } from "vitest";
import { checkDeterminism, describeDivergence, firstDivergence } from "../../src/run/determinism.js";
import flaky from "./fixtures/flaky-service.js";

describe("checkDeterminism", () => {
  it("passes a scenario whose runs depend only on the seed", async () => {
    const r = await checkDeterminism({ scenario: flaky, seed: 5, params: { requests: 6 } });
    expect(r.deterministic).toBe(true);
  });

  it("catches a counter that survives between runs, and names the first event it touched", async () => {
    const r = await checkDeterminism({ scenario: flaky, seed: 5, params: { requests: 6, leak: true } });
    expect(r.deterministic).toBe(false);
    if (r.deterministic) return;
    // The counter reaches the trace at request 2's begin event: everything before it agrees.
    const leaked = r.result.trace.events.find((e) => e.kind === "request" && e.phase === "begin" && e.attrs?.i === 2);
    expect(r.divergence.index).toBe(leaked?.id);
    expect(r.divergence.first).toMatch(/"kind":"request","phase":"begin".*"build":\d+/);
    expect(r.divergence.second).not.toBe(r.divergence.first);
    expect(r.second.traceHash).not.toBe(r.result.traceHash);
    expect(describeDivergence(r.divergence)).toContain(`the traces part at event #${leaked?.id}:`);
  });
});

describe("firstDivergence", () => {
  it("is undefined for equal traces and points past the end when one is a prefix of the other", async () => {
    const { runScenario } = await import("../../src/run/run-scenario.js");
    const a = await runScenario({ scenario: flaky, seed: 2, params: { requests: 3 } });
    const b = await runScenario({ scenario: flaky, seed: 2, params: { requests: 4 } });
    expect(firstDivergence(a.trace.events, a.trace.events)).toBeUndefined();
    // Same seed, one more request: the first three requests trace alike, then only b goes on.
    expect(firstDivergence(a.trace.events, b.trace.events)).toEqual({
      index: a.trace.events.length,
      second: expect.stringContaining('"kind":"request","phase":"begin"'),
    });
    expect(firstDivergence(a.trace.events, a.trace.events.slice(0, 5))).toEqual({ index: 5, first: expect.any(String) });
  });
});
