/**
 * Latency evidence and SLO checks: percentiles by the nearest-rank definition, and a checker that
 * an observed quantile stays within a bound (e.g. end-to-end p99 within the SLA), or that every run
 * returned within its deadline.
 */
import { verdict, type Verdict } from "./verdict.js";

/** The nearest-rank q-quantile of samples (0 < q <= 1); NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50, p90, p99, max and count of samples. */
export function summarize(samples: readonly number[]): { count: number; p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => (sorted.length ? (sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] as number) : NaN);
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : NaN,
  };
}

/** One measured request: how long it took, when it ended, and its trace event. */
export interface LatencySample {
  ms: number;
  /** Virtual time the request ended (or was abandoned). */
  endedAt: number;
  eventId: number;
}

/** Judges that the q-quantile of the samples is within `boundMs`. */
export function latencyQuantileWithin(samples: readonly LatencySample[], options: { invariant?: string; q: number; boundMs: number; what?: string }): Verdict {
  const invariant = options.invariant ?? "latency-slo";
  if (samples.length === 0) return verdict(invariant, []);
  const value = quantile(
    samples.map((s) => s.ms),
    options.q,
  );
  if (value <= options.boundMs) return verdict(invariant, []);
  const slow = samples.filter((s) => s.ms > options.boundMs).sort((a, b) => a.endedAt - b.endedAt);
  const label = `p${Math.round(options.q * 1000) / 10}`;
  // The quantile crossed the bound once enough slow requests had ended: point at that one.
  const allowed = Math.floor((1 - options.q) * samples.length);
  const breaking = slow[Math.min(slow.length - 1, allowed)] as LatencySample;
  return verdict(invariant, [
    {
      at: breaking.endedAt,
      message: `${options.what ?? "latency"} ${label} is ${Math.round(value)}ms, over the ${Math.round(options.boundMs)}ms bound (${slow.length} of ${samples.length} requests over it)`,
      evidence: slow
        .slice(0, 5)
        .map((s) => s.eventId)
        .concat(breaking.eventId)
        .filter((v, i, a) => a.indexOf(v) === i),
    },
  ]);
}

/** Judges that every request ended within `boundMs`; a request that never ended counts at the horizon. */
export function everyWithin(samples: readonly LatencySample[], options: { invariant?: string; boundMs: number; what?: string }): Verdict {
  const invariant = options.invariant ?? "bounded-latency";
  return verdict(
    invariant,
    samples
      .filter((s) => s.ms > options.boundMs)
      .map((s) => ({
        at: s.endedAt,
        message: `${options.what ?? "request"} ${Number.isFinite(s.ms) ? `took ${Math.round(s.ms)}ms` : "never returned"}, over its ${Math.round(options.boundMs)}ms deadline`,
        evidence: [s.eventId],
      })),
  );
}
