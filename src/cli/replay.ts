/**
 * `agentsim replay <repro.json>`: reruns a repro written by `agentsim check` (or by
 * `expectNoViolation`) and confirms the same violation and the same trace hash.
 *
 * Exit codes: 1 the violation reproduced (3 when the repro is a crash, and it crashed again);
 * 4 the trace hash differs (nondeterminism, or a changed scenario or code: the message says
 * which); 0 or 1 by the new verdict when the trace is the same but judged differently (the
 * checkers changed); 2 bad input.
 */
import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { Chalk } from "chalk";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { EXIT, reportProblems, useColor, type CliIo } from "./shared.js";
import { describeDivergence } from "../run/determinism.js";
import { describeRepro, parseRepro, type Repro } from "../run/repro.js";
import { replayRepro, type ReplayOutcome } from "../run/replay.js";

/** Adds `replay` to the program; `exit` receives the exit code. */
export function registerReplay(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("replay")
    .description("rerun a repro file and confirm the same violation and trace hash")
    .argument("<repro>", "repro file (JSON) written by agentsim check")
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim check scenarios/double-refund.yaml --out refund.repro.json
  $ agentsim replay refund.repro.json

Exit codes: 1 the violation reproduced with the same trace hash (3 for a crash that reproduced),
4 the trace hash differs (nondeterminism, or the code or scenario changed since), 0 the same trace
now holds (the checkers changed), 2 bad input or usage.`,
    )
    .action(async (file: string) => exit(await replayCommand(file, io)));
}

async function replayCommand(file: string, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    io.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const parsed = parseRepro(text);
  if (!parsed.ok) {
    io.stderr.write(`${file}: ${parsed.message}\n`);
    return EXIT.usage;
  }
  const repro = parsed.repro;
  const loaded = await loadScenarioFile(repro.scenarioFile, { overrides: repro.overrides });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  if (loaded.config.scenario.name !== repro.scenario) {
    io.stderr.write(`${file}: the repro is of scenario ${repro.scenario}, but ${repro.scenarioFile} now runs ${loaded.config.scenario.name}\n`);
    return EXIT.usage;
  }
  const outcome = await replayRepro(repro, loaded.config);
  const c = new Chalk({ level: useColor(io) ? 1 : 0 });
  io.stdout.write([`${c.bold(`agentsim replay · ${repro.scenario}`)}  ${c.dim(`${file} · ${repro.scenarioFile}`)}`, ...describeRepro(repro).map((l) => `  ${l}`), "", verdictText(outcome, repro, c)].join("\n") + "\n");
  return exitCode(outcome);
}

function verdictText(o: ReplayOutcome, repro: Repro, c: InstanceType<typeof Chalk>): string {
  switch (o.status) {
    case "reproduced": {
      const what = repro.violation ? `${repro.violation.invariant} violated again: ${repro.violation.message}` : `${repro.verdict} again${o.error ? `: ${o.error}` : ""}`;
      return `${c.bold(c.red("REPRODUCED"))} ${what}\n  same trace hash ${o.result?.traceHash ?? "(none: the scenario threw while being built)"}`;
    }
    case "trace-differs": {
      const head = `${c.bold(c.yellow("NONDETERMINISM"))} the trace hash differs: expected ${o.expected}, got ${o.result.traceHash}`;
      if (o.nondeterministic) return `${head}\n  two reruns differ from each other too: the scenario is nondeterministic; ${o.divergence ? describeDivergence(o.divergence) : ""}`;
      return `${head}\n  two reruns agree with each other: the run is stable, but the scenario, its file or agentsim changed since the repro was written; now ${o.result.verdict}`;
    }
    case "verdict-differs": {
      const now = o.result ? `${o.result.verdict}${o.result.violations[0] ? `: ${o.result.violations[0].invariant}: ${o.result.violations[0].message}` : ""}` : `error: ${o.error ?? ""}`;
      return `${c.bold("NOT REPRODUCED")} the same run is now judged differently (the checkers changed?): ${now}`;
    }
  }
}

function exitCode(o: ReplayOutcome): number {
  if (o.status === "trace-differs") return EXIT.nondeterministic;
  const verdict = o.result?.verdict ?? "error";
  if (verdict === "held") return EXIT.held;
  return verdict === "violated" ? EXIT.violated : EXIT.crashed;
}
