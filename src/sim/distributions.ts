/**
 * Probability distributions for latencies, sizes and chances. A distribution is written by users as
 * a small object (`{ lognormal: { p50: "200ms", p99: "2s" } }`) and compiled once into a
 * `Distribution` that samples from a seeded stream and knows its own quantiles, so that tests and
 * reports can compare what was drawn with what was declared.
 */
import { parseDuration, type DurationInput } from "./duration.js";
import type { Rng } from "./rng.js";

/** A value that may be a plain number or, for time distributions, a duration string. */
export type Quantity = number | string;

/** How users write a distribution (in YAML or code). A bare number or duration is a constant. */
export type DistributionSpec =
  | Quantity
  | { constant: Quantity }
  | { uniform: { min: Quantity; max: Quantity } }
  | { exponential: { mean: Quantity } }
  | { normal: { mean: Quantity; sd: Quantity; min?: Quantity } }
  | { lognormal: { p50: Quantity; p99: Quantity } | { mu: number; sigma: number } }
  | { pareto: { scale: Quantity; shape: number } }
  | { bernoulli: { p: number } }
  | { empirical: { samples: Quantity[] } }
  | { mixture: { weight: number; dist: DistributionSpec }[] };

/** The names of the distribution families. */
export const DISTRIBUTION_KINDS = ["constant", "uniform", "exponential", "normal", "lognormal", "pareto", "bernoulli", "empirical", "mixture"] as const;
/** The name of a distribution family. */
export type DistributionKind = (typeof DISTRIBUTION_KINDS)[number];

/** A compiled distribution. */
export interface Distribution {
  readonly kind: DistributionKind;
  /** One draw. */
  sample(rng: Rng): number;
  /** P(X <= x). */
  cdf(x: number): number;
  /** The p-quantile, 0 < p < 1. */
  quantile(p: number): number;
  /** A short human description, e.g. `lognormal(p50=200ms, p99=2s)`. */
  describe(): string;
}

/** Whether quantities are durations (strings with units allowed, result in ms) or plain numbers. */
export type QuantityUnit = "duration" | "number";

/** Thrown for a malformed distribution spec; `path` points inside the spec. */
export class DistributionError extends Error {
  override name = "DistributionError";
  constructor(
    message: string,
    readonly path: (string | number)[] = [],
  ) {
    super(message);
  }
}

const Z99 = 2.3263478740408408;

/** Compiles a spec. Durations become milliseconds when `unit` is `"duration"`. */
export function distribution(spec: DistributionSpec, unit: QuantityUnit = "duration"): Distribution {
  const q = (v: Quantity, path: (string | number)[]): number => quantity(v, unit, path);
  if (typeof spec === "number" || typeof spec === "string") return constant(q(spec, []));
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new DistributionError(`expected a distribution such as { lognormal: { p50: 200ms, p99: 2s } }`);
  }
  const keys = Object.keys(spec);
  if (keys.length !== 1) {
    throw new DistributionError(`a distribution has exactly one family key (${DISTRIBUTION_KINDS.join(", ")}), got ${keys.length ? keys.join(", ") : "none"}`);
  }
  const kind = keys[0] as string;
  const body = (spec as Record<string, unknown>)[kind] as Record<string, unknown>;
  const need = (field: string): unknown => {
    if (body === null || typeof body !== "object" || !(field in body)) {
      throw new DistributionError(`${kind} needs "${field}"`, [kind]);
    }
    return body[field];
  };
  switch (kind) {
    case "constant":
      return constant(q(body as unknown as Quantity, [kind]));
    case "uniform": {
      const min = q(need("min") as Quantity, [kind, "min"]);
      const max = q(need("max") as Quantity, [kind, "max"]);
      if (max < min) throw new DistributionError(`uniform max (${max}) is below min (${min})`, [kind, "max"]);
      return uniform(min, max);
    }
    case "exponential":
      return exponential(positive(q(need("mean") as Quantity, [kind, "mean"]), [kind, "mean"]));
    case "normal": {
      const min = body.min === undefined ? -Infinity : q(body.min as Quantity, [kind, "min"]);
      return normal(q(need("mean") as Quantity, [kind, "mean"]), positive(q(need("sd") as Quantity, [kind, "sd"]), [kind, "sd"]), min);
    }
    case "lognormal": {
      if (body && typeof body === "object" && "mu" in body) {
        const mu = Number(body.mu);
        if (!Number.isFinite(mu)) throw new DistributionError(`lognormal mu must be a finite number, got ${String(body.mu)}`, [kind, "mu"]);
        return lognormal(mu, positive(Number(need("sigma")), [kind, "sigma"]));
      }
      const p50 = positive(q(need("p50") as Quantity, [kind, "p50"]), [kind, "p50"]);
      const p99 = q(need("p99") as Quantity, [kind, "p99"]);
      if (p99 <= p50) throw new DistributionError(`lognormal p99 must be above p50`, [kind, "p99"]);
      return lognormalByQuantiles(p50, p99);
    }
    case "pareto":
      return pareto(positive(q(need("scale") as Quantity, [kind, "scale"]), [kind, "scale"]), positive(Number(need("shape")), [kind, "shape"]));
    case "bernoulli": {
      const p = Number(need("p"));
      if (!(p >= 0 && p <= 1)) throw new DistributionError(`bernoulli p must be in [0, 1], got ${String(body.p)}`, [kind, "p"]);
      return bernoulli(p);
    }
    case "empirical": {
      const samples = need("samples");
      if (!Array.isArray(samples) || samples.length === 0) {
        throw new DistributionError(`empirical needs a non-empty list of samples`, [kind, "samples"]);
      }
      return empirical(samples.map((s, i) => q(s as Quantity, [kind, "samples", i])));
    }
    case "mixture": {
      if (!Array.isArray(body) || body.length === 0) {
        throw new DistributionError(`mixture needs a list of { weight, dist }`, [kind]);
      }
      const parts = (body as ({ weight: number; dist: DistributionSpec } | null)[]).map((c, i) => {
        if (c === null || typeof c !== "object") {
          throw new DistributionError(`mixture entries are { weight, dist }`, [kind, i]);
        }
        if (!(typeof c.weight === "number" && c.weight > 0)) {
          throw new DistributionError(`mixture weight must be a positive number`, [kind, i, "weight"]);
        }
        try {
          return { weight: c.weight, dist: distribution(c.dist, unit) };
        } catch (e) {
          if (e instanceof DistributionError) throw new DistributionError(e.message, [kind, i, "dist", ...e.path]);
          throw e;
        }
      });
      return mixture(parts);
    }
    default:
      throw new DistributionError(`unknown distribution "${kind}"; expected one of ${DISTRIBUTION_KINDS.join(", ")}`);
  }
}

function quantity(v: Quantity, unit: QuantityUnit, path: (string | number)[]): number {
  if (typeof v !== "number" && typeof v !== "string") {
    const what = unit === "duration" ? `a number of ms or a duration such as "200ms"` : "a number";
    throw new DistributionError(`expected ${what}, got ${v === null ? "null" : typeof v}`, path);
  }
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new DistributionError(`expected a finite number`, path);
    return v;
  }
  if (unit === "number") {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new DistributionError(`expected a number, got "${v}"`, path);
    return n;
  }
  try {
    return parseDuration(v as DurationInput);
  } catch (e) {
    throw new DistributionError((e as Error).message, path);
  }
}

function positive(x: number, path: (string | number)[]): number {
  if (!(x > 0)) throw new DistributionError(`must be positive, got ${x}`, path);
  return x;
}

/** A distribution as users write it (a spec), or already compiled (as scenario params resolve it). */
export type DistributionInput = DistributionSpec | Distribution;

/** Compiles a distribution spec (its quantities in `unit`, default durations); passes a compiled one through. */
export function toDistribution(input: DistributionInput, unit: QuantityUnit = "duration"): Distribution {
  if (typeof input === "object" && input !== null && typeof (input as Distribution).sample === "function") return input as Distribution;
  return distribution(input as DistributionSpec, unit);
}

/** Always `value`. */
export function constant(value: number): Distribution {
  return {
    kind: "constant",
    sample: () => value,
    cdf: (x) => (x >= value ? 1 : 0),
    quantile: () => value,
    describe: () => `constant(${value})`,
  };
}

/** Uniform in [min, max). */
export function uniform(min: number, max: number): Distribution {
  const w = max - min;
  return {
    kind: "uniform",
    sample: (rng) => min + rng.next() * w,
    cdf: (x) => (x <= min ? 0 : x >= max ? 1 : (x - min) / w),
    quantile: (p) => min + p * w,
    describe: () => `uniform(${min}, ${max})`,
  };
}

/** Exponential with the given mean (memoryless gaps, e.g. between arrivals). */
export function exponential(mean: number): Distribution {
  return {
    kind: "exponential",
    sample: (rng) => -mean * Math.log(1 - rng.next()),
    cdf: (x) => (x <= 0 ? 0 : 1 - Math.exp(-x / mean)),
    quantile: (p) => -mean * Math.log(1 - p),
    describe: () => `exponential(mean=${mean})`,
  };
}

/** A normal distribution, truncated below at `min` by clamping (latencies cannot be negative). */
export function normal(mean: number, sd: number, min = -Infinity): Distribution {
  return {
    kind: "normal",
    sample: (rng) => Math.max(min, mean + sd * standardNormal(rng)),
    cdf: (x) => (x < min ? 0 : normalCdf((x - mean) / sd)),
    quantile: (p) => Math.max(min, mean + sd * normalQuantile(p)),
    describe: () => `normal(mean=${mean}, sd=${sd})`,
  };
}

/** Lognormal with log-mean `mu` and log-sd `sigma` (see `lognormalByQuantiles` to give p50 and p99). */
export function lognormal(mu: number, sigma: number): Distribution {
  return {
    kind: "lognormal",
    sample: (rng) => Math.exp(mu + sigma * standardNormal(rng)),
    cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
    quantile: (p) => Math.exp(mu + sigma * normalQuantile(p)),
    describe: () => `lognormal(p50=${round(Math.exp(mu))}, p99=${round(Math.exp(mu + sigma * Z99))})`,
  };
}

/** A lognormal distribution pinned by its median and 99th percentile. */
export function lognormalByQuantiles(p50: number, p99: number): Distribution {
  const mu = Math.log(p50);
  return lognormal(mu, (Math.log(p99) - mu) / Z99);
}

/** Pareto (type I): P(X > x) = (scale / x)^shape for x >= scale. */
export function pareto(scale: number, shape: number): Distribution {
  return {
    kind: "pareto",
    sample: (rng) => scale / Math.pow(1 - rng.next(), 1 / shape),
    cdf: (x) => (x < scale ? 0 : 1 - Math.pow(scale / x, shape)),
    quantile: (p) => scale / Math.pow(1 - p, 1 / shape),
    describe: () => `pareto(scale=${scale}, shape=${shape})`,
  };
}

/** 1 with probability p, else 0. */
export function bernoulli(p: number): Distribution {
  return {
    kind: "bernoulli",
    sample: (rng) => (rng.next() < p ? 1 : 0),
    cdf: (x) => (x < 0 ? 0 : x < 1 ? 1 - p : 1),
    quantile: (q) => (q <= 1 - p ? 0 : 1),
    describe: () => `bernoulli(p=${p})`,
  };
}

/** Draws uniformly among recorded samples (an observed latency log, say). */
export function empirical(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    kind: "empirical",
    sample: (rng) => samples[Math.floor(rng.next() * n)] as number,
    cdf: (x) => upperBound(sorted, x) / n,
    quantile: (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] as number,
    describe: () => `empirical(${n} samples)`,
  };
}

/** A weighted mixture, e.g. 95% fast and 5% slow tail. Weights are normalized. */
export function mixture(parts: readonly { weight: number; dist: Distribution }[]): Distribution {
  const total = parts.reduce((s, c) => s + c.weight, 0);
  const weights = parts.map((c) => c.weight / total);
  const cdf = (x: number): number => parts.reduce((s, c, i) => s + (weights[i] as number) * c.dist.cdf(x), 0);
  return {
    kind: "mixture",
    sample: (rng) => {
      let u = rng.next();
      for (let i = 0; i < parts.length - 1; i++) {
        u -= weights[i] as number;
        if (u < 0) return (parts[i] as { dist: Distribution }).dist.sample(rng);
      }
      return (parts[parts.length - 1] as { dist: Distribution }).dist.sample(rng);
    },
    cdf,
    quantile: (p) => {
      // Bisection over the components' own quantile range.
      let lo = Math.min(...parts.map((c) => c.dist.quantile(1e-9)));
      let hi = Math.max(...parts.map((c) => c.dist.quantile(1 - 1e-9)));
      for (let i = 0; i < 200 && hi - lo > 1e-9 * Math.max(1, Math.abs(hi)); i++) {
        const mid = (lo + hi) / 2;
        if (cdf(mid) < p) lo = mid;
        else hi = mid;
      }
      return hi;
    },
    describe: () => `mixture(${parts.map((c, i) => `${round((weights[i] as number) * 100)}% ${c.dist.describe()}`).join(", ")})`,
  };
}

/** A standard normal draw (Box-Muller, two uniforms per draw, no hidden state). */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Standard normal CDF (Zelen & Severo / A&S 26.2.17, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z > 0 ? 1 - p : p;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const plow = 0.02425;
  if (p < plow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - plow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
