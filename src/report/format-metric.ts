/**
 * Metric values as people read them: latencies as durations (`850ms`, `7.9s`), money as dollars
 * (`$52.50`), counts with thousands separators, ratios as percentages.
 */
import type { Metric } from "../scenarios/scenario.js";
import { formatDuration } from "../sim/duration.js";

/** The heading a metric is listed under, by unit. */
export type MetricGroup = "latency" | "cost" | "counts" | "ratios" | "tokens" | "time" | "other";

const GROUP_BY_UNIT: Readonly<Record<NonNullable<Metric["unit"]>, MetricGroup>> = {
  ms: "latency",
  usd: "cost",
  count: "counts",
  ratio: "ratios",
  tokens: "tokens",
  h: "time",
};

/** The group a metric belongs to. */
export function metricGroup(m: Metric): MetricGroup {
  return m.unit ? GROUP_BY_UNIT[m.unit] : "other";
}

/** Metrics grouped by heading, in a fixed heading order, each group in the scenario's order. */
export function groupMetrics(metrics: readonly Metric[]): { group: MetricGroup; metrics: Metric[] }[] {
  const order: MetricGroup[] = ["latency", "cost", "counts", "ratios", "tokens", "time", "other"];
  return order.map((group) => ({ group, metrics: metrics.filter((m) => metricGroup(m) === group) })).filter((g) => g.metrics.length > 0);
}

/** A metric's value with its unit. */
export function formatMetricValue(m: Metric): string {
  if (typeof m.value === "string") return m.value;
  const v = m.value;
  if (!Number.isFinite(v)) return String(v);
  switch (m.unit) {
    case "ms":
      return formatDuration(v);
    case "usd":
      return formatUsd(v);
    case "count":
      return formatNumber(v);
    case "ratio":
      return `${formatNumber(round(v * 100, 2))}%`;
    case "tokens":
      return `${formatNumber(v)} tokens`;
    case "h":
      return `${formatNumber(round(v, 2))} h`;
    default:
      return formatNumber(round(v, 4));
  }
}

/** Dollars: `$52.50`, `$1,234.00`; amounts under a cent keep two significant digits (`$0.0042`). */
export function formatUsd(v: number): string {
  const sign = v < 0 ? "-" : "";
  const a = Math.abs(v);
  if (a > 0 && a < 0.01) return `${sign}$${a.toPrecision(2)}`;
  return `${sign}$${CENTS.format(a)}`;
}

// Made once: `toLocaleString` with options builds a formatter on every call (measured: 7 ms of a
// short run's start-up, for the metrics of one screen).
const CENTS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const UP_TO_4_DECIMALS = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** A number with thousands separators and at most four decimals. */
export function formatNumber(v: number): string {
  return UP_TO_4_DECIMALS.format(v);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
