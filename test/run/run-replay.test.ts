/** A run result names its own replay: the seed, parameters, mitigations and faults that made it. */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/run/run-scenario.js";
import { doubleRefund } from "../../src/scenarios/double-refund.js";

describe("RunResult.replay", () => {
  it("holds what made the run, as JSON, and replays it trace for trace", async () => {
    const faults = [{ kind: "processor-slowdown", at: 0, for: 600_000, target: "payments" }];
    const r = await runScenario({
      scenario: doubleRefund,
      seed: 3,
      params: { returns: { count: 5 } },
      mitigations: ["idempotency-keys", "idempotency-keys"],
      faults,
    });
    expect(r.replay).toEqual({
      scenarioName: "double-refund",
      seed: 3,
      params: { returns: { count: 5 } },
      mitigations: ["idempotency-keys"],
      faults,
      horizon: "2h",
    });
    const stored = JSON.parse(JSON.stringify(r.replay)) as typeof r.replay;
    const again = await runScenario({ scenario: doubleRefund, ...stored });
    expect(again.traceHash).toBe(r.traceHash);
    // Each part matters: without the faults it is another run.
    expect((await runScenario({ scenario: doubleRefund, ...stored, faults: [] })).traceHash).not.toBe(r.traceHash);
  });
});
