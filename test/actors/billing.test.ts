import { describe, it, expect } from "vitest";
import { BillingMeter } from "../../src/actors/billing.js";

/** A hand-driven clock for the meter. */
function meterWithClock(): { meter: BillingMeter; clock: { now: number } } {
  const clock = { now: 0 };
  return { meter: new BillingMeter(clock), clock };
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** $1 every 10 s for an hour, then $50 spread evenly over 3 minutes (one $2.50 charge every 9 s). */
function steadyThenBurst(): { meter: BillingMeter; clock: { now: number } } {
  const m = meterWithClock();
  for (let t = 0; t < HOUR; t += 10_000) {
    m.clock.now = t;
    m.meter.record({ usd: 1, caller: "steady", kind: "input" });
  }
  for (let i = 0; i < 20; i++) {
    m.clock.now = HOUR + i * 9_000;
    m.meter.record({ usd: 2.5, caller: "burst", kind: "cache-write" });
  }
  return m;
}

describe("BillingMeter", () => {
  it("stamps charges with the current virtual time", () => {
    const { meter, clock } = meterWithClock();
    clock.now = 1234;
    const c = meter.record({ usd: 0.5, caller: "w1", kind: "input", eventId: 7 });
    expect(c).toEqual({ t: 1234, usd: 0.5, caller: "w1", kind: "input", eventId: 7 });
    expect(meter.charges).toHaveLength(1);
  });

  it("refuses a negative or non-finite charge", () => {
    const { meter } = meterWithClock();
    expect(() => meter.record({ usd: -1, caller: "w", kind: "input" })).toThrow(/non-negative/);
    expect(() => meter.record({ usd: NaN, caller: "w", kind: "input" })).toThrow(/non-negative/);
  });

  it("spendIn counts [from, to): a charge at `to` belongs to the next window", () => {
    const { meter, clock } = meterWithClock();
    for (const t of [0, 500, 1000]) {
      clock.now = t;
      meter.record({ usd: 1, caller: "w", kind: "input" });
    }
    expect(meter.spendIn(0, 1000)).toBe(2);
    expect(meter.spendIn(500, 1001)).toBe(2);
    expect(meter.total()).toBe(3);
  });

  it("filters by what was bought", () => {
    const { meter } = steadyThenBurst();
    expect(meter.total((c) => c.kind === "cache-write")).toBeCloseTo(50, 9);
    expect(meter.total((c) => c.kind === "input")).toBe(360);
  });

  it("series buckets spend over time, empty buckets included", () => {
    const { meter, clock } = meterWithClock();
    clock.now = 1_000;
    meter.record({ usd: 2, caller: "w", kind: "input" });
    clock.now = 25_000;
    meter.record({ usd: 3, caller: "w", kind: "input" });
    expect(meter.series(10_000)).toEqual([
      [0, 2],
      [10_000, 0],
      [20_000, 3],
    ]);
  });

  it("maxWindow finds the burst and its spend", () => {
    const { meter } = steadyThenBurst();
    const w = meter.maxWindow(3 * MIN);
    expect(w.from).toBe(HOUR);
    expect(w.to).toBe(HOUR + 3 * MIN);
    expect(w.usd).toBeCloseTo(50, 9); // the steady worker stopped at the hour
    expect(meter.maxWindow(3 * MIN, (c) => c.kind === "input").usd).toBe(18); // 180 s / 10 s
  });

  it("trailingRate is the hour's average before a time, which the burst dwarfs", () => {
    const { meter } = steadyThenBurst();
    const rate = meter.trailingRate(HOUR); // $360 over the hour
    expect(rate * HOUR).toBeCloseTo(360, 9);
    const burst = meter.maxWindow(3 * MIN);
    // The spend-spike comparison: $50 in 3 min against $18 expected at the trailing rate.
    expect(burst.usd / (rate * 3 * MIN)).toBeCloseTo(50 / 18, 9);
  });

  it("trailingRate averages over the time that has passed when less than the window has", () => {
    const { meter, clock } = meterWithClock();
    clock.now = 0;
    meter.record({ usd: 6, caller: "w", kind: "input" });
    expect(meter.trailingRate(0)).toBe(0);
    expect(meter.trailingRate(MIN) * MIN).toBe(6);
  });
});
