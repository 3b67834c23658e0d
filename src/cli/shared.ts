/**
 * What the command modules share: exit codes, the streams they write to, the options `run`,
 * `report` and `sweep` have in common, and how problems and colour are decided. `src/cli.ts`
 * imports the command modules; they import this module and never `src/cli.ts` (one direction).
 * Kept light: a plain `run` loads it before anything else.
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import { formatProblem, type ConfigProblem } from "../config/problem.js";
import type { ScenarioConfig } from "../config/scenario-config.js";
import type { RunContext } from "../report/run-context.js";
import { escapeControl } from "../report/terminal-text.js";
import { formatDuration, parseDuration } from "../sim/duration.js";
import type { BudgetExceeded } from "./budget.js";

/** Exit codes. */
export const EXIT = { held: 0, violated: 1, usage: 2, crashed: 3, nondeterministic: 4 } as const;

/** Where the command line reads and writes (the process's streams by default). */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Environment variables (NO_COLOR, COLUMNS, AGENTSIM_DEBUG). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What a command module receives: the program to add its command to, the streams, and where to send its exit code. */
export type Register = (program: Command, io: CliIo, exit: (code: number) => void) => void;

/** Prints each problem as `file:line:col: message` on stderr; returns the usage exit code. */
export function reportProblems(problems: readonly ConfigProblem[], io: CliIo): number {
  for (const p of problems) io.stderr.write(escapeControl(formatProblem(p), { oneLine: true }) + "\n");
  return EXIT.usage;
}

/** A run over its time budget: says so on stderr, naming the file; returns exit 3. */
export function budgetExceeded(file: string, e: BudgetExceeded, io: CliIo): number {
  io.stderr.write(`${escapeControl(file, { oneLine: true })}: ${e.message}\n`);
  return EXIT.crashed;
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

/** Colour only when stdout is a terminal and NO_COLOR is unset. */
export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && !io.env?.NO_COLOR;
}

/**
 * The width text output must fit: `COLUMNS` when set (so `COLUMNS=80 agentsim run ... | less`
 * works), else the terminal's width, else undefined (the renderer's default).
 */
export function terminalWidth(io: CliIo): number | undefined {
  const env = Number(io.env?.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  const cols = io.stdout.isTTY ? io.stdout.columns : undefined;
  return typeof cols === "number" && cols > 0 ? cols : undefined;
}

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

/** A seed: a whole number of 0 or more. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("Expected a whole number of 0 or more.");
  return n;
}

/** A repeatable option's values, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A repeatable, comma-separated option's names, in order. */
export function collectNames(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
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
    mitigations: config.scenario.mitigations,
  };
}
