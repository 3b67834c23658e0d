/**
 * Searches for a failing run with fast-check and shrinks what it finds: random seeds, parameters
 * within their declared ranges and fault schedules over the scenario's fault kinds (with `swarm`,
 * a random subset of kinds per run). A run fails when an invariant is violated, a process crashes,
 * or the scenario throws while being built.
 *
 * The search keeps the first failing run it met beside the shrunk one, so a report can show how
 * much shrinking removed. The search itself is seeded (fast-check's seed, default 1): the same
 * options find the same counterexample.
 */
import fc from "fast-check";
import type { FaultSpec } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { setPath } from "./explore.js";
import { runScenario, type RunConfig, type RunResult } from "./run-scenario.js";
import { scenarioRunArbitrary, type RunArbitraryOptions, type ScenarioRun } from "./scenario-run-arbitrary.js";
import { oneLine } from "./sweep-summary.js";

/** The default seed of the search itself. */
export const DEFAULT_SEARCH_SEED = 1;

/** What to search. */
export interface CheckOptions extends Omit<RunArbitraryOptions, "horizonMs"> {
  /** The run everything is drawn over: scenario, written params (drawn ones go on top), mitigations, horizon... */
  base: Omit<RunConfig, "seed" | "faults">;
  /** Runs to try before giving up (fast-check's numRuns). */
  runs: number;
  /** fast-check's seed (default `DEFAULT_SEARCH_SEED`). */
  seed?: number;
}

/** How a drawn run ended. */
export interface Judged {
  verdict: "held" | "violated" | "crashed" | "error";
  /** Invariants that broke. */
  violated: string[];
  result?: RunResult;
  /** For `error`: what the scenario threw while being built. */
  error?: string;
}

/** A failing run as drawn, with how it failed. */
export interface Counterexample extends ScenarioRun {
  verdict: Judged["verdict"];
  violated: string[];
}

/** What a search found. */
export type CheckResult =
  | { found: false; runs: number; searchSeed: number }
  | {
      found: true;
      /** Runs until the first failure. */
      runs: number;
      /** Shrinking steps fast-check took. */
      shrinks: number;
      searchSeed: number;
      /** The first failing run met. */
      first: Counterexample;
      /** The shrunk one. */
      shrunk: Counterexample;
      /** The shrunk run's result (absent when it threw while being built). */
      result?: RunResult;
      error?: string;
    };

/** Searches for a failing run and shrinks it. */
export async function checkScenario(options: CheckOptions): Promise<CheckResult> {
  const base = options.base;
  const searchSeed = options.seed ?? DEFAULT_SEARCH_SEED;
  const arbitrary = scenarioRunArbitrary(base.scenario, { ...options, horizonMs: parseDuration(base.horizon ?? base.scenario.defaults.horizon) });
  let first: Counterexample | undefined;
  const property = fc.asyncProperty(arbitrary, async (run) => {
    const judged = await judgeRun(base, run);
    if (judged.verdict !== "held" && !first) first = { ...run, verdict: judged.verdict, violated: judged.violated };
    return judged.verdict === "held";
  });
  const details = await fc.check(property, { numRuns: options.runs, seed: searchSeed });
  const shrunkRun = details.counterexample?.[0];
  if (!details.failed || !shrunkRun || !first) return { found: false, runs: details.numRuns, searchSeed };
  const judged = await judgeRun(base, shrunkRun);
  return {
    found: true,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    searchSeed,
    first,
    shrunk: { ...shrunkRun, verdict: judged.verdict, violated: judged.violated },
    ...(judged.result ? { result: judged.result } : {}),
    ...(judged.error !== undefined ? { error: judged.error } : {}),
  };
}

/** Runs one drawn run over `base`; never throws. */
async function judgeRun(base: Omit<RunConfig, "seed" | "faults">, run: ScenarioRun): Promise<Judged> {
  try {
    const result = await runScenario(drawnRunConfig(base, run));
    return { verdict: result.verdict, violated: result.verdicts.filter((v) => !v.held).map((v) => v.invariant), result };
  } catch (e) {
    return { verdict: "error", violated: [], error: oneLine(e) };
  }
}

/** The run config of a drawn run: its seed and faults, its params written over the base's. */
export function drawnRunConfig(base: Omit<RunConfig, "seed" | "faults">, run: ScenarioRun): RunConfig {
  return { ...base, seed: run.seed, params: mergeParams(base.params ?? {}, run.params), faults: run.faults };
}

/** `over`'s leaf values written over a copy of `params`. */
export function mergeParams(params: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(params);
  const walk = (node: Record<string, unknown>, path: string[]): void => {
    for (const [k, v] of Object.entries(node)) {
      if (v !== null && typeof v === "object" && !Array.isArray(v)) walk(v as Record<string, unknown>, [...path, k]);
      else setPath(out, [...path, k], v);
    }
  };
  walk(over, []);
  return out;
}

/**
 * The size of a fault schedule, compared in order: how many faults, then their total duration,
 * then the sum of their start times. Shrinking never makes any of these grow.
 */
export function scheduleSize(faults: readonly FaultSpec[]): [count: number, totalMs: number, startsMs: number] {
  return [faults.length, faults.reduce((s, f) => s + f.for, 0), faults.reduce((s, f) => s + f.at, 0)];
}

/** Negative when schedule `a` is smaller than `b`, 0 when the same size, positive when larger. */
export function compareSchedules(a: readonly FaultSpec[], b: readonly FaultSpec[]): number {
  const x = scheduleSize(a);
  const y = scheduleSize(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}
