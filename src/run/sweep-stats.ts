/**
 * The statistics a sweep reports: a violation rate with its Wilson score interval, and the
 * distribution of a metric across seeds (min, p50, p90, p99, max).
 */

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** A proportion with its 95% confidence interval. */
export interface Rate {
  /** Successes (here: seeds that violated). */
  k: number;
  /** Trials (seeds judged). */
  n: number;
  /** k / n (0 when n is 0). */
  rate: number;
  /** Wilson score interval, 95%: [low, high], within [0, 1]. */
  ci95: [number, number];
}

/**
 * The Wilson score interval for k successes in n trials (Wilson 1927; Agresti and Coull 1998). It
 * stays inside [0, 1] and is sound at k = 0 and k = n, unlike the normal approximation: 0 of 1,000
 * seeds gives [0, 0.38%], not [0, 0].
 */
export function wilson(k: number, n: number, z = Z95): Rate {
  if (n === 0) return { k, n, rate: 0, ci95: [0, 1] };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At k = 0 the low end is exactly 0, at k = n the high end exactly 1 (rounding would leave 1e-17).
  const low = k === 0 ? 0 : Math.max(0, centre - half);
  const high = k === n ? 1 : Math.min(1, centre + half);
  return { k, n, rate: p, ci95: [low, high] };
}

/** How a metric spread across seeds. */
export interface Spread {
  /** Seeds that reported the metric. */
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (any order; not modified). */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
