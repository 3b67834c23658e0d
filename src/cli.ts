/**
 * The `agentsim` command line. Each command lives in its own module under `cli/` (`run`, `list`,
 * `explain`, `validate`, `sweep`, `merge`, `check`, `replay`, `report`, `import`), loaded only when it is the
 * command being run, so that start-up is proportional to the command: a plain `run` loads
 * neither the sweep's workers nor fast-check. Imports go one way: this module imports `cli/*`;
 * they share `cli/shared.ts` and never import this module.
 *
 * `main(argv, io)` returns the exit code and never throws or prints a stack trace for bad input:
 * 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario
 * crashed, 4 two runs of one seed differed (nondeterminism). Problems go to stderr as
 * `file:line:col: message`. Colour only when stdout is a terminal and NO_COLOR is unset.
 */
import { Command, CommanderError } from "commander";
import { errorText } from "./report/error-text.js";
import { agentsimVersion } from "./run/version.js";
import { EXIT, type CliIo, type Register } from "./cli/shared.js";
import { guardStdout } from "./cli/stdout-guard.js";

export { EXIT, type CliIo } from "./cli/shared.js";

/** Each command's module, loaded on demand. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  run: async () => (await import("./cli/run.js")).registerRun,
  list: async () => (await import("./cli/list.js")).registerList,
  explain: async () => (await import("./cli/explain.js")).registerExplain,
  validate: async () => (await import("./cli/validate.js")).registerValidate,
  sweep: async () => (await import("./cli/sweep.js")).registerSweep,
  merge: async () => (await import("./cli/merge.js")).registerMerge,
  check: async () => (await import("./cli/check.js")).registerCheck,
  replay: async () => (await import("./cli/replay.js")).registerReplay,
  report: async () => (await import("./cli/report.js")).registerReport,
  import: async () => (await import("./cli/import.js")).registerImport,
};

/** The examples of `agentsim --help`; a test runs every one. */
export const MAIN_EXAMPLES = [
  "agentsim list",
  "agentsim explain double-refund",
  "agentsim run scenarios/stampede.yaml",
  "agentsim run scenarios/stampede.yaml --mitigate single-flight",
  "agentsim validate scenarios/*.yaml",
  "agentsim report scenarios/stampede.yaml --out stampede.html",
];

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
  const program = buildProgram(io);
  // Only the command being run is loaded; help, --version and a mistyped command load them all.
  const name = argv[0];
  const only = name !== undefined ? COMMANDS[name] : undefined;
  const exit = (c: number): void => {
    code = c;
  };
  for (const load of only ? [only] : Object.values(COMMANDS)) (await load())(program, io, exit);
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

function buildProgram(io: CliIo): Command {
  return new Command("agentsim")
    .description("Deterministic simulation of LLM-agent systems: replay production failures by seed, on a virtual clock.")
    .version(agentsimVersion(), "-V, --version")
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(add --help for usage and examples)")
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      "after",
      `
Examples:
${MAIN_EXAMPLES.map((e) => `  $ ${e}`).join("\n")}

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario crashed,
4 two runs of one seed differed (nondeterminism).`,
    );
}
