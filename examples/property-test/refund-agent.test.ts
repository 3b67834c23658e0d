// For all seeds and fault schedules, the agent never refunds an order twice. fast-check draws a
// seed and a schedule of faults on the payments API, `simulate` runs the agent on virtual time
// (milliseconds per run), and a failure shrinks to the smallest run that still breaks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentRunArbitrary, agentScenario, expectNoViolation, simulate } from "agentsim-kit";
import { refundAgent, refundAgentFixed } from "./refund-agent.js";
import { setup } from "./setup.js";

/** The property: no run of `agent` violates an invariant. */
const neverRefundsTwice = (agent: typeof refundAgent) =>
  fc.asyncProperty(agentRunArbitrary(setup), async ({ seed, faults }) => {
    const run = await simulate(agent, { ...setup, seed, faults });
    return run.verdict === "held";
  });

// fast-check's own seed, fixed so that this example finds the same run every time; drop it to explore.
const search = { seed: 2026, numRuns: 100 };

describe("the refund agent, over seeds and fault schedules", () => {
  it("refunds twice when a slowdown outlives its timeout, and shrinks that to one fault", async () => {
    const details = await fc.check(neverRefundsTwice(refundAgent), search);

    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample ?? [];
    // Outages cannot pay twice (nothing runs); one slowdown over one refund call is enough, so shrinking leaves exactly that.
    expect(shrunk?.faults).toHaveLength(1);
    expect(shrunk?.faults[0]).toMatchObject({ kind: "tool-slowdown", target: "payments" });
    // The report names the counterexample; pasting its seed and faults into simulate replays the run.
    expect(fc.defaultReportMessage(details)).toContain("Counterexample:");
    const replay = await simulate(refundAgent, { ...setup, ...shrunk! });
    expect(replay.violations[0]?.message).toMatch(/^refund for R-100\d committed 2 times/);
  });

  it("never refunds twice with an idempotency key per order", async () => {
    await fc.assert(neverRefundsTwice(refundAgentFixed), search);
  });

  it("says the same in one line with expectNoViolation, with a replay command when it fails", async () => {
    await expectNoViolation(agentScenario({ name: "refund-agent-fixed", ...setup, agent: refundAgentFixed }), { runs: 100 });
    await expect(expectNoViolation(agentScenario({ name: "refund-agent", ...setup, agent: refundAgent }), { runs: 100 })).rejects.toThrow(
      /refund-agent: at-most-once-refund violated[\s\S]*replay: +await runScenario/,
    );
  });
});
