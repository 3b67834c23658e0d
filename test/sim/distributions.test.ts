import { describe, it, expect } from "vitest";
import { DistributionError, distribution, toDistribution, type Distribution, type DistributionSpec } from "../../src/sim/distributions.js";
import { RngStreams } from "../../src/sim/rng.js";

/**
 * How the quantile checks are toleranced. Draw n samples and take the empirical p-quantile (the
 * ceil(p n)-th smallest). Whatever the family, X = Q(U) in distribution for U uniform, and Q is
 * monotone, so the empirical p-quantile of X is Q at the empirical p-quantile of U, which lies
 * within p +- 5 sqrt(p (1 - p) / n) except with probability about 6e-7. So the empirical quantile
 * must lie in [Q(p - 5 sd), Q(p + 5 sd)]: a band in value space that needs no density, holds for
 * discrete families too, and for n = 200,000 is +-0.0011 around p = 0.5 and +-0.0011 around 0.99.
 */
const N = 200_000;
const PS = [0.5, 0.9, 0.99] as const;

/** Standard normal quantiles from the textbook table (to 16 digits). */
const Z: Record<number, number> = { 0.5: 0, 0.9: 1.2815515655446004, 0.99: 2.3263478740408408 };

function sortedSamples(d: Distribution, stream: string): Float64Array {
  const rng = new RngStreams(2026).stream(stream);
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = d.sample(rng);
  return xs.sort();
}

function empiricalQuantile(sorted: Float64Array, p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number;
}

/**
 * Checks the three quantiles: the definition's quantile function equals the closed form computed
 * here from the textbook definition (relative 1e-6: the normal quantile is a rational
 * approximation with relative error below 1.2e-9), and the drawn samples' quantiles sit in the
 * 5-sigma band around the quantile function.
 */
function checkQuantiles(d: Distribution, closedForm: (p: number) => number, stream: string): void {
  const xs = sortedSamples(d, stream);
  for (const p of PS) {
    const expected = closedForm(p);
    expect(Math.abs(d.quantile(p) - expected), `quantile(${p}) vs closed form ${expected}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
    const sd = Math.sqrt((p * (1 - p)) / N);
    const lo = d.quantile(p - 5 * sd);
    const hi = d.quantile(Math.min(p + 5 * sd, 1 - 1e-12));
    const got = empiricalQuantile(xs, p);
    expect(got, `empirical p${p * 100} of ${d.describe()}`).toBeGreaterThanOrEqual(lo);
    expect(got, `empirical p${p * 100} of ${d.describe()}`).toBeLessThanOrEqual(hi);
  }
}

/** For a continuous family, the cdf inverts the quantile function. */
function checkCdfInvertsQuantile(d: Distribution): void {
  for (const p of [0.01, 0.25, 0.5, 0.75, 0.9, 0.99]) expect(d.cdf(d.quantile(p))).toBeCloseTo(p, 6);
}

describe("distribution families: drawn quantiles match the definitions", () => {
  it("constant: every draw is the value; a bare duration is a constant in ms", () => {
    const d = distribution({ constant: "250ms" });
    expect(d.kind).toBe("constant");
    checkQuantiles(d, () => 250, "constant");
    expect(distribution("2s").sample(new RngStreams(1).stream("x"))).toBe(2_000);
    expect(distribution(40).quantile(0.3)).toBe(40);
  });

  it("uniform(min, max): Q(p) = min + p (max - min)", () => {
    const d = distribution({ uniform: { min: "100ms", max: "300ms" } });
    checkQuantiles(d, (p) => 100 + p * 200, "uniform");
    checkCdfInvertsQuantile(d);
  });

  it("exponential(mean): p50 = mean ln 2, Q(p) = -mean ln(1 - p), and the sample mean is the mean", () => {
    const d = distribution({ exponential: { mean: "2s" } });
    expect(d.quantile(0.5)).toBeCloseTo(2_000 * Math.LN2, 9);
    checkQuantiles(d, (p) => -2_000 * Math.log(1 - p), "exponential");
    checkCdfInvertsQuantile(d);
    const rng = new RngStreams(2026).stream("exponential-mean");
    let sum = 0;
    for (let i = 0; i < N; i++) sum += d.sample(rng);
    // The sd of an exponential is its mean; the sample mean's sd is 2000 / sqrt(N) = 4.5 ms; 5 sd.
    expect(Math.abs(sum / N - 2_000)).toBeLessThan(5 * (2_000 / Math.sqrt(N)));
  });

  it("normal(mean, sd): Q(p) = mean + sd z_p; clamped below at min", () => {
    const d = distribution({ normal: { mean: "1s", sd: "200ms" } });
    checkQuantiles(d, (p) => 1_000 + 200 * (Z[p] as number), "normal");
    checkCdfInvertsQuantile(d);
    const clamped = distribution({ normal: { mean: 100, sd: 100, min: 0 } });
    expect(clamped.quantile(0.01)).toBe(0);
    const rng = new RngStreams(2026).stream("normal-min");
    let below = 0;
    let atMin = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = clamped.sample(rng);
      if (x < 0) below++;
      if (x === 0) atMin++;
    }
    expect(below).toBe(0);
    // P(N(100, 100) < 0) = Phi(-1) = 0.1587; Binomial sd = sqrt(20000 * 0.1587 * 0.8413) = 52; 5 sd.
    expect(Math.abs(atMin - 20_000 * 0.1587)).toBeLessThan(5 * 52);
  });

  it("lognormal by p50 and p99: p50 and p99 are the ones given, p90 = p50 (p99/p50)^(z90/z99)", () => {
    const d = distribution({ lognormal: { p50: "200ms", p99: "2s" } });
    expect(d.quantile(0.5)).toBeCloseTo(200, 6);
    expect(d.quantile(0.99)).toBeCloseTo(2_000, 5);
    // ln X ~ N(mu, sigma) with mu = ln p50 and sigma = ln(p99 / p50) / z99.
    const closed = (p: number): number => 200 * Math.pow(2_000 / 200, (Z[p] as number) / (Z[0.99] as number));
    checkQuantiles(d, closed, "lognormal");
    checkCdfInvertsQuantile(d);
    expect(d.describe()).toBe("lognormal(p50=200, p99=2000)");
  });

  it("lognormal by mu and sigma: Q(p) = exp(mu + sigma z_p)", () => {
    const d = distribution({ lognormal: { mu: 5, sigma: 0.5 } });
    checkQuantiles(d, (p) => Math.exp(5 + 0.5 * (Z[p] as number)), "lognormal-mu");
  });

  it("pareto(scale, shape): Q(p) = scale / (1 - p)^(1/shape), and nothing below scale", () => {
    const d = distribution({ pareto: { scale: "100ms", shape: 1.5 } });
    checkQuantiles(d, (p) => 100 / Math.pow(1 - p, 1 / 1.5), "pareto");
    checkCdfInvertsQuantile(d);
    expect(d.cdf(99.999)).toBe(0);
    expect(sortedSamples(d, "pareto")[0]).toBeGreaterThanOrEqual(100);
  });

  it("bernoulli(p): 0 or 1, with Q(q) = 0 for q <= 1 - p, else 1, and rate p", () => {
    const d = distribution({ bernoulli: { p: 0.3 } }, "number");
    checkQuantiles(d, (q) => (q <= 0.7 ? 0 : 1), "bernoulli");
    const xs = sortedSamples(d, "bernoulli");
    let ones = 0;
    let other = 0;
    for (const x of xs) {
      if (x === 1) ones++;
      else if (x !== 0) other++;
    }
    expect(other).toBe(0);
    // Binomial sd = sqrt(N 0.3 0.7) = 205; 5 sd.
    expect(Math.abs(ones - 0.3 * N)).toBeLessThan(5 * 205);
    expect(d.cdf(0)).toBeCloseTo(0.7, 12);
  });

  it("empirical(samples): Q(p) is the ceil(p n)-th smallest sample; draws are the samples", () => {
    // 100 samples 10ms, 20ms, ..., 1000ms, listed out of order.
    const samples = Array.from({ length: 100 }, (_, i) => `${((i * 37) % 100) * 10 + 10}ms`);
    const d = distribution({ empirical: { samples } });
    checkQuantiles(d, (p) => Math.ceil(p * 100) * 10, "empirical");
    const allowed = new Set(Array.from({ length: 100 }, (_, i) => (i + 1) * 10));
    const xs = sortedSamples(d, "empirical");
    expect(xs.every((x) => allowed.has(x))).toBe(true);
    expect(d.cdf(500)).toBe(0.5);
  });

  it("mixture 95% fast / 5% tail: Q solves 0.95 F_fast(x) + 0.05 F_tail(x) = p", () => {
    const d = distribution({
      mixture: [
        { weight: 95, dist: { uniform: { min: "0ms", max: "100ms" } } },
        { weight: 5, dist: { uniform: { min: "1s", max: "2s" } } },
      ],
    });
    // The supports are disjoint: below 0.95 the quantile is in the fast part, x = 100 p / 0.95;
    // above it, in the tail, x = 1000 + 1000 (p - 0.95) / 0.05.
    const closed = (p: number): number => (p <= 0.95 ? (100 * p) / 0.95 : 1_000 + (1_000 * (p - 0.95)) / 0.05);
    checkQuantiles(d, closed, "mixture");
    const xs = sortedSamples(d, "mixture");
    let tail = 0;
    for (const x of xs) if (x >= 1_000) tail++;
    // The tail share is Binomial(N, 0.05): sd = 97; 5 sd.
    expect(Math.abs(tail - 0.05 * N)).toBeLessThan(5 * 97);
  });

  it("mixture of a lognormal body and a pareto tail: drawn quantiles match its (bisected) quantile function", () => {
    const d = distribution({
      mixture: [
        { weight: 0.95, dist: { lognormal: { p50: "200ms", p99: "800ms" } } },
        { weight: 0.05, dist: { pareto: { scale: "2s", shape: 2 } } },
      ],
    });
    checkCdfInvertsQuantile(d);
    // Against the defining equation rather than a closed form: the mixture cdf, computed here.
    const body = distribution({ lognormal: { p50: "200ms", p99: "800ms" } });
    const tail = distribution({ pareto: { scale: "2s", shape: 2 } });
    for (const p of PS) {
      const x = d.quantile(p);
      expect(0.95 * body.cdf(x) + 0.05 * tail.cdf(x)).toBeCloseTo(p, 6);
    }
    checkQuantiles(d, (p) => d.quantile(p), "mixture-tail");
    expect(d.describe()).toBe("mixture(95% lognormal(p50=200, p99=800), 5% pareto(scale=2000, shape=2))");
  });
});

describe("distribution specs that are wrong", () => {
  const cases: [string, unknown, (string | number)[], RegExp][] = [
    ["p99 below p50", { lognormal: { p50: "2s", p99: "200ms" } }, ["lognormal", "p99"], /p99 must be above p50/],
    ["max below min", { uniform: { min: "2s", max: "1s" } }, ["uniform", "max"], /max \(1000\) is below min \(2000\)/],
    ["a negative duration", { exponential: { mean: "-5s" } }, ["exponential", "mean"], /must not be negative/],
    ["a zero mean", { exponential: { mean: 0 } }, ["exponential", "mean"], /must be positive, got 0/],
    ["a malformed duration", { uniform: { min: "1 s", max: "2s" } }, ["uniform", "min"], /malformed duration "1 s"/],
    ["a missing field", { normal: { mean: "1s" } }, ["normal"], /normal needs "sd"/],
    ["p out of range", { bernoulli: { p: 1.5 } }, ["bernoulli", "p"], /bernoulli p must be in \[0, 1\], got 1\.5/],
    ["no samples", { empirical: { samples: [] } }, ["empirical", "samples"], /non-empty list of samples/],
    ["a bad sample", { empirical: { samples: ["1s", "soon"] } }, ["empirical", "samples", 1], /malformed duration "soon"/],
    ["a non-numeric mu", { lognormal: { mu: "abc", sigma: 1 } }, ["lognormal", "mu"], /mu must be a finite number/],
    ["an object where a quantity goes", { constant: { value: 3 } }, ["constant"], /expected a number of ms or a duration/],
    ["a non-positive weight", { mixture: [{ weight: -1, dist: 5 }] }, ["mixture", 0, "weight"], /weight must be a positive number/],
    [
      "a bad component, deep inside",
      {
        mixture: [
          { weight: 95, dist: "100ms" },
          { weight: 5, dist: { pareto: { scale: "1s", shape: 0 } } },
        ],
      },
      ["mixture", 1, "dist", "pareto", "shape"],
      /must be positive, got 0/,
    ],
    ["a null mixture entry", { mixture: [null] }, ["mixture", 0], /entries are \{ weight, dist \}/],
    ["an unknown family", { gamma: { k: 2 } }, [], /unknown distribution "gamma"; expected one of constant, uniform, exponential/],
    ["two families", { uniform: { min: 1, max: 2 }, constant: 3 }, [], /exactly one family key .* got uniform, constant/],
  ];

  it.each(cases)("%s raises DistributionError at the path", (_name, spec, path, message) => {
    let caught: unknown;
    try {
      distribution(spec as DistributionSpec);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DistributionError);
    expect((caught as DistributionError).path).toEqual(path);
    expect((caught as DistributionError).message).toMatch(message);
  });

  it("with unit 'number', duration strings are rejected", () => {
    expect(() => distribution({ uniform: { min: 1, max: "2s" } }, "number")).toThrow(/expected a number, got "2s"/);
  });
});

describe("toDistribution", () => {
  it("passes a compiled distribution through and compiles a spec in the unit asked (durations by default)", () => {
    const compiled = distribution({ constant: "2s" });
    expect(toDistribution(compiled)).toBe(compiled);
    expect(toDistribution({ constant: "2s" }).quantile(0.5)).toBe(2_000);
    expect(toDistribution({ constant: 7 }, "number").quantile(0.5)).toBe(7);
  });
});
