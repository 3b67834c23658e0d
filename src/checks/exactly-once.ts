/**
 * Exactly-once effects: every logical operation commits its effect at most once, and every
 * operation that someone reported done did commit. Catches effects repeated by whole-run retries
 * (partial-failure) and, the other way round, a success reported for work that never happened
 * (a step skipped on a checkpoint that did not stand for a commit).
 *
 * Evidence: the committed effects (an effect ledger) and the claims, e.g. one per effect of each
 * run that returned success, each with the trace event that made it.
 */
import { atMostOnceEffects, type CommittedEffect } from "./at-most-once.js";
import { verdict, type Verdict } from "./verdict.js";

/** A claim that an effect happened: a run that reported success, a receipt shown to a user. */
export interface ClaimedEffect {
  /** What the effect is (`charge`, `email`). */
  effect: string;
  /** The logical operation (an order id). */
  key: string;
  /** Virtual time of the claim. */
  t: number;
  /** The trace event that made the claim. */
  eventId: number;
}

/** How `exactlyOnceEffects` names the invariant and the claimant. */
export interface ExactlyOnceOptions {
  /** The invariant's name (default `effects-exactly-once`). */
  invariant?: string;
  /** Who made the claims, for messages (default "the run that claimed it"). */
  claimant?: string;
}

/** Judges that no operation commits twice and that every claimed effect committed. */
export function exactlyOnceEffects(effects: readonly CommittedEffect[], claims: readonly ClaimedEffect[], options: ExactlyOnceOptions = {}): Verdict {
  const invariant = options.invariant ?? "effects-exactly-once";
  const twice = atMostOnceEffects(effects, { invariant }).violations.map(({ invariant: _, ...v }) => v);
  const committed = new Set(effects.map((e) => identity(e.effect, e.key)));
  const claimant = options.claimant ?? "the run that claimed it";
  const never = claims
    .filter((c) => !committed.has(identity(c.effect, c.key)))
    .map((c) => ({ at: c.t, message: `${c.effect} for ${c.key} never committed, though ${claimant} reported success`, evidence: [c.eventId] }));
  return verdict(invariant, [...twice, ...never]);
}

function identity(effect: string, key: string): string {
  return `${effect}\u0000${key}`;
}
