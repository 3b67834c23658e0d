/** Axes of the HTML report: round steps of virtual time, labels as precise as their step, round value ticks. */
import { describe, expect, it } from "vitest";
import { linearTicks, logTicks, roundRange } from "../../src/report/html/chart-svg.js";
import { TICK_STEPS_MS, tickLabel, tickStep, timeTicks, xOf } from "../../src/report/html/time-axis.js";

describe("the virtual-time axis", () => {
  it("picks the smallest round step that keeps the ticks within the maximum", () => {
    for (const [t0, t1] of [
      [0, 4_015],
      [0, 7_200_000],
      [4_197_329, 4_209_839],
      [0, 0.5],
      [0, 300_000_000],
    ] as const) {
      const step = tickStep(t0, t1, 10);
      expect((t1 - t0) / step).toBeLessThanOrEqual(10);
      const smaller = TICK_STEPS_MS[TICK_STEPS_MS.indexOf(step) - 1];
      if (smaller !== undefined) expect((t1 - t0) / smaller).toBeGreaterThan(10);
    }
  });

  it("puts ticks on multiples of the step inside the range", () => {
    const ticks = timeTicks(4_197_329, 4_209_839, 10);
    expect(ticks.map((t) => t.t)).toEqual([4_198_000, 4_200_000, 4_202_000, 4_204_000, 4_206_000, 4_208_000]);
    expect(ticks.map((t) => t.label)).toEqual(["1h 9m 58s", "1h 10m", "1h 10m 2s", "1h 10m 4s", "1h 10m 6s", "1h 10m 8s"]);
  });

  it("labels a tick down to the precision of its step", () => {
    expect(tickLabel(0, 1_000)).toBe("0");
    expect(tickLabel(250, 50)).toBe("250ms");
    expect(tickLabel(1_500, 500)).toBe("1.5s");
    expect(tickLabel(1_230, 10)).toBe("1.23s");
    expect(tickLabel(4_202_500, 500)).toBe("1h 10m 2.5s");
    expect(tickLabel(4_210_000, 2_000)).toBe("1h 10m 10s");
    expect(tickLabel(93_600_000, 3_600_000)).toBe("1d 2h");
    expect(tickLabel(86_400_000, 86_400_000)).toBe("1d");
  });

  it("maps virtual time linearly onto the plot", () => {
    const scale = { t0: 1_000, t1: 3_000, x0: 200, width: 800 };
    expect([xOf(scale, 1_000), xOf(scale, 2_000), xOf(scale, 3_000)]).toEqual([200, 600, 1_000]);
  });
});

describe("chart ticks", () => {
  it("steps values by 1, 2 or 5 times a power of ten within the range", () => {
    expect(linearTicks(0, 9.2, 5)).toEqual([0, 2, 4, 6, 8]);
    expect(linearTicks(0, 0.06, 5)).toEqual([0, 0.02, 0.04, 0.06]);
    expect(linearTicks(100, 640, 6)).toEqual([100, 200, 300, 400, 500, 600]);
  });

  it("widens a value axis to the round ticks around its data", () => {
    expect(roundRange(0, 9.2)).toEqual([0, 10]);
    expect(roundRange(0.013, 0.053)).toEqual([0.01, 0.06]);
    expect(roundRange(-3, 640)).toEqual([-200, 800]);
    expect(linearTicks(...roundRange(0, 0.053), 5)).toEqual([0, 0.02, 0.04, 0.06]);
  });

  it("puts log ticks at 1, 2 and 5 times powers of ten, or powers of ten alone when crowded", () => {
    expect(logTicks(30, 2_000)).toEqual([50, 100, 200, 500, 1_000, 2_000]);
    expect(logTicks(1, 1e6, 8)).toEqual([1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]);
  });
});
