/** The sweep's statistics: Wilson score intervals and nearest-rank percentiles. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { spreadOf, wilson } from "../../src/run/sweep-stats.js";

describe("wilson", () => {
  it("matches the closed form at k = 0: [0, z²/(n + z²)]", () => {
    const z = 1.959963984540054;
    const r = wilson(0, 1000);
    expect(r.rate).toBe(0);
    expect(r.ci95[0]).toBe(0);
    expect(r.ci95[1]).toBeCloseTo((z * z) / (1000 + z * z), 12);
  });

  it("is symmetric about 1/2 when k = n/2, and mirrors k -> n - k", () => {
    const half = wilson(50, 100);
    expect(half.ci95[0] + half.ci95[1]).toBeCloseTo(1, 12);
    const lo = wilson(3, 40);
    const hi = wilson(37, 40);
    expect(lo.ci95[0]).toBeCloseTo(1 - hi.ci95[1], 12);
    expect(lo.ci95[1]).toBeCloseTo(1 - hi.ci95[0], 12);
  });

  it("agrees with the textbook value for 5 of 10 (0.2366, 0.7634)", () => {
    const r = wilson(5, 10);
    expect(r.ci95[0]).toBeCloseTo(0.2366, 4);
    expect(r.ci95[1]).toBeCloseTo(0.7634, 4);
  });

  it("always holds the observed rate, stays in [0, 1] and narrows as n grows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const k = Math.round(share * n);
        const r = wilson(k, n);
        expect(r.ci95[0]).toBeGreaterThanOrEqual(0);
        expect(r.ci95[1]).toBeLessThanOrEqual(1);
        expect(r.ci95[0]).toBeLessThanOrEqual(r.rate + 1e-12);
        expect(r.ci95[1]).toBeGreaterThanOrEqual(r.rate - 1e-12);
        const wider = wilson(k, n);
        const narrower = wilson(k * 4, n * 4);
        expect(narrower.ci95[1] - narrower.ci95[0]).toBeLessThan(wider.ci95[1] - wider.ci95[0]);
      }),
    );
  });

  it("knows nothing with no trials", () => {
    expect(wilson(0, 0)).toEqual({ k: 0, n: 0, rate: 0, ci95: [0, 1] });
  });
});

describe("spreadOf", () => {
  it("takes nearest-rank percentiles of 1..100 as 50, 90, 99", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(spreadOf(values)).toEqual({ count: 100, min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
  });

  it("returns values that occur, in order min <= p50 <= p90 <= p99 <= max", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 300 }), (values) => {
        const s = spreadOf(values);
        for (const v of [s.min, s.p50, s.p90, s.p99, s.max]) expect(values).toContain(v);
        expect(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max).toBe(true);
        expect(s.count).toBe(values.length);
      }),
    );
  });
});
