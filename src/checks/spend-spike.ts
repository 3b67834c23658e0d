/**
 * Spend spikes: the spend in any window must stay under a multiple of the trailing average rate.
 * The stampede's signature: three minutes of spend at about nine times the trailing hourly rate.
 */
import { verdict, type Verdict } from "./verdict.js";

/** The evidence: one charge on the bill. */
export interface Charge {
  t: number;
  usd: number;
  eventId: number;
}

/** How `noSpendSpike` compares a window's spend with the trailing baseline. */
export interface SpendSpikeOptions {
  invariant?: string;
  /** The window whose spend is compared (e.g. 3 min). */
  windowMs: number;
  /** The trailing period whose average rate is the baseline (e.g. 1 h). */
  trailingMs: number;
  /** How many times the trailing rate a window may reach. */
  multiple: number;
  /** Windows cheaper than this never count (noise floor), in dollars. */
  minUsd?: number;
}

/** A window of spend, `[from, to)` and its dollars (as `SpendWindow` in billing.ts), with the baseline spend a window of that length would have at the trailing rate. */
export interface SpendSpikeWindow {
  from: number;
  to: number;
  usd: number;
  baselineUsd: number;
  ratio: number;
  lastEventId: number;
}

/**
 * Slides a window ending at each charge; the baseline is the average rate of the trailing period
 * before the window, scaled to the window's length. Windows need a full trailing period of
 * history (wall-clock time since the first charge).
 *
 * The trailing period is measured in active time: a quiet spell (a gap between consecutive
 * charges longer than the window) does not count, however long it lasted, nor do a few pings
 * spaced further apart than the window. So an hour of traffic, a quiet night and the morning's
 * first ordinary window compare the morning with the traffic before the night, not with the
 * empty night: a quiet spell cannot zero the baseline and make ordinary spend look like a spike.
 * (Traffic sparser than one charge per window has no active time, so no baseline: it is never
 * judged; with less than a trailing period of active time, the rate is the average over what
 * there was.)
 */
export function spendWindows(charges: readonly Charge[], windowMs: number, trailingMs: number): SpendSpikeWindow[] {
  const cs = [...charges].sort((a, b) => a.t - b.t || a.eventId - b.eventId);
  if (cs.length === 0) return [];
  const prefix = [0];
  for (const c of cs) prefix.push((prefix[prefix.length - 1] as number) + c.usd);
  const sumBefore = (t: number): number => prefix[lowerBound(cs, t)] as number; // spend of charges with time < t
  // active[k]: active time at charge k; a gap longer than the window is quiet and adds nothing.
  const gapAfter = (k: number): number => (k + 1 < cs.length ? (cs[k + 1] as Charge).t - (cs[k] as Charge).t : 0);
  const active = [0];
  for (let k = 1; k < cs.length; k++) active.push((active[k - 1] as number) + (gapAfter(k - 1) > windowMs ? 0 : gapAfter(k - 1)));
  const activeAt = (t: number): number => {
    const k = Math.max(0, lowerBound(cs, t + 1e-9) - 1); // the last charge at or before t
    return gapAfter(k) > windowMs ? (active[k] as number) : (active[k] as number) + Math.max(0, t - (cs[k] as Charge).t);
  };
  const timeAtActive = (a: number): number => {
    let lo = 0;
    let hi = active.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((active[mid] as number) <= a) lo = mid;
      else hi = mid - 1;
    }
    return (cs[lo] as Charge).t + (a - (active[lo] as number));
  };
  const start = (cs[0] as Charge).t;
  const out: SpendSpikeWindow[] = [];
  for (let i = 0; i < cs.length; i++) {
    const end = (cs[i] as Charge).t;
    if (i + 1 < cs.length && (cs[i + 1] as Charge).t === end) continue;
    const from = end - windowMs;
    if (from - trailingMs < start) continue;
    const activeTrailing = Math.min(trailingMs, activeAt(from));
    if (activeTrailing <= 0) continue;
    const usd = (prefix[i + 1] as number) - sumBefore(from + 1e-9);
    const trailing = sumBefore(from + 1e-9) - sumBefore(timeAtActive(activeAt(from) - activeTrailing));
    const baselineUsd = (trailing * windowMs) / activeTrailing;
    out.push({ from, to: end, usd, baselineUsd, ratio: baselineUsd > 0 ? usd / baselineUsd : Infinity, lastEventId: (cs[i] as Charge).eventId });
  }
  return out;
}

/** Judges that no window's spend exceeds `multiple` times the trailing rate. Reports the first breach. */
export function noSpendSpike(charges: readonly Charge[], options: SpendSpikeOptions): Verdict {
  const invariant = options.invariant ?? "spend-spike";
  const windows = spendWindows(charges, options.windowMs, options.trailingMs).filter(
    (w) => w.usd >= (options.minUsd ?? 0) && w.usd > options.multiple * w.baselineUsd,
  );
  if (windows.length === 0) return verdict(invariant, []);
  const first = windows[0] as SpendSpikeWindow;
  const worst = windows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const mins = Math.round(options.windowMs / 60_000);
  return verdict(invariant, [
    {
      at: first.to,
      message: `spend of $${worst.usd.toFixed(2)} in ${mins} min is ${Number.isFinite(worst.ratio) ? worst.ratio.toFixed(1) : "∞"}x the trailing rate ($${worst.baselineUsd.toFixed(2)} per ${mins} min; bound ${options.multiple}x)`,
      evidence: [first.lastEventId, worst.lastEventId].filter((v, i, a) => a.indexOf(v) === i),
    },
  ]);
}

function lowerBound(cs: readonly Charge[], t: number): number {
  let lo = 0;
  let hi = cs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cs[mid] as Charge).t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
