import { describe, expect, it } from "vitest";
import { retryBudget, type RetryBudget, type RetryCause } from "../../src/actors/retry-budget.js";

/** Retries `cause` while the budget allows; returns how many went ahead. */
function drain(budget: RetryBudget, cause: RetryCause, limit = 10_000): number {
  let n = 0;
  while (n < limit && budget.canRetry(cause)) {
    budget.onRetry(cause);
    n++;
  }
  return n;
}

describe("token bucket (AWS SDK v3 retry quota)", () => {
  it("starts at 500 tokens: 100 retries at 5 each, then none", () => {
    const b = retryBudget({ tokenBucket: {} });
    expect(drain(b, "error")).toBe(100);
    expect(b.canRetry("error")).toBe(false);
    expect(() => b.onRetry("error")).toThrow(/no tokens for a error retry \(0 left\); call canRetry first/);
  });

  it("charges 10 for a retry after a timeout", () => {
    expect(drain(retryBudget({ tokenBucket: {} }), "timeout")).toBe(50);
  });

  it("a success returns 1, or the retry's cost after a retry, never above the start", () => {
    const b = retryBudget({ tokenBucket: {} });
    b.onSuccess();
    expect(b.snapshot().tokens).toBe(500);
    b.onRetry("error");
    b.onRetry("timeout");
    expect(b.snapshot().tokens).toBe(485);
    b.onSuccess();
    expect(b.snapshot().tokens).toBe(486);
    b.onSuccess("timeout");
    expect(b.snapshot().tokens).toBe(496);
  });

  it("refills through successes: an exhausted bucket allows one retry per 5 clean successes", () => {
    const b = retryBudget({ tokenBucket: {} });
    drain(b, "error");
    for (let i = 0; i < 4; i++) b.onSuccess();
    expect(b.canRetry("error")).toBe(false);
    b.onSuccess();
    expect(b.canRetry("error")).toBe(true);
  });

  it("takes its numbers from the spec", () => {
    expect(drain(retryBudget({ tokenBucket: { initial: 12, retryCost: 3 } }), "error")).toBe(4);
    expect(() => retryBudget({ tokenBucket: { retryCost: -1 } })).toThrow(/tokenBucket.retryCost must be a number >= 0/);
  });
});

describe("ratio (Google SRE: retries under 10% of requests)", () => {
  it("allows a retry only while retries are under 10% of requests sent", () => {
    const b = retryBudget({ ratio: {} });
    b.onRequest();
    expect(b.canRetry("error")).toBe(true);
    b.onRetry("error");
    expect(b.canRetry("error")).toBe(false);
    for (let i = 0; i < 8; i++) b.onRequest();
    expect(b.canRetry("error")).toBe(false);
    b.onRequest();
    expect(b.canRetry("error")).toBe(true);
  });

  it("bounds the load growth to about 1.1x when every first try fails", () => {
    const b = retryBudget({ ratio: {} });
    for (let i = 0; i < 1_000; i++) {
      b.onRequest();
      drain(b, "error", 2);
    }
    const { requests, retries } = b.snapshot() as { requests: number; retries: number };
    // Checked before each retry, so the ratio overshoots 10% by at most that one retry.
    expect(retries / requests).toBeLessThan(0.1 + 1 / requests);
    expect(retries / requests).toBeGreaterThan(0.09);
    // retries = 10% of all requests sent means N / 0.9 requests for N first tries: 1.111x.
    expect(requests / 1_000).toBeGreaterThan(1.1);
    expect(requests / 1_000).toBeLessThan(1.115);
  });

  it("rejects a ratio outside [0, 1]", () => {
    expect(() => retryBudget({ ratio: { ratio: 1.5 } })).toThrow(/ratio must be in \[0, 1\], got 1.5/);
  });
});
