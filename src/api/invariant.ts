/**
 * Invariants over a user's agent: a name, a description and a check over the run's evidence.
 *
 * ```ts
 * const noRefundOver100: Invariant = {
 *   name: "refunds-under-100",
 *   description: "no single refund above $100",
 *   check: (e) => e.ledger.entries.filter((r) => r.effect === "refund" && big(r)).map((r) => ({
 *     at: r.t, message: `refund of ${r.key} above $100`, evidence: [r.eventId],
 *   })),
 * };
 * ```
 *
 * A check returns the violations it found (an empty list when the invariant held), or a `Verdict`
 * from one of the library's checkers (`atMostOnceEffects`, `finishesWithin`, ...), which is
 * judged under the invariant's own name.
 */
import { atMostOnceEffects } from "../checks/at-most-once.js";
import type { Invariant as InvariantOver } from "../checks/invariant.js";
import type { AgentEvidence } from "./agent-evidence.js";

export type { ViolationInput } from "../checks/invariant.js";

/** An invariant over the evidence of an agent's run (the checks layer's `Invariant`, over `AgentEvidence`). */
export type Invariant<T = unknown> = InvariantOver<AgentEvidence<T>>;

/**
 * Each logical operation commits `effect` at most `limit` times (default once), judged from the
 * effect ledger: the double refund, the email sent twice. Named `at-most-once-<effect>` unless
 * `name` says otherwise.
 */
export function atMostOnce(effect: string, options: { name?: string; limit?: number } = {}): Invariant {
  const name = options.name ?? `at-most-once-${effect}`;
  return {
    name,
    description: `each ${effect} commits at most ${options.limit ?? 1} time${(options.limit ?? 1) === 1 ? "" : "s"} per operation (the tool's effect ledger)`,
    check: (e) =>
      atMostOnceEffects(
        e.ledger.entries.filter((r) => r.effect === effect),
        { invariant: name, noun: effect, ...(options.limit !== undefined ? { limit: options.limit } : {}) },
      ),
  };
}

/** The agent function returned: it neither threw nor was still running when the run stopped. */
export function agentReturns(options: { name?: string } = {}): Invariant {
  const name = options.name ?? "agent-returns";
  return {
    name,
    description: "the agent function returns (it does not throw and does not hang)",
    check: (e) => {
      const end = e.agent;
      if (end.status === "done") return [];
      const ended = e.trace.events.find((ev) => ev.phase === "end" && ev.span === e.agentSpan);
      const message = end.status === "failed" ? `the agent threw: ${errorMessage(end.error)}` : `the agent never finished: ${end.reason}`;
      return [{ at: ended?.t ?? e.outcome.now, message, evidence: ended ? [e.agentSpan, ended.id] : [e.agentSpan] }];
    },
  };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
