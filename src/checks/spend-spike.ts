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
 * Slides a window ending at each charge; the baseline is the spend of the trailing period before
 * the window, scaled to the window's length. Windows need a full trailing period of history.
 */
export function spendWindows(charges: readonly Charge[], windowMs: number, trailingMs: number): SpendSpikeWindow[] {
  const cs = [...charges].sort((a, b) => a.t - b.t || a.eventId - b.eventId);
  if (cs.length === 0) return [];
  const start = (cs[0] as Charge).t;
  const prefix = [0];
  for (const c of cs) prefix.push((prefix[prefix.length - 1] as number) + c.usd);
  const sumBefore = (t: number): number => prefix[lowerBound(cs, t)] as number; // spend of charges with time < t
  const out: SpendSpikeWindow[] = [];
  for (let i = 0; i < cs.length; i++) {
    const end = (cs[i] as Charge).t;
    if (i + 1 < cs.length && (cs[i + 1] as Charge).t === end) continue;
    const from = end - windowMs;
    if (from - trailingMs < start) continue;
    const usd = (prefix[i + 1] as number) - sumBefore(from + 1e-9);
    const trailing = sumBefore(from + 1e-9) - sumBefore(from - trailingMs);
    const baselineUsd = (trailing * windowMs) / trailingMs;
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
