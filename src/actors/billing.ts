/**
 * The billing meter: every dollar an actor spends, when, by whom and on what, and the views of
 * that spend the `spend-spike` invariant and the charts need (spend in a window, spend over time,
 * the worst window, the trailing average rate).
 *
 * Charges are stamped with the virtual time at which they are recorded, so they are in time
 * order. Windows are half-open, `[from, to)`, in virtual ms. Rates are USD per virtual ms
 * (multiply by 3,600,000 for USD per hour).
 */
import type { TimeSource } from "../sim/trace.js";
import { BILLING_DEFAULTS } from "./defaults.js";

/** One charge on the bill. */
export interface Charge {
  /** Virtual time of the charge (ms). */
  t: number;
  usd: number;
  /** Who incurred it (a worker or agent name). */
  caller: string;
  /** What was bought: `input`, `cache-write`, `cache-read`, `output`, or a tool's own kind. */
  kind: string;
  /** The trace event that incurred it. */
  eventId?: number;
}

/** Selects the charges a view counts (e.g. only input-side spend). */
export type ChargeFilter = (charge: Charge) => boolean;

/** A window of spend: `[from, to)` and the dollars charged in it. */
export interface SpendWindow {
  from: number;
  to: number;
  usd: number;
}

/** Records charges and answers questions about spend over virtual time. */
export class BillingMeter {
  readonly #time: TimeSource;
  readonly #charges: Charge[] = [];

  constructor(time: TimeSource) {
    this.#time = time;
  }

  /** Every charge so far, in time order. */
  get charges(): readonly Charge[] {
    return this.#charges;
  }

  /** Records a charge at the current virtual time and returns it. */
  record(charge: Omit<Charge, "t">): Charge {
    if (!(charge.usd >= 0 && Number.isFinite(charge.usd))) {
      throw new RangeError(`BillingMeter.record: usd must be a finite non-negative amount, got ${charge.usd}`);
    }
    const c: Charge = { t: this.#time.now, ...charge };
    this.#charges.push(c);
    return c;
  }

  /** Total spend so far (of the charges `filter` selects). */
  total(filter?: ChargeFilter): number {
    return this.spendIn(-Infinity, Infinity, filter);
  }

  /** Spend with `from <= t < to`. */
  spendIn(from: number, to: number, filter?: ChargeFilter): number {
    let usd = 0;
    for (let i = lowerBound(this.#charges, from); i < this.#charges.length; i++) {
      const c = this.#charges[i] as Charge;
      if (c.t >= to) break;
      if (!filter || filter(c)) usd += c.usd;
    }
    return usd;
  }

  /**
   * Spend per bucket of `bucketMs`, as `[bucket start, usd]` pairs from `from` (default 0) through
   * the bucket holding `to` (default now), empty buckets included.
   */
  series(bucketMs: number = BILLING_DEFAULTS.bucketMs, options: { from?: number; to?: number; filter?: ChargeFilter } = {}): [number, number][] {
    if (!(bucketMs > 0)) throw new RangeError(`BillingMeter.series: bucketMs must be positive, got ${bucketMs}`);
    const from = options.from ?? 0;
    const to = options.to ?? this.#time.now;
    const n = Math.max(1, Math.floor((to - from) / bucketMs) + 1);
    const out: [number, number][] = Array.from({ length: n }, (_, i) => [from + i * bucketMs, 0]);
    for (let i = lowerBound(this.#charges, from); i < this.#charges.length; i++) {
      const c = this.#charges[i] as Charge;
      const b = Math.floor((c.t - from) / bucketMs);
      if (b >= n) break;
      if (!options.filter || options.filter(c)) (out[b] as [number, number])[1] += c.usd;
    }
    return out;
  }

  /**
   * The window of length `windowMs` with the most spend. Windows start at a charge (the best one
   * always can), so `from` is the first charge of the worst burst. With no charges: `[0, windowMs)`
   * and 0.
   */
  maxWindow(windowMs: number, filter?: ChargeFilter): SpendWindow {
    if (!(windowMs > 0)) throw new RangeError(`BillingMeter.maxWindow: windowMs must be positive, got ${windowMs}`);
    const cs = filter ? this.#charges.filter(filter) : this.#charges;
    let best: SpendWindow = { from: 0, to: windowMs, usd: 0 };
    let sum = 0;
    let j = 0;
    for (let i = 0; i < cs.length; i++) {
      const start = (cs[i] as Charge).t;
      while (j < cs.length && (cs[j] as Charge).t < start + windowMs) sum += (cs[j++] as Charge).usd;
      if (sum > best.usd) best = { from: start, to: start + windowMs, usd: sum };
      sum -= (cs[i] as Charge).usd;
    }
    return best;
  }

  /**
   * Average spend rate (USD per ms) over the `windowMs` before `at`, i.e. `[at - windowMs, at)`.
   * Early in a run, when less than `windowMs` has passed, it averages over `[0, at)` instead of
   * diluting the rate with time that never happened. 0 at time 0.
   */
  trailingRate(at: number, windowMs: number = BILLING_DEFAULTS.trailingWindowMs, filter?: ChargeFilter): number {
    const span = Math.min(windowMs, at);
    if (!(span > 0)) return 0;
    return this.spendIn(at - span, at, filter) / span;
  }
}

/** Index of the first charge with `t >= time`. */
function lowerBound(charges: readonly Charge[], time: number): number {
  let lo = 0;
  let hi = charges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((charges[mid] as Charge).t < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
