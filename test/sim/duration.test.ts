import { describe, it, expect } from "vitest";
import { DurationError, formatDuration, formatTimestamp, parseDuration } from "../../src/sim/duration.js";

describe("parseDuration", () => {
  it("reads every unit the issue names", () => {
    expect(parseDuration("200ms")).toBe(200);
    expect(parseDuration("7.9s")).toBe(7_900);
    expect(parseDuration("5m")).toBe(5 * 60_000);
    expect(parseDuration("19h")).toBe(19 * 3_600_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("1w")).toBe(7 * 86_400_000);
    expect(parseDuration("250us")).toBeCloseTo(0.25, 12);
  });

  it("sums compound durations, with or without spaces between parts", () => {
    expect(parseDuration("1h30m")).toBe(90 * 60_000);
    expect(parseDuration("1h 30m")).toBe(90 * 60_000);
    expect(parseDuration("1m 5.5s")).toBe(65_500);
    expect(parseDuration("  2s  ")).toBe(2_000);
  });

  it("takes numbers as milliseconds and accepts a bare zero", () => {
    expect(parseDuration(1234.5)).toBe(1234.5);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration(".5s")).toBe(500);
  });

  it("rejects negative durations, saying so", () => {
    expect(() => parseDuration("-5s")).toThrow(DurationError);
    expect(() => parseDuration("-5s")).toThrow(/must not be negative, got "-5s"/);
    expect(() => parseDuration(-1)).toThrow(/non-negative number of milliseconds, got -1/);
  });

  it("rejects non-finite numbers", () => {
    expect(() => parseDuration(Number.NaN)).toThrow(DurationError);
    expect(() => parseDuration(Infinity)).toThrow(/got Infinity/);
  });

  it.each(["5", "200 ms", "5 minutes", "1e3ms", "s", "1.2.3s", "5sec", "1h-30m", "ms5"])("rejects malformed %j and names the units it accepts", (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(`malformed duration "${text}": expected a number with a unit (us, ms, s, m, h, d, w)`);
  });

  it("rejects an empty string with an example of what to write", () => {
    expect(() => parseDuration("")).toThrow(/empty duration: expected e\.g\. "200ms"/);
    expect(() => parseDuration("   ")).toThrow(DurationError);
  });

  it("rejects values that are neither strings nor numbers (as YAML can produce) with a DurationError", () => {
    expect(() => parseDuration(null as unknown as string)).toThrow(/must be a string such as "200ms" or a number of milliseconds, got null/);
    expect(() => parseDuration({} as unknown as string)).toThrow(/got object/);
  });
});

describe("formatDuration", () => {
  it("writes each magnitude in the unit a person reads", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(2.5)).toBe("2.5ms");
    expect(formatDuration(7_900)).toBe("7.9s");
    expect(formatDuration(5 * 60_000)).toBe("5m");
    expect(formatDuration(65_500)).toBe("1m 5.5s");
    expect(formatDuration(19 * 3_600_000 + 3 * 60_000)).toBe("19h 3m");
    expect(formatDuration(26 * 3_600_000)).toBe("1d 2h");
    expect(formatDuration(-7_900)).toBe("-7.9s");
  });

  it("carries rounding into the next unit instead of writing 1000ms or 59m 60s", () => {
    expect(formatDuration(999.6)).toBe("1s");
    expect(formatDuration(59_999)).toBe("1m");
    expect(formatDuration(3_599_990)).toBe("1h");
    expect(formatDuration(86_399_999)).toBe("1d");
  });

  it("round-trips through parseDuration within the precision it prints", () => {
    // Printed precision: 0.005 ms below 10 ms, 0.5 ms below 1 s, 5 ms below 1 min, 50 ms below
    // 1 h, 30 s below 1 d, 30 min beyond. So the relative error is under 0.6% everywhere.
    let x = 0.37;
    while (x < 30 * 86_400_000) {
      const back = parseDuration(formatDuration(x));
      const bound = x < 10 ? 0.005 : x < 1_000 ? 0.5 : x < 60_000 ? 5 : x < 3_600_000 ? 50 : x < 86_400_000 ? 30_000 : 1_800_000;
      expect(Math.abs(back - x), `${x} -> ${formatDuration(x)}`).toBeLessThanOrEqual(bound + 1e-9);
      x *= 1.37;
    }
  });
});

describe("formatTimestamp", () => {
  it("writes a fixed-width clock reading from the run's start", () => {
    expect(formatTimestamp(0)).toBe("+00:00:00.000");
    expect(formatTimestamp(67_900)).toBe("+00:01:07.900");
    expect(formatTimestamp(86_400_000 + 3_723_004)).toBe("+1d 01:02:03.004");
  });
});
