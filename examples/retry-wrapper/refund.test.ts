// The team's refund code under agentsim: the payments API is a simulated tool that takes 7 s per
// refund (longer than the wrapper's 5 s timeout), supports idempotency keys with Stripe's
// semantics, and records every refund it pays in a ledger. `atMostOnce("refund")` judges that
// ledger. The same seed gives the same run, so each assertion below is about one exact run.
import { describe, expect, it } from "vitest";
import { atMostOnce, simulate, type AgentTool, type ToolSpec } from "agentsim-kit";
import { refundOrder, refundOrderFixed, type PaymentsClient } from "./refund.js";

const payments: ToolSpec = {
  latency: "7s",
  idempotency: true,
  effect: { name: "refund", key: (args) => String(args.orderId) },
  resultFor: (args) => ({ refundId: `re_${String(args.orderId)}` }),
};

/** The team's payments client, backed by the simulated tool instead of the SDK. */
function simulatedPayments(tool: AgentTool): PaymentsClient {
  return {
    async refund(order, options) {
      return (await tool.invoke({ ...order }, options)) as { refundId: string };
    },
  };
}

const order = { orderId: "R-1001", amountUsd: 40 };
const setup = { seed: 1, tools: { payments }, invariants: [atMostOnce("refund")] };

describe("the team's retry wrapper around a refund", () => {
  it("refunds three times when the refund outlives the timeout (the wrapper as first written)", async () => {
    const run = await simulate(({ tools, clock }) => refundOrder(simulatedPayments(tools.payments), clock, order), setup);

    expect(run.verdict).toBe("violated");
    expect(run.violations.map((v) => v.message)).toEqual(["refund for R-1001 committed 3 times (at most 1 allowed)"]);
    // Attempts start at 0 s, 6 s (5 s timeout + 1 s backoff) and 13 s (5 s + 2 s later); each pays 7 s after it starts.
    expect(run.ledger.entries.map((e) => e.t)).toEqual([7_000, 13_000, 20_000]);
    // The wrapper itself reports failure: its last attempt timed out at 18 s, before the third refund landed.
    expect(run.agent.status).toBe("failed");
  });

  it("refunds once with the fixed wrapper: the retry is told 409, the next one gets the saved answer", async () => {
    const run = await simulate(({ tools, clock }) => refundOrderFixed(simulatedPayments(tools.payments), clock, order), setup);

    expect(run.verdict).toBe("held");
    expect(run.ledger.entries).toHaveLength(1);
    expect(run.agent).toEqual({ status: "done", value: { refundId: "re_R-1001" } });
    // Attempt 1 (0 s) times out at 5 s but pays at 7 s; attempt 2 (6 s) finds it in flight; attempt 3 (8 s) is replayed.
    const answers = run.tools.payments.calls.map((c) => (c.response?.ok ? (c.response.replayed ? "replayed" : "paid") : c.response?.error));
    expect(answers).toEqual(["paid", "conflict", "replayed"]);
  });
});
