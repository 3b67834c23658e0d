/**
 * The `agentsim` command line: `run`, `list` and `validate` here; the others (`sweep`, `merge`,
 * `check`, `replay`, ...) in `cli/`, one module a command.
 *
 * `main(argv, io)` returns the exit code and never throws or prints a stack trace for bad input:
 * 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario
 * crashed, 4 two runs of one seed differed (nondeterminism). Problems go to stderr as
 * `file:line:col: message`. Colour only when stdout is a terminal and NO_COLOR is unset.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { loadScenarioFile, type LoadOptions } from "./config/load-scenario-file.js";
import { formatProblem, type ConfigProblem } from "./config/problem.js";
import { fsErrorReason } from "./config/load-scenario-file.js";
import { writeFileAtomic } from "./run/atomic-write.js";
import { describeProcessCrash, describeThrow } from "./run/crash-site.js";
import { escapeControl } from "./report/terminal-text.js";
import { toRunConfig, type ScenarioConfig } from "./config/scenario-config.js";
import { errorText } from "./report/error-text.js";
import { renderChrome } from "./report/render-chrome.js";
import { renderJson } from "./report/render-json.js";
import { renderJsonl } from "./report/render-jsonl.js";
import { renderOtlp } from "./report/render-otlp.js";
import { renderText } from "./report/render-text.js";
import type { RunContext } from "./report/run-context.js";
import { RunConfigError, runScenario, type RunResult } from "./run/run-scenario.js";
import { catalog } from "./scenarios/catalog.js";
import { checkDeterminism, describeDivergence, type DeterminismCheck } from "./run/determinism.js";
import { registerCheck } from "./cli/check.js";
import { registerImport } from "./cli/import.js";
import { registerMerge } from "./cli/merge.js";
import { registerReplay } from "./cli/replay.js";
import { registerReport } from "./cli/report.js";
import { registerSweep } from "./cli/sweep.js";
import { guardStdout, writingToProcess } from "./cli/stdout-guard.js";
import { BudgetExceeded, DEFAULT_RUN_BUDGET_MS, startRunBudget } from "./cli/budget.js";
import { formatDuration, parseDuration } from "./sim/duration.js";

/** Exit codes. */
export const EXIT = { held: 0, violated: 1, usage: 2, crashed: 3, nondeterministic: 4 } as const;

/** Where the command line reads and writes (the process's streams by default). */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Environment variables (NO_COLOR, AGENTSIM_DEBUG). */
  env?: Readonly<Record<string, string | undefined>>;
}

const FORMATS = ["text", "json", "jsonl", "chrome", "otlp"] as const;
type Format = (typeof FORMATS)[number];

interface RunOptions {
  seed?: number;
  set?: string[];
  mitigate?: string[];
  format: Format;
  trace?: string;
  quiet?: boolean;
  checkDeterminism?: boolean;
  budget: number;
}

/** Runs the command line and returns its exit code. */
export async function main(argv: readonly string[], processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const guard = guardStdout(processIo);
  try {
    return await dispatch(argv, guard.io);
  } finally {
    guard.restore();
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.held;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.held;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.held : EXIT.usage;
    io.stderr.write(`agentsim: internal error: ${errorText(e)}\n`);
    if (io.env?.AGENTSIM_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
    return EXIT.crashed;
  }
}

function buildProgram(io: CliIo, exit: (code: number) => void): Command {
  const program = new Command("agentsim")
    .description("Deterministic simulation of LLM-agent systems: replay production failures by seed, on a virtual clock.")
    .version(packageVersion(), "-V, --version")
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(add --help for usage and examples)")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim list
  $ agentsim run scenarios/stampede.yaml
  $ agentsim run scenarios/stampede.yaml --mitigate single-flight
  $ agentsim validate scenarios/*.yaml
  $ agentsim report scenarios/stampede.yaml --out stampede.html

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario crashed,
4 two runs of one seed differed (nondeterminism).`,
    );

  program
    .command("run")
    .description("run a scenario file and judge its invariants")
    .argument("<file>", "scenario file (YAML)")
    .addOption(seedOption())
    .addOption(setOption())
    .addOption(mitigateOption())
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("text"))
    .option("--trace <file>", "also write the trace to a file: Chrome trace JSON if it ends in .json, else canonical JSON lines")
    .option("--quiet", "text format: print only the verdict, the violations, the trace hash and the replay command")
    .option("--check-determinism", "run the seed twice and compare trace hashes; exit 4 naming the first diverging event if they differ")
    .addOption(budgetOption("the wall-clock budget of the run (0: none); over it, the run is stopped and named with its phase, exit 3", DEFAULT_RUN_BUDGET_MS))
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim run scenarios/stampede.yaml
  $ agentsim run scenarios/stampede.yaml --mitigate single-flight,jittered-refresh
  $ agentsim run scenarios/double-refund.yaml --seed 7 --set params.workers=2000 --set horizon=1h
  $ agentsim run scenarios/latency-tail.yaml --set params.tool.latency.lognormal.p50=9s --set faults.0.at=10s
  $ agentsim run scenarios/stampede.yaml --format chrome > stampede.json   # open in ui.perfetto.dev
  $ agentsim run scenarios/stampede.yaml --format json | jq .violations
  $ agentsim run scenarios/stampede.yaml --trace run.jsonl --quiet

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario crashed,
4 two runs differed (--check-determinism).`,
    )
    .action(async (file: string, opts: RunOptions) => exit(await runCommand(file, opts, io)));

  program
    .command("list")
    .description("list the built-in scenarios with their invariants and mitigations")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText("after", `\nExamples:\n  $ agentsim list\n  $ agentsim list --format json`)
    .action((opts: { format: "text" | "json" }) => exit(listCommand(opts.format, io)));

  program
    .command("validate")
    .description("check scenario files without running them")
    .argument("<file...>", "scenario files (YAML)")
    .option("--set <path=value>", "check with an override applied (repeatable)", collect)
    .option("--mitigate <names>", "check with mitigations switched on, comma-separated (repeatable)", collectNames)
    .option("--allow-module", "import the scenario modules the files name (runs their code) to check parameters and names against them")
    .addHelpText(
      "after",
      `\nExamples:\n  $ agentsim validate scenarios/*.yaml\n  $ agentsim validate my-run.yaml --set params.workers=2000\n\nExit codes: 0 every file is valid, 2 at least one is not (each problem is printed as file:line:col: message).`,
    )
    .action(async (files: string[], opts: { set?: string[]; mitigate?: string[]; allowModule?: boolean }) =>
      exit(await validateCommand(files, { overrides: opts.set ?? [], mitigate: opts.mitigate ?? [], importModules: opts.allowModule ?? false }, io)),
    );

  registerSweep(program, io, exit);
  registerMerge(program, io, exit);
  registerCheck(program, io, exit);
  registerReplay(program, io, exit);
  registerReport(program, io, exit);
  registerImport(program, io, exit);
  return program;
}

async function runCommand(file: string, opts: RunOptions, io: CliIo): Promise<number> {
  const loaded = await loadScenarioFile(file, {
    overrides: opts.set ?? [],
    mitigate: opts.mitigate ?? [],
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const config = loaded.config;
  let result: RunResult;
  let twice: DeterminismCheck | undefined;
  const budget = startRunBudget(opts.budget, `${file}: `, { watchdog: writingToProcess() });
  const run = { ...toRunConfig(config), onPhase: budget.onPhase };
  try {
    if (opts.checkDeterminism) {
      twice = await budget.guard(checkDeterminism(run));
      result = twice.result;
    } else result = await budget.guard(runScenario(run));
  } catch (e) {
    if (e instanceof BudgetExceeded) return budgetExceeded(file, e, io);
    if (e instanceof RunConfigError)
      return reportProblems(
        e.problems.map((p) => ({ file, message: `${p.path.join(".")}: ${p.message}` })),
        io,
      );
    io.stderr.write(`${file}: ${escapeControl(describeThrow(e), { oneLine: true })}\n`);
    return EXIT.crashed;
  }
  const ctx = runContext(config);
  io.stdout.write(render(result, ctx, opts, io));
  if (opts.trace) {
    try {
      writeFileAtomic(opts.trace, opts.trace.endsWith(".json") ? renderChrome(result) : renderJsonl(result));
    } catch (e) {
      io.stderr.write(`${opts.trace}: cannot write the trace: ${fsErrorReason(e) ?? errorText(e)}\n`);
      return EXIT.usage;
    }
  }
  if (twice && !twice.deterministic) {
    io.stderr.write(
      `${file}: nondeterministic: two runs of seed ${result.seed} gave trace hashes ${result.traceHash} and ${twice.second.traceHash}; ${describeDivergence(twice.divergence)}\n`,
    );
    return EXIT.nondeterministic;
  }
  if (result.verdict === "crashed") {
    const crash = result.outcome.crash;
    io.stderr.write(`${file}: the scenario crashed${crash ? `: ${escapeControl(describeProcessCrash(crash), { oneLine: true })}` : ""}\n`);
    return EXIT.crashed;
  }
  return result.verdict === "violated" ? EXIT.violated : EXIT.held;
}

function render(result: RunResult, ctx: RunContext, opts: RunOptions, io: CliIo): string {
  switch (opts.format) {
    case "json":
      return renderJson(result, ctx);
    case "jsonl":
      return renderJsonl(result);
    case "chrome":
      return renderChrome(result);
    case "otlp":
      return renderOtlp(result);
    case "text":
      return renderText(
        result,
        { ...ctx, ...(ctx.description !== undefined ? { description: escapeControl(ctx.description) } : {}) },
        { color: useColor(io), quiet: opts.quiet ?? false },
      );
  }
}

/** How the user asked for a run of a loaded file, for reports. */
export function runContext(config: ScenarioConfig): RunContext {
  return {
    file: config.file,
    title: config.scenario.title,
    ...(config.description !== undefined ? { description: config.description } : {}),
    horizonMs: config.horizonMs,
    overrides: config.overrides,
    mitigate: config.mitigate,
  };
}

function listCommand(format: "text" | "json", io: CliIo): number {
  if (format === "json") {
    const entries = catalog.map((s) => ({
      name: s.name,
      title: s.title,
      summary: s.summary,
      invariants: s.invariants,
      mitigations: s.mitigations,
      faults: s.faults ?? [],
      defaults: s.defaults,
    }));
    io.stdout.write(JSON.stringify(entries, null, 2) + "\n");
    return EXIT.held;
  }
  if (!catalog.length) {
    io.stdout.write("No scenarios in the catalog yet. A file can name a module of its own: scenario: ./my-scenario.js\n");
    return EXIT.held;
  }
  const width = Math.max(...catalog.map((s) => s.name.length));
  const lines = catalog.flatMap((s) => [
    `${s.name.padEnd(width)}  ${s.summary}`,
    `${"".padEnd(width)}  invariants:  ${s.invariants.map((i) => i.name).join(", ")}`,
    `${"".padEnd(width)}  mitigations: ${s.mitigations.map((m) => m.name).join(", ")}`,
  ]);
  io.stdout.write(lines.join("\n") + "\n");
  return EXIT.held;
}

async function validateCommand(files: readonly string[], options: LoadOptions, io: CliIo): Promise<number> {
  let code: number = EXIT.held;
  for (const file of files) {
    const loaded = await loadScenarioFile(file, options);
    if (!loaded.ok && loaded.unrunModule !== undefined && !loaded.problems.length) {
      io.stdout.write(
        escapeControl(
          `ok  ${file}  (module ${loaded.unrunModule} not imported, so its parameters and names were not checked; add --allow-module to run its code and check them)`,
          { oneLine: true },
        ) + "\n",
      );
      continue;
    }
    if (!loaded.ok) {
      code = reportProblems(loaded.problems, io);
      continue;
    }
    const c = loaded.config;
    const faults = c.faults.length === 1 ? "1 fault" : `${c.faults.length} faults`;
    const mitigations = c.mitigations.length ? c.mitigations.join(", ") : "none";
    io.stdout.write(
      escapeControl(`ok  ${file}  (${c.scenario.name}, seed ${c.seed}, horizon ${formatDuration(c.horizonMs)}, ${faults}, mitigations: ${mitigations})`, {
        oneLine: true,
      }) + "\n",
    );
  }
  return code;
}

/** Shared with the command modules in cli/: a run over its time budget, exit 3. */
export function budgetExceeded(file: string, e: BudgetExceeded, io: CliIo): number {
  io.stderr.write(`${escapeControl(file, { oneLine: true })}: ${e.message}\n`);
  return EXIT.crashed;
}

/** Shared with the command modules in cli/. */
export function reportProblems(problems: readonly ConfigProblem[], io: CliIo): number {
  for (const p of problems) io.stderr.write(escapeControl(formatProblem(p), { oneLine: true }) + "\n");
  return EXIT.usage;
}

/** Shared with the command modules in cli/. */
export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && !io.env?.NO_COLOR;
}

/**
 * `--budget <duration>`: a wall-clock time budget (`30s`, `10m`; `0` for none). Shared by run,
 * report, check, replay (per run) and sweep (per seed).
 */
export function budgetOption(what: string, defaultMs: number): Option {
  return new Option("--budget <duration>", what).argParser(parseBudget).default(defaultMs, formatDuration(defaultMs));
}

function parseBudget(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError(`${(e as Error).message}.`);
  }
  if (!Number.isFinite(ms)) throw new InvalidArgumentError("Expected a finite duration such as 30s or 10m.");
  return ms === 0 ? Infinity : ms;
}

/** Shared with the command modules in cli/. */
/** `--seed N`: the seed of one run, replacing the file's. Shared by `run` and `report`. */
export function seedOption(): Option {
  return new Option("--seed <n>", "the seed (replaces the file's)").argParser(parseSeed);
}

/** `--set path=value`, repeatable: an override of a value of the scenario file. */
export function setOption(): Option {
  return new Option("--set <path=value>", "override a value of the file, e.g. params.workers=2000 (repeatable)").argParser(collect);
}

/** `--mitigate a,b`, repeatable: mitigations to switch on. */
export function mitigateOption(): Option {
  return new Option("--mitigate <names>", "switch on mitigations, comma-separated (repeatable)").argParser(collectNames);
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("Expected a whole number of 0 or more.");
  return n;
}

/** Shared with the command modules in cli/. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Shared with the command modules in cli/. */
export function collectNames(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
