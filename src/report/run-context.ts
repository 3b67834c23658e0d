/**
 * What a report needs beyond the run's result: how the user asked for the run (file, command-line
 * changes), so that it can say what ran and print the command that replays it exactly.
 */
import type { RunResult } from "../run/run-scenario.js";

/** How a run was asked for. */
export interface RunContext {
  /** The scenario file as the user named it. */
  file: string;
  /** The scenario's title, for the header. */
  title?: string;
  /** The file's description. */
  description?: string;
  /** The horizon in virtual ms. */
  horizonMs?: number;
  /** `--set` expressions, in order. */
  overrides: readonly string[];
  /** Mitigations named with `--mitigate` (beyond the file's). */
  mitigate: readonly string[];
  /** How to replay the run, when it is not `agentsim run` (a world run: its seed and faults). */
  replay?: string;
  /**
   * The scenario's mitigations, for the "next" footer: each with the invariants it addresses
   * (all of the scenario's when `addresses` is absent).
   */
  mitigations?: readonly { name: string; description: string; addresses?: readonly string[] }[];
}

/**
 * The command that replays this run: `npx agentsim run <file> --seed N [--mitigate a,b] [--set ...]`.
 * `--seed` carries the seed, so `--set seed=` expressions are left out.
 */
export function replayCommand(result: Pick<RunResult, "seed">, ctx: RunContext): string {
  if (ctx.replay !== undefined) return ctx.replay;
  const args = ["npx", "agentsim", "run", ctx.file, "--seed", String(result.seed)];
  if (ctx.mitigate.length) args.push("--mitigate", ctx.mitigate.join(","));
  for (const o of ctx.overrides) if (!/^\s*seed\s*=/.test(o)) args.push("--set", o);
  return args.map(shellQuote).join(" ");
}

/**
 * The command that writes this run's HTML report: the replay command with `report` for `run` and
 * `--out <scenario>.html`.
 */
export function reportCommand(result: Pick<RunResult, "seed" | "scenario">, ctx: RunContext): string {
  return `${replayCommand(result, ctx).replace(/^npx agentsim run /, "npx agentsim report ")} --out ${shellQuote(`${result.scenario}.html`)}`;
}

/** Quotes an argument for POSIX shells when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[\w./:=,@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
