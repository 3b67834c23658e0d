/**
 * At-most-once effects over an effect ledger: each logical operation (key) commits its effect at
 * most `limit` times (1 by default). Catches double refunds, re-run steps, duplicate deliveries.
 */
import { verdict, type Verdict } from "./verdict.js";

/** The evidence this checker reads: one committed side effect. */
export interface CommittedEffect {
  /** Virtual time of the commit. */
  t: number;
  /** What the effect is (`refund`, `email`). */
  effect: string;
  /** The logical operation it belongs to (a return id, a step id). */
  key: string;
  /** The trace event of the commit. */
  eventId: number;
}

/** How `atMostOnceEffects` judges and names its violations. */
export interface AtMostOnceOptions {
  invariant?: string;
  /** How many commits of one key are allowed (default 1). */
  limit?: number;
  /** A noun for messages, e.g. "refund" (default: the effect's own name). */
  noun?: string;
}

/** Judges that no key commits its effect more than `limit` times. */
export function atMostOnceEffects(effects: readonly CommittedEffect[], options: AtMostOnceOptions = {}): Verdict {
  const invariant = options.invariant ?? "at-most-once-effect";
  const limit = options.limit ?? 1;
  const byKey = new Map<string, CommittedEffect[]>();
  for (const e of [...effects].sort((a, b) => a.t - b.t || a.eventId - b.eventId)) {
    const k = `${e.effect}\u0000${e.key}`;
    const list = byKey.get(k) ?? [];
    list.push(e);
    byKey.set(k, list);
  }
  const violations = [];
  for (const list of byKey.values()) {
    if (list.length <= limit) continue;
    const first = list[0] as CommittedEffect;
    const breaking = list[limit] as CommittedEffect;
    const noun = options.noun ?? first.effect;
    violations.push({
      at: breaking.t,
      message: `${noun} for ${first.key} committed ${list.length} times (at most ${limit} allowed)`,
      evidence: list.map((e) => e.eventId),
    });
  }
  return verdict(invariant, violations);
}
