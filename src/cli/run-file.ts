/**
 * What `run` and `report` share: load a scenario file with the run options (`--seed`, `--set`,
 * `--mitigate`) and run it within its wall-clock budget (`--budget`). Problems are printed here,
 * each as the user's file and what went wrong; the caller gets the loaded file and the result, or
 * the exit code to return (2 bad input, 3 over budget or thrown while built, judged or measured).
 */
import { loadScenarioFile } from "../config/load-scenario-file.js";
import type { RunConfig } from "../config/run-config.js";
import { toRunConfig, type ScenarioConfig } from "../config/scenario-config.js";
import { escapeControl } from "../report/terminal-text.js";
import { describeThrow } from "../run/crash-site.js";
import { RunConfigError } from "../run/run-scenario.js";
import { BudgetExceeded, startRunBudget } from "./budget.js";
import { budgetExceeded, EXIT, reportProblems, type CliIo } from "./shared.js";
import { writingToProcess } from "./stdout-guard.js";

/** The options of a command that runs one seed of a file. */
export interface RunFileOptions {
  seed?: number;
  set?: string[];
  mitigate?: string[];
  /** The wall-clock budget in ms (Infinity: none). */
  budget: number;
}

/** A file loaded and run, or the exit code of why not (already printed). */
export type RanFile<R> = { ok: true; config: ScenarioConfig; result: R } | { ok: false; exit: number };

/** Loads `file` and runs it with `run` (given the run's config, phases reported to the budget's watchdog). */
export async function runFile<R>(file: string, opts: RunFileOptions, io: CliIo, run: (config: RunConfig) => Promise<R>): Promise<RanFile<R>> {
  // Started first: its watchdog thread starts while the file loads.
  const budget = startRunBudget(opts.budget, `${file}: `, { watchdog: writingToProcess() });
  const loaded = await loadScenarioFile(file, {
    overrides: opts.set ?? [],
    mitigate: opts.mitigate ?? [],
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  if (!loaded.ok) {
    budget.release();
    return { ok: false, exit: reportProblems(loaded.problems, io) };
  }
  const config = loaded.config;
  try {
    return { ok: true, config, result: await budget.guard(run({ ...toRunConfig(config), onPhase: budget.onPhase })) };
  } catch (e) {
    if (e instanceof BudgetExceeded) return { ok: false, exit: budgetExceeded(file, e, io) };
    if (e instanceof RunConfigError) {
      const problems = e.problems.map((p) => ({ file, message: `${p.path.join(".")}: ${p.message}` }));
      return { ok: false, exit: reportProblems(problems, io) };
    }
    io.stderr.write(`${file}: ${escapeControl(describeThrow(e), { oneLine: true })}\n`);
    return { ok: false, exit: EXIT.crashed };
  }
}
