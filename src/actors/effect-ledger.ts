/**
 * The effect ledger: the record of every side effect that tools and jobs committed (a refund paid,
 * an email sent, a row written), whoever was still listening when it happened.
 *
 * A tool records an effect at the moment its server-side work commits, not when the caller sees a
 * response, so the ledger is the ground truth that `at-most-once-effect`, `single-effect` and
 * `effects-exactly-once` are judged against. Each entry names the trace event of its commit, so a
 * violation's causal chain leads from the duplicate effect back to the calls that caused it.
 */

/** One committed side effect. Structurally a `CommittedEffect` for the at-most-once checker. */
export interface EffectRecord {
  /** Position in the ledger, from 0. */
  readonly id: number;
  /** Virtual time of the commit. */
  readonly t: number;
  /** What the effect is (`refund`, `email`). */
  readonly effect: string;
  /** The logical operation it belongs to (a return id, a step id). */
  readonly key: string;
  /** The tool (or job service) that committed it. */
  readonly tool: string;
  /** The request (or job) whose work committed it. */
  readonly requestId: string;
  /** The idempotency key the request carried, if any. */
  readonly idempotencyKey?: string;
  /** The trace id of the `effect.commit` event. */
  readonly eventId: number;
  /** The trace id of the call (or job submission) that did the work. */
  readonly parent?: number;
}

/** What a committer supplies; the ledger assigns the id. */
export type EffectEntry = Omit<EffectRecord, "id">;

/** An append-only list of committed effects, shared by the tools that write to it. */
export class EffectLedger {
  readonly #entries: EffectRecord[] = [];

  /** Appends a committed effect and returns it with its ledger id. */
  record(entry: EffectEntry): EffectRecord {
    const rec: EffectRecord = { id: this.#entries.length, ...entry };
    this.#entries.push(rec);
    return rec;
  }

  /** Every committed effect, in commit order. */
  get entries(): readonly EffectRecord[] {
    return this.#entries;
  }

  /** The commits of one logical operation (optionally of one effect only), in commit order. */
  forKey(key: string, effect?: string): EffectRecord[] {
    return this.#entries.filter((e) => e.key === key && (effect === undefined || e.effect === effect));
  }

  /** How many effects were committed (optionally of one kind). */
  count(effect?: string): number {
    return effect === undefined ? this.#entries.length : this.#entries.filter((e) => e.effect === effect).length;
  }

  /** Logical operations committed more than once: `effect`/`key` pairs with all their commits. */
  duplicates(): EffectRecord[][] {
    const groups = new Map<string, EffectRecord[]>();
    for (const e of this.#entries) {
      const k = `${e.effect}\u0000${e.key}`;
      const list = groups.get(k);
      if (list) list.push(e);
      else groups.set(k, [e]);
    }
    return [...groups.values()].filter((g) => g.length > 1);
  }
}
