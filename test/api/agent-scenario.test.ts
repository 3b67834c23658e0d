/**
 * `agentScenario`: a user's agent as an ordinary scenario, so the run layer, the search and
 * scenario files run it; and `agentRunArbitrary`, the draws of property tests.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentRunArbitrary } from "../../src/api/agent-run-arbitrary.js";
import { agentEvidence, agentScenario } from "../../src/api/agent-scenario.js";
import { atMostOnce } from "../../src/api/invariant.js";
import { TOOL_OUTAGE, TOOL_SLOWDOWN } from "../../src/api/tool-faults.js";
import { checkScenario } from "../../src/run/check.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { p } from "../../src/scenarios/params.js";
import { doubleRefund } from "../../src/scenarios/double-refund.js";

/** Calls `pay` once per order, retrying once after a 2 s timeout; with `keys`, one key per order. */
const payer = agentScenario({
  name: "payer",
  params: {
    orders: p.int(2, { min: 1, max: 5, explore: [1, 5], doc: "orders to pay" }),
    latency: p.duration("1s", { min: "1ms", max: "10s", doc: "pay latency" }),
  },
  mitigations: [{ name: "keys", description: "one idempotency key per order" }],
  tools: { pay: (v) => ({ latency: v.latency, idempotency: true, effect: { name: "payment", key: (a) => String(a.order) } }) },
  invariants: [atMostOnce("payment")],
  agent: async ({ tools, clock, params, mitigations }) => {
    for (let order = 1; order <= params.orders; order++) {
      const key = mitigations.has("keys") ? { idempotencyKey: `order-${order}` } : {};
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await Promise.race([tools.pay.call({ order }, key), clock.sleep(2_000).then(() => undefined)]);
        if (r?.ok) break;
      }
    }
  },
});

describe("agentScenario", () => {
  it("runs under runScenario with parameters, mitigations and the tools' fault kinds", async () => {
    expect(payer.faults?.map((f) => [f.name, f.targets])).toEqual([
      [TOOL_SLOWDOWN, ["pay"]],
      [TOOL_OUTAGE, ["pay"]],
    ]);
    const fast = await runScenario({ scenario: payer, seed: 1, params: { orders: 3 } });
    expect(fast.verdict).toBe("held");
    expect(agentEvidence(fast)?.ledger.count("payment")).toBe(3);
    // A 3 s payment outlives the 2 s timeout: each order is paid by both attempts, unless keyed.
    const slow = await runScenario({ scenario: payer, seed: 1, params: { orders: 3, latency: "3s" } });
    expect(slow.violations).toHaveLength(3);
    const keyed = await runScenario({ scenario: payer, seed: 1, params: { orders: 3, latency: "3s" }, mitigations: ["keys"] });
    expect(keyed.verdict).toBe("held");
  });

  it("is searched and shrunk by checkScenario: at a 1 s latency, one slowdown makes the double payment", async () => {
    const found = await checkScenario({ base: { scenario: payer }, fixedParams: [["latency"]], runs: 100, seed: 1 });
    expect(found.found).toBe(true);
    if (!found.found) return;
    expect(found.shrunk.violated).toEqual(["at-most-once-payment"]);
    expect(found.shrunk.faults.map((f) => f.kind)).toEqual([TOOL_SLOWDOWN]);
  });

  it("has no evidence for a run of another scenario", async () => {
    const r = await runScenario({ scenario: doubleRefund, seed: 1, params: { returns: { count: 1 } } });
    expect(agentEvidence(r)).toBeUndefined();
  });
});

describe("agentRunArbitrary", () => {
  it("draws seeds and schedules of the two tool faults within the horizon, on the setup's tools", () => {
    const draws = fc.sample(agentRunArbitrary({ tools: { a: {}, b: {} }, horizon: "1m" }, { maxFaults: 3 }), { numRuns: 200, seed: 7 });
    const faults = draws.flatMap((d) => d.faults);
    expect(faults.length).toBeGreaterThan(0);
    expect(draws.every((d) => d.seed >= 1 && d.faults.length <= 3)).toBe(true);
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set([TOOL_SLOWDOWN, TOOL_OUTAGE]));
    expect(faults.every((f) => (f.target === "a" || f.target === "b") && f.at >= 0 && f.at <= 60_000)).toBe(true);
  });

  it("draws seeds only when there are no tools", () => {
    expect(fc.sample(agentRunArbitrary({}), { numRuns: 20, seed: 1 }).every((d) => d.faults.length === 0)).toBe(true);
  });
});
