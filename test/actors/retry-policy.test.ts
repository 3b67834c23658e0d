import { describe, expect, it } from "vitest";
import { retryPolicy, type Jitter, type RetrySchedule } from "../../src/actors/retry-policy.js";
import { RngStreams } from "../../src/sim/rng.js";

const stream = (seed: number) => new RngStreams(seed).stream("agent:retry");

/** The delays a schedule gives for `n` failures in a row (no retry-after). */
function delays(schedule: RetrySchedule, n: number): (number | undefined)[] {
  return Array.from({ length: n }, () => schedule.next());
}

/** Delays of retry number i (0-based) over many independent schedules. */
function samples(jitter: Jitter, seeds: number, retries: number, base = 100, cap = 1_000): number[][] {
  const policy = retryPolicy({ exponential: { base, cap, jitter, maxAttempts: retries + 1 } });
  const byRetry: number[][] = Array.from({ length: retries }, () => []);
  for (let seed = 1; seed <= seeds; seed++) {
    delays(policy.start(stream(seed)), retries).forEach((d, i) => byRetry[i]?.push(d as number));
  }
  return byRetry;
}

describe("exponential backoff (AWS 2015 formulas)", () => {
  it("without jitter doubles from base up to the cap", () => {
    const s = retryPolicy({ exponential: { base: "100ms", cap: "1s", jitter: "none", maxAttempts: 7 } }).start(stream(1));
    expect(delays(s, 7)).toEqual([100, 200, 400, 800, 1_000, 1_000, undefined]);
  });

  it("full jitter draws from [0, min(cap, base * 2^n)] and uses the whole range", () => {
    const byRetry = samples("full", 400, 6);
    byRetry.forEach((ds, n) => {
      const ceiling = Math.min(1_000, 100 * 2 ** n);
      expect(Math.min(...ds)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...ds)).toBeLessThanOrEqual(ceiling);
      expect(Math.min(...ds)).toBeLessThan(0.05 * ceiling);
      expect(Math.max(...ds)).toBeGreaterThan(0.95 * ceiling);
    });
  });

  it("equal jitter keeps half the backoff and draws the other half", () => {
    const byRetry = samples("equal", 400, 6);
    byRetry.forEach((ds, n) => {
      const ceiling = Math.min(1_000, 100 * 2 ** n);
      expect(Math.min(...ds)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...ds)).toBeLessThanOrEqual(ceiling);
      expect(Math.min(...ds)).toBeLessThan(0.55 * ceiling);
      expect(Math.max(...ds)).toBeGreaterThan(0.95 * ceiling);
    });
  });

  it("decorrelated jitter draws from [base, 3 * previous], capped", () => {
    const policy = retryPolicy({ exponential: { base: 100, cap: 1_000, jitter: "decorrelated", maxAttempts: 9 } });
    let sawCap = false;
    for (let seed = 1; seed <= 300; seed++) {
      let previous = 100;
      for (const d of delays(policy.start(stream(seed)), 8) as number[]) {
        expect(d).toBeGreaterThanOrEqual(100);
        expect(d).toBeLessThanOrEqual(Math.min(1_000, 3 * previous));
        sawCap ||= d === 1_000;
        previous = d;
      }
    }
    expect(sawCap).toBe(true);
  });

  it("defaults to 3 attempts, base 100 ms, cap 20 s, full jitter", () => {
    const policy = retryPolicy({ exponential: {} });
    expect(policy.maxAttempts).toBe(3);
    expect(policy.describe()).toBe("exponential(base=100ms, cap=20s, full jitter, 3 attempts)");
    const [first, second, third] = delays(policy.start(stream(7)), 3);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    expect(third).toBeUndefined();
  });
});

describe("fixed and none", () => {
  it("fixed waits the same delay until attempts run out", () => {
    const s = retryPolicy({ fixed: { delay: "1.5s", maxAttempts: 3 } }).start(stream(1));
    expect(delays(s, 4)).toEqual([1_500, 1_500, undefined, undefined]);
  });

  it("none never retries", () => {
    const policy = retryPolicy("none");
    expect(policy.maxAttempts).toBe(1);
    expect(policy.start(stream(1)).next(1_000)).toBeUndefined();
  });
});

describe("retry-after", () => {
  it("waits at least what a 429 asked for, and never less than the backoff", () => {
    const s = retryPolicy({ fixed: { delay: "1s", maxAttempts: 4 } }).start(stream(1));
    expect(s.next(5_000)).toBe(5_000);
    expect(s.next(200)).toBe(1_000);
  });

  it("is ignored when honorRetryAfter is false", () => {
    const s = retryPolicy({ fixed: { delay: "1s", honorRetryAfter: false } }).start(stream(1));
    expect(s.next(5_000)).toBe(1_000);
  });

  it("does not shift later draws: a retry-after consumes the same draw as a plain failure", () => {
    const policy = retryPolicy({ exponential: { base: 100, cap: 10_000, jitter: "full", maxAttempts: 5 } });
    const plain = policy.start(stream(3));
    const told = policy.start(stream(3));
    plain.next();
    expect(told.next(60_000)).toBe(60_000);
    expect(delays(told, 3)).toEqual(delays(plain, 3));
  });
});

describe("determinism", () => {
  it("the same seed gives the same delays; another seed gives others", () => {
    const policy = retryPolicy({ exponential: { base: 100, cap: 20_000, jitter: "decorrelated", maxAttempts: 6 } });
    expect(delays(policy.start(stream(42)), 5)).toEqual(delays(policy.start(stream(42)), 5));
    expect(delays(policy.start(stream(42)), 5)).not.toEqual(delays(policy.start(stream(43)), 5));
  });
});

describe("malformed specs", () => {
  it("says what is wrong", () => {
    expect(() => retryPolicy({ fixed: { delay: "1s", maxAttempts: 0 } })).toThrow(/maxAttempts .* >= 1; got 0/);
    expect(() => retryPolicy({ exponential: { base: "30s", cap: "20s" } })).toThrow(/base \(30s\) must not exceed cap \(20s\)/);
    expect(() => retryPolicy({ exponential: { jitter: "some" as Jitter } })).toThrow(/jitter must be one of none, full, equal, decorrelated/);
    expect(() => retryPolicy({ backoff: {} } as never)).toThrow(/expected "none", \{ fixed/);
    expect(() => retryPolicy("fixed" as never)).toThrow(/expected "none", \{ fixed: \{...\} \} or \{ exponential: \{...\} \}, got "fixed"/);
  });
});
