// The world the agent is tested in: a payments API that answers in 0.5 to 3 s (well inside the
// agent's 5 s timeout), supports idempotency keys, and records each refund it pays. Fault
// schedules add `tool-slowdown` windows (calls take 15 s longer) and `tool-outage` windows
// (calls fail at once with a 503) on it.
import { atMostOnce, type AgentSetup } from "agentsim-kit";

export const setup = {
  tools: {
    payments: {
      latency: { uniform: { min: "500ms", max: "3s" } },
      idempotency: true,
      effect: { name: "refund", key: (args) => String(args.orderId) },
    },
  },
  invariants: [atMostOnce("refund")],
  horizon: "2m",
} satisfies AgentSetup<string[], {}, "payments">;
