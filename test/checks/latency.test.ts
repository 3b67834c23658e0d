import { describe, expect, it } from "vitest";
import { everyWithin, latencyQuantileWithin, quantile, summarize } from "../../src/checks/latency.js";

describe("latency checks", () => {
  it("quantiles use the nearest-rank definition", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile(xs, 1)).toBe(100);
    expect(summarize([3, 1, 2])).toMatchObject({ count: 3, p50: 2, max: 3, mean: 2 });
  });

  it("p99 within SLA holds or points at the request that pushed it over", () => {
    const fast = Array.from({ length: 100 }, (_, i) => ({ ms: 1000, endedAt: i, eventId: i }));
    expect(latencyQuantileWithin(fast, { q: 0.99, boundMs: 2000 }).held).toBe(true);
    const slow = fast.map((s, i) => (i % 25 === 0 ? { ...s, ms: 5000 } : s));
    const v = latencyQuantileWithin(slow, { q: 0.99, boundMs: 2000, invariant: "e2e-p99-within-sla" });
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toContain("4 of 100");
    expect(v.violations[0]?.at).toBe(25);
  });

  it("every request within its deadline", () => {
    const v = everyWithin(
      [
        { ms: 10, endedAt: 10, eventId: 1 },
        { ms: Infinity, endedAt: 99, eventId: 2 },
      ],
      { boundMs: 50 },
    );
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]?.message).toContain("never returned");
  });
});
