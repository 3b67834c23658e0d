/**
 * What the HTML report of a sweep needs: a plain, JSON-safe summary of many seeds of one scenario
 * (the sweep's own report maps onto it field by field). Rates are fractions in [0, 1].
 */
import type { Metric } from "../../scenarios/scenario.js";

/** One invariant across the seeds: how many runs violated it, of how many judged, with a 95% interval. */
export interface SweepInvariantRate {
  invariant: string;
  /** What it promises, for the table (the scenario's description). */
  description?: string;
  /** Runs that violated it. */
  violations: number;
  /** Runs judged. */
  runs: number;
  /** The interval of the violation rate (e.g. Wilson 95%), as fractions. */
  ciLow: number;
  ciHigh: number;
}

/** A metric's distribution across seeds (nearest-rank percentiles). */
export interface SweepMetricDistribution {
  name: string;
  unit?: Metric["unit"];
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Every seed's value, when at hand: drawn as a histogram. */
  values?: readonly number[];
}

/** A sweep, for `renderSweepHtml`. */
export interface SweepHtmlSummary {
  scenario: string;
  /** The scenario's title, for the heading. */
  title?: string;
  /** The scenario file as the user named it (for the replay commands). */
  file: string;
  /** `--set` expressions, in order (for the replay commands). */
  overrides?: readonly string[];
  /** Mitigations switched on. */
  mitigations: readonly string[];
  /** The seed list as written (`1..10000`) and how many seeds ran. */
  seeds: { spec: string; count: number; shard?: string };
  totals: { held: number; violated: number; crashed: number; error: number };
  invariants: readonly SweepInvariantRate[];
  /** Seeds that violated an invariant, in list order. */
  failingSeeds: readonly number[];
  /** Seeds that crashed or produced no run, with what went wrong. */
  errors?: readonly { seed: number; verdict: "crashed" | "error"; message: string }[];
  metrics: readonly SweepMetricDistribution[];
}
