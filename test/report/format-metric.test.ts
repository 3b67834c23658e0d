/** Metric values with their units. */
import { describe, expect, it } from "vitest";
import { formatMetricValue, formatUsd, groupMetrics } from "../../src/report/format-metric.js";

describe("formatMetricValue", () => {
  it("formats each unit the way people read it", () => {
    expect(formatMetricValue({ name: "p99", value: 7900, unit: "ms" })).toBe("7.9s");
    expect(formatMetricValue({ name: "p50", value: 850, unit: "ms" })).toBe("850ms");
    expect(formatMetricValue({ name: "spend", value: 52.5, unit: "usd" })).toBe("$52.50");
    expect(formatMetricValue({ name: "spend", value: 1234.5, unit: "usd" })).toBe("$1,234.50");
    expect(formatMetricValue({ name: "writes", value: 1000, unit: "count" })).toBe("1,000");
    expect(formatMetricValue({ name: "hit rate", value: 0.125, unit: "ratio" })).toBe("12.5%");
    expect(formatMetricValue({ name: "prefix", value: 14000, unit: "tokens" })).toBe("14,000 tokens");
    expect(formatMetricValue({ name: "age", value: 19, unit: "h" })).toBe("19 h");
    expect(formatMetricValue({ name: "model", value: "sonnet" })).toBe("sonnet");
  });

  it("keeps amounts under a cent visible", () => {
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(-3)).toBe("-$3.00");
  });
});

describe("groupMetrics", () => {
  it("groups by unit in a fixed order, keeping the scenario's order inside a group", () => {
    const groups = groupMetrics([
      { name: "writes", value: 1, unit: "count" },
      { name: "p50", value: 1, unit: "ms" },
      { name: "reads", value: 2, unit: "count" },
      { name: "spend", value: 1, unit: "usd" },
    ]);
    expect(groups.map((g) => [g.group, g.metrics.map((m) => m.name)])).toEqual([
      ["latency", ["p50"]],
      ["cost", ["spend"]],
      ["counts", ["writes", "reads"]],
    ]);
  });
});
