/**
 * What a sweep keeps of one seed's run: a small, JSON-safe summary (worker threads stream it back,
 * sweep json files hold one per seed, `merge` unions them). The trace itself stays in the worker.
 */
import type { Metric } from "../scenarios/scenario.js";
import { describeProcessCrash, describeThrow } from "./crash-site.js";
import { checkDeterminism, type Divergence } from "./determinism.js";
import { RunConfigError, runScenario, type RunConfig, type RunResult } from "./run-scenario.js";

/**
 * held, violated, crashed: as for one run (`crashed`: a process of the scenario threw).
 * error: the seed produced no run: the scenario threw while being built, or the worker thread
 * running it died (process.exit, out of memory).
 */
export type SeedVerdict = "held" | "violated" | "crashed" | "error";

/** One seed of a sweep. */
export interface SeedSummary {
  seed: number;
  verdict: SeedVerdict;
  /** The invariants that broke, in the scenario's order (empty unless violated). */
  violated: string[];
  /** Numeric metrics by name (text metrics are left out). */
  metrics: Record<string, number>;
  /** Absent for `error`. */
  traceHash?: string;
  /** For `crashed` and `error`: what went wrong, one line. */
  error?: string;
  /** With the determinism check: where a second run of the seed parted from the first. */
  divergence?: Divergence;
}

/** The numbers of a run's metrics, by name. */
export function numericMetrics(metrics: readonly Metric[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) if (typeof m.value === "number") out[m.name] = m.value;
  return out;
}

/** The units of a run's numeric metrics, by name. */
export function metricUnits(metrics: readonly Metric[]): Record<string, NonNullable<Metric["unit"]>> {
  const out: Record<string, NonNullable<Metric["unit"]>> = {};
  for (const m of metrics) if (typeof m.value === "number" && m.unit) out[m.name] = m.unit;
  return out;
}

/** Summarizes a finished run. */
export function summarizeRun(r: RunResult): SeedSummary {
  const violated = r.verdicts.filter((v) => !v.held).map((v) => v.invariant);
  const crash = r.outcome.crash;
  return {
    seed: r.seed,
    verdict: r.verdict,
    violated,
    metrics: numericMetrics(r.metrics),
    traceHash: r.traceHash,
    ...(crash ? { error: describeProcessCrash(crash) } : {}),
  };
}

/** The summary of a seed that produced no run. */
export function errorSummary(seed: number, error: string): SeedSummary {
  return { seed, verdict: "error", violated: [], metrics: {}, error };
}

/** Runs one seed of `base` (twice with `checkDeterminism`) and summarizes it; never throws. */
export async function runSeed(
  base: RunConfig,
  seed: number,
  options: { checkDeterminism?: boolean } = {},
): Promise<{ summary: SeedSummary; result?: RunResult }> {
  const config = { ...base, seed };
  try {
    if (!options.checkDeterminism) {
      const result = await runScenario(config);
      return { summary: summarizeRun(result), result };
    }
    const checked = await checkDeterminism(config);
    const summary = summarizeRun(checked.result);
    return { summary: checked.deterministic ? summary : { ...summary, divergence: checked.divergence }, result: checked.result };
  } catch (e) {
    return { summary: errorSummary(seed, e instanceof RunConfigError ? `the configuration is invalid: ${oneLine(e)}` : describeThrow(e)) };
  }
}

/** An error as one line: `Error: message`. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split("\n")[0] ?? text;
}
