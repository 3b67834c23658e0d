/**
 * `agentsim validate <file...>`: checks scenario files (with overrides) without running them. A
 * file backed by a module of its own is checked without importing it (no code runs) unless
 * `--allow-module` says so; every file is checked, whatever the one before it gave.
 */
import type { Command } from "commander";
import { loadScenarioFile, type LoadOptions } from "../config/load-scenario-file.js";
import { escapeControl } from "../report/terminal-text.js";
import { formatDuration } from "../sim/duration.js";
import { collect, collectNames, EXIT, reportProblems, type CliIo } from "./shared.js";

/** Adds `validate` to the program; `exit` receives the exit code. */
export function registerValidate(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("validate")
    .description("check scenario files without running them")
    .argument("<file...>", "scenario files (YAML)")
    .option("--set <path=value>", "check with an override applied (repeatable)", collect)
    .option("--mitigate <names>", "check with mitigations switched on, comma-separated (repeatable)", collectNames)
    .option("--allow-module", "import the scenario modules the files name (runs their code) to check parameters and names against them")
    .addHelpText(
      "after",
      `\nExamples:\n  $ agentsim validate scenarios/*.yaml\n  $ agentsim validate scenarios/double-refund.yaml --set params.returns.count=2000\n\nExit codes: 0 every file is valid, 2 at least one is not (each problem is printed as file:line:col: message).`,
    )
    .action(async (files: string[], opts: { set?: string[]; mitigate?: string[]; allowModule?: boolean }) =>
      exit(await validateCommand(files, { overrides: opts.set ?? [], mitigate: opts.mitigate ?? [], importModules: opts.allowModule ?? false }, io)),
    );
}

async function validateCommand(files: readonly string[], options: LoadOptions, io: CliIo): Promise<number> {
  let code: number = EXIT.held;
  for (const file of files) {
    const loaded = await loadScenarioFile(file, options);
    if (!loaded.ok && loaded.unrunModule !== undefined && !loaded.problems.length) {
      const note = `module ${loaded.unrunModule} not imported, so its parameters and names were not checked; add --allow-module to run its code and check them`;
      io.stdout.write(escapeControl(`ok  ${file}  (${note})`, { oneLine: true }) + "\n");
      continue;
    }
    if (!loaded.ok) {
      code = reportProblems(loaded.problems, io);
      continue;
    }
    const c = loaded.config;
    const faults = c.faults.length === 1 ? "1 fault" : `${c.faults.length} faults`;
    const mitigations = c.mitigations.length ? c.mitigations.join(", ") : "none";
    const line = `ok  ${file}  (${c.scenario.name}, seed ${c.seed}, horizon ${formatDuration(c.horizonMs)}, ${faults}, mitigations: ${mitigations})`;
    io.stdout.write(escapeControl(line, { oneLine: true }) + "\n");
  }
  return code;
}
