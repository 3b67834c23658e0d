/**
 * `agentsim check <file>`: searches random seeds, parameters (within their declared ranges) and
 * fault schedules (over the scenario's fault kinds) for a failing run, shrinks the first one it
 * finds and writes a repro file that `agentsim replay` reruns.
 *
 * Exit codes: 0 no failing run found; 1 an invariant was violated; 2 bad input; 3 the shrunk run
 * crashed or threw while being built.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { Chalk } from "chalk";
import { fsErrorReason, loadScenarioFile } from "../config/load-scenario-file.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { parseOverride } from "../config/overrides.js";
import { toRunConfig } from "../config/scenario-config.js";
import { BudgetExceeded, DEFAULT_RUN_BUDGET_MS, startRunBudget } from "./budget.js";
import { writingToProcess } from "./stdout-guard.js";
import { budgetExceeded, budgetOption, EXIT, collect, collectNames, parseSeed, reportProblems, useColor, type CliIo } from "./shared.js";
import { dirname, relative, resolve } from "node:path";
import { runFingerprint } from "../run/fingerprint.js";
import { checkScenario, drawnRunConfig, DEFAULT_SEARCH_SEED, type CheckResult, type Counterexample } from "../run/check.js";
import { describeFault, describeRepro, replayReproCommand, reproOf, type Repro } from "../run/repro.js";

interface CheckCliOptions {
  runs: number;
  swarm?: boolean;
  out?: string;
  seed?: number;
  set?: string[];
  mitigate?: string[];
  maxFaults: number;
  format: "text" | "json";
  budget: number;
}

/** Adds `check` to the program; `exit` receives the exit code. */
export function registerCheck(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("check")
    .description("search seeds, parameters and fault schedules for a failing run; shrink it and write a repro")
    .argument("<file>", "scenario file (YAML)")
    .option("--runs <n>", "runs to try", countOption, 100)
    .option("--swarm", "switch a random subset of the scenario's fault kinds on per run (swarm testing)")
    .option("--out <file>", "where to write the repro (default <scenario>.repro.json)")
    .option("--seed <n>", `the search's own seed (default ${DEFAULT_SEARCH_SEED}); vary it to search elsewhere`, parseSeed)
    .option("--set <path=value>", "override a value of the file; a parameter set here is held fixed, not drawn (repeatable)", collect)
    .option("--mitigate <names>", "switch on mitigations, comma-separated (repeatable)", collectNames)
    .option("--max-faults <n>", "the most faults in one drawn schedule (0: search seeds and parameters only)", maxFaultsOption, 4)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addOption(budgetOption("the wall-clock budget of each run of the search (0: none); over it, the search stops, exit 3", DEFAULT_RUN_BUDGET_MS))
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim check scenarios/double-refund.yaml
  $ agentsim check scenarios/partial-failure.yaml --runs 500 --swarm --out partial.repro.json
  $ agentsim check scenarios/double-refund.yaml --mitigate idempotency-keys --runs 1000 --seed 7
  $ agentsim replay double-refund.repro.json

Each run draws a seed, every parameter that declares a range (those set with --set stay fixed) and
a fault schedule over the scenario's fault kinds (it replaces the file's faults). The first
failing run is shrunk (fewer faults, earlier and shorter windows, smaller parameters, smaller
seeds) before the repro is written.

Exit codes: 0 no failing run found, 1 an invariant was violated, 2 bad input or usage,
3 the failing run crashed or threw while being built.`,
    )
    .action(async (file: string, opts: CheckCliOptions) => exit(await checkCommand(file, opts, io)));
}

async function checkCommand(file: string, opts: CheckCliOptions, io: CliIo): Promise<number> {
  const overrides = opts.set ?? [];
  const loaded = await loadScenarioFile(file, { overrides, mitigate: opts.mitigate ?? [] });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const config = loaded.config;
  const { seed: _seed, faults: _faults, ...base } = toRunConfig(config);
  const budget = startRunBudget(opts.budget, `${file}: `, { watchdog: writingToProcess() });
  let found: CheckResult;
  try {
    found = await budget.guard(
      checkScenario({
        base: { ...base, onPhase: budget.onPhase },
        runs: opts.runs,
        swarm: opts.swarm ?? false,
        maxFaults: opts.maxFaults,
        fixedParams: fixedParamPaths(overrides),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      }),
    );
  } catch (e) {
    if (e instanceof BudgetExceeded) return budgetExceeded(file, e, io);
    throw e;
  }
  if (!found.found) {
    io.stdout.write(opts.format === "json" ? JSON.stringify(found, null, 2) + "\n" : notFoundText(found, config.scenario.name));
    return EXIT.held;
  }
  const out = opts.out ?? `${config.scenario.name}.repro.json`;
  const fingerprint = runFingerprint(drawnRunConfig(base, found.shrunk), config.modulePath);
  // The repro names its scenario file relative to itself, so that it replays from anywhere.
  const scenarioFile = relative(dirname(resolve(out)), resolve(file)) || file;
  const repro = reproOf(found, {
    scenario: config.scenario.name,
    scenarioFile,
    fingerprint,
    overrides,
    mitigations: config.mitigations,
    swarm: opts.swarm ?? false,
  });
  const reproText = JSON.stringify(repro, null, 2) + "\n";
  try {
    writeFileAtomic(out, reproText);
  } catch (e) {
    // The search's find is not lost: the counterexample goes to stdout and the repro to stderr.
    io.stdout.write(
      opts.format === "json"
        ? JSON.stringify({ found: true, runs: found.runs, shrinks: found.shrinks, searchSeed: found.searchSeed, repro }, null, 2) + "\n"
        : foundText(found, repro, undefined, useColor(io), false),
    );
    io.stderr.write(`${out}: cannot write the repro: ${fsErrorReason(e) ?? (e as Error).message}; here it is, to save by hand:\n${reproText}`);
    return EXIT.usage;
  }
  const summary = { found: true, runs: found.runs, shrinks: found.shrinks, searchSeed: found.searchSeed, reproFile: out, repro };
  io.stdout.write(
    opts.format === "json" ? JSON.stringify(summary, null, 2) + "\n" : foundText(found, repro, out, useColor(io), config.modulePath !== undefined),
  );
  return repro.verdict === "violated" ? EXIT.violated : EXIT.crashed;
}

/** Parameter paths set with `--set params.…` (held fixed by the search). */
function fixedParamPaths(overrides: readonly string[]): string[][] {
  return overrides.flatMap((expr) => {
    const r = parseOverride(expr);
    return r.ok && r.override.keys[0] === "params" && r.override.keys.length > 1 ? [r.override.keys.slice(1)] : [];
  });
}

function notFoundText(r: Extract<CheckResult, { found: false }>, scenario: string): string {
  return `${scenario}: no failing run in ${r.runs} runs (search seed ${r.searchSeed}). Search further with --runs, --swarm or another --seed.\n`;
}

/** `moduleBacked`: the scenario is the user's module, so replaying the repro needs `--allow-module` (their own file: they consent by running it). */
function foundText(found: Extract<CheckResult, { found: true }>, repro: Repro, out: string | undefined, color: boolean, moduleBacked: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const what = repro.violated.length
    ? `${repro.violated.join(", ")} violated`
    : repro.verdict === "crashed"
      ? "a process crashed"
      : "the scenario threw while being built";
  return (
    [
      `${c.bold(c.red("FOUND"))} ${repro.scenario}: ${what}, on run ${found.runs} (search seed ${found.searchSeed}); shrunk in ${found.shrinks} steps`,
      `  first failure  ${counterexampleLine(found.first)}`,
      `  shrunk to      ${counterexampleLine(found.shrunk)}`,
      "",
      c.bold("Repro"),
      ...describeRepro(repro).map((l) => `  ${l}`),
      ...(out === undefined
        ? []
        : ["", `${c.bold("Repro file")}  ${out}`, `${c.bold("Replay")}      ${replayReproCommand(out, { allowModule: moduleBacked })}`]),
    ].join("\n") + "\n"
  );
}

function counterexampleLine(x: Counterexample): string {
  const faults = x.faults.length === 1 ? "1 fault" : `${x.faults.length} faults`;
  const list = x.faults.length ? ` (${x.faults.map(describeFault).join("; ")})` : "";
  return `seed ${x.seed}, ${faults}${list}, params ${JSON.stringify(x.params)}`;
}

function maxFaultsOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 64) throw new InvalidArgumentError("Expected a whole number of faults from 0 to 64.");
  return n;
}

function countOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new InvalidArgumentError("Expected a whole number of 1 or more.");
  return n;
}
