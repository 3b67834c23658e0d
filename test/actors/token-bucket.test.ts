import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { TokenBucket } from "../../src/actors/token-bucket.js";

describe("TokenBucket", () => {
  it("starts full and refuses the take after the burst, saying how long to wait", () => {
    const b = new TokenBucket({ capacity: 3, refillPerMs: 1 / 1000 });
    expect(b.tryTake(1, 0)).toEqual({ ok: true });
    expect(b.tryTake(2, 0)).toEqual({ ok: true });
    // Empty: one token takes 1 / (1/1000) = 1000 ms to come back.
    expect(b.tryTake(1, 0)).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it("refills continuously, not in steps", () => {
    const b = TokenBucket.perMinute(60); // 1 token per second
    expect(b.tryTake(60, 0).ok).toBe(true);
    expect(b.available(500)).toBeCloseTo(0.5, 9);
    expect(b.tryTake(1, 999).ok).toBe(false);
    expect(b.tryTake(1, 1000).ok).toBe(true);
  });

  it("a per-minute limit of 2 makes a third request wait 30 s (60 s / 2), less whatever has refilled", () => {
    const b = TokenBucket.perMinute(2);
    b.tryTake(1, 0);
    b.tryTake(1, 0);
    expect(b.tryTake(1, 0)).toEqual({ ok: false, retryAfterMs: 30_000 });
    expect(b.tryTake(1, 10_000)).toEqual({ ok: false, retryAfterMs: 20_000 });
    expect(b.tryTake(1, 30_000)).toEqual({ ok: true });
  });

  it("a refused take takes nothing", () => {
    const b = new TokenBucket({ capacity: 5, refillPerMs: 0.001, initial: 3 });
    expect(b.tryTake(4, 0).ok).toBe(false);
    expect(b.available(0)).toBe(3);
    expect(b.tryTake(3, 0).ok).toBe(true);
  });

  it("never holds more than its capacity however long it idles", () => {
    const b = new TokenBucket({ capacity: 10, refillPerMs: 1, initial: 0 });
    expect(b.available(1_000_000)).toBe(10);
  });

  it("answers Infinity for a take larger than the capacity: waiting would never help", () => {
    const b = TokenBucket.perMinute(100);
    expect(b.tryTake(101, 0)).toEqual({ ok: false, retryAfterMs: Infinity });
  });

  it("rejects time going backwards", () => {
    const b = TokenBucket.perMinute(10);
    b.available(500);
    expect(() => b.available(100)).toThrow(/backwards/);
  });

  it("waiting exactly retryAfterMs is enough, and one ms less is not (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (perMinute, burstUse, gap, fraction) => {
          const make = (): TokenBucket => {
            const b = TokenBucket.perMinute(perMinute);
            b.tryTake(Math.min(perMinute, burstUse), 0);
            return b;
          };
          const n = Math.max(1, Math.floor(fraction * perMinute));
          const wait = make().retryAfter(n, gap);
          if (wait === 0) return;
          expect(make().tryTake(n, gap + wait).ok).toBe(true);
          if (wait > 1) expect(make().tryTake(n, gap + wait - 1).ok).toBe(false);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});
