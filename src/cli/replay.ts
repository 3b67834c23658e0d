/**
 * `agentsim replay <repro.json>`: reruns a repro written by `agentsim check` (or by
 * `expectNoViolation`) and confirms the same violation and the same trace hash.
 *
 * A repro is something people pass around, so it is read as untrusted data: keys such as
 * `__proto__` are refused, the scenario file it names is found relative to the repro file, every
 * parameter, fault (kind, target) and mitigation it names must exist in the scenario (exit 2
 * otherwise, before anything runs), and a scenario module (one the file names, or a
 * `scenario=` override) is imported, which runs its code, only with `--allow-module`. A repro of a
 * catalog scenario may name it with no file at all.
 *
 * `--format otlp` prints the replayed run as OTLP/JSON (the renderer of `run --format otlp`) and
 * nothing else on stdout; the verdict goes to stderr. Exit codes are the same in either format.
 *
 * Exit codes: 1 the violation reproduced (3 when the repro is a crash, and it crashed again);
 * 4 the trace hash differs and two reruns differ from each other (nondeterminism); when the trace
 * differs because the scenario changed since the repro (its fingerprint), or agentsim did, the new
 * verdict's code (0, 1, 3); 0 or 1 by the new verdict when the trace is the same but judged
 * differently (the checkers changed); 2 bad input.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { Option, type Command } from "commander";
import { Chalk } from "chalk";
import { fsErrorReason, loadScenarioFile, loadScenarioText, type LoadResult } from "../config/load-scenario-file.js";
import { budgetExceeded, budgetOption, EXIT, reportProblems, useColor, type CliIo } from "./shared.js";
import { describeDivergence } from "../run/determinism.js";
import { describeRepro, parseRepro, reproRunConfig, type Repro } from "../run/repro.js";
import { replayReproWith, type ReplayOutcome } from "../run/replay.js";
import { isParam, resolveParams, type ParamTree } from "../scenarios/params.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { escapeControl } from "../report/terminal-text.js";
import { BudgetExceeded, DEFAULT_RUN_BUDGET_MS, startRunBudget } from "./budget.js";
import { writingToProcess } from "./stdout-guard.js";

const FORMATS = ["text", "otlp"] as const;

interface ReplayOptions {
  allowModule?: boolean;
  budget: number;
  format: (typeof FORMATS)[number];
}

/** Adds `replay` to the program; `exit` receives the exit code. */
export function registerReplay(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("replay")
    .description("rerun a repro file and confirm the same violation and trace hash")
    .argument("<repro>", "repro file (JSON) written by agentsim check")
    .option("--allow-module", "let the repro run a scenario module (JavaScript) it names: only for repros you trust")
    .addOption(budgetOption("the wall-clock budget of each rerun (0: none)", DEFAULT_RUN_BUDGET_MS))
    .addOption(
      new Option("--format <format>", "text, or otlp: the replayed run as OTLP/JSON on stdout (the verdict goes to stderr)").choices(FORMATS).default("text"),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim check scenarios/double-refund.yaml --out refund.repro.json
  $ agentsim replay refund.repro.json
  $ agentsim replay refund.repro.json --format otlp > replay.otlp.json   # open in Jaeger, Tempo, Langfuse
  $ agentsim check examples/custom-scenario/my-scenario.yaml --out mine.repro.json
  $ agentsim replay mine.repro.json --allow-module      # the repro runs ./my-scenario.js: only for repros you trust

A repro's scenario file is found relative to the repro file. A repro that would import a scenario
module (run JavaScript) is refused unless you pass --allow-module.

Exit codes: 1 the violation reproduced with the same trace hash (3 for a crash that reproduced),
4 two reruns differ (nondeterminism), 0/1/3 by the new verdict when the trace differs because the
scenario or agentsim changed since the repro (the message says which) or the checkers judge the
same trace differently, 2 bad input or usage.`,
    )
    .action(async (file: string, opts: ReplayOptions) => exit(await replayCommand(file, opts, io)));
}

async function replayCommand(file: string, opts: ReplayOptions, io: CliIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(escapeControl(`${file}: ${message}`, { oneLine: true }) + "\n");
    return EXIT.usage;
  };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    return fail(`cannot read: ${fsErrorReason(e) ?? (e as Error).message}`);
  }
  const parsed = parseRepro(text);
  if (!parsed.ok) return fail(parsed.message);
  const repro = parsed.repro;
  const scenarioFile = repro.scenarioFile === undefined ? undefined : locate(repro.scenarioFile, file);
  const options = { overrides: repro.overrides, importModules: opts.allowModule ?? false };
  const loaded: LoadResult = scenarioFile
    ? await loadScenarioFile(scenarioFile, options)
    : await loadScenarioText(`scenario: ${JSON.stringify(repro.scenario)}\n`, file, options);
  if (!loaded.ok && loaded.unrunModule !== undefined) {
    return fail(
      `the repro runs the scenario module ${loaded.unrunModule}${scenarioFile ? ` (named by ${scenarioFile} or its overrides)` : ""}; replaying it would run that module's code. If you trust this repro, add --allow-module`,
    );
  }
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const def = loaded.config.scenario;
  if (def.name !== repro.scenario) return fail(`the repro is of scenario ${repro.scenario}, but ${scenarioFile ?? "it"} now runs ${def.name}`);
  const unknown = unknownInRepro(repro, def);
  const params = resolveParams(def.params, reproRunConfig(repro, loaded.config).params ?? {});
  if (!params.ok) unknown.push(...params.problems.map((p) => `params.${p.path.join(".")}: ${p.message}`));
  if (unknown.length) {
    for (const u of unknown) fail(u);
    return EXIT.usage;
  }
  const budget = startRunBudget(opts.budget, `${file}: `, { watchdog: writingToProcess() });
  let outcome: ReplayOutcome;
  try {
    outcome = await budget.guard(replayReproWith(repro, loaded.config, { onPhase: budget.onPhase }));
  } catch (e) {
    if (e instanceof BudgetExceeded) return budgetExceeded(file, e, io);
    throw e;
  }
  const otlp = opts.format === "otlp";
  const c = new Chalk({ level: !otlp && useColor(io) ? 1 : 0 });
  const lines = [
    `${c.bold(`agentsim replay · ${repro.scenario}`)}  ${c.dim(`${file}${scenarioFile ? ` · ${scenarioFile}` : ""}`)}`,
    ...describeRepro(repro).map((l) => `  ${l}`),
    "",
    verdictText(outcome, repro, c),
  ];
  if (otlp) {
    // The run on stdout, and nothing else; the verdict beside it on stderr.
    if (outcome.result) io.stdout.write((await import("../report/render-otlp.js")).renderOtlp(outcome.result));
    else lines.push("  (no run to export: the scenario threw while being built)");
    io.stderr.write(escapeControl(lines.join("\n")) + "\n");
  } else io.stdout.write(escapeControl(lines.join("\n")) + "\n");
  return exitCode(outcome);
}

/** The scenario file a repro names: relative to the repro's folder (else, for repros written before that rule, to the working directory). */
function locate(scenarioFile: string, reproFile: string): string {
  if (isAbsolute(scenarioFile)) return scenarioFile;
  const beside = join(dirname(reproFile), scenarioFile);
  return existsSync(beside) || !existsSync(scenarioFile) ? beside : scenarioFile;
}

/** What the repro names that the scenario does not have: parameter keys, fault kinds and targets, mitigations. */
function unknownInRepro(repro: Repro, def: ScenarioDefinition): string[] {
  const out: string[] = [];
  const walk = (value: unknown, tree: ParamTree, path: string[]): void => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const node = tree[k];
      if (node === undefined)
        out.push(`params.${[...path, k].join(".")}: scenario ${def.name} has no such parameter; expected one of ${Object.keys(tree).join(", ") || "none"}`);
      else if (!isParam(node)) walk(v, node, [...path, k]);
    }
  };
  walk(repro.params, def.params, []);
  const kinds = def.faults ?? [];
  for (const [i, f] of repro.faults.entries()) {
    const kind = kinds.find((k) => k.name === f.kind);
    if (!kind)
      out.push(`faults.${i}.kind: scenario ${def.name} has no fault kind "${f.kind}"; expected one of ${kinds.map((k) => k.name).join(", ") || "none"}`);
    else if (f.target !== undefined && !kind.targets?.includes(f.target))
      out.push(`faults.${i}.target: fault kind ${kind.name} has no target "${f.target}"; expected one of ${kind.targets?.join(", ") || "none"}`);
  }
  for (const [i, m] of repro.mitigations.entries()) {
    if (!def.mitigations.some((d) => d.name === m))
      out.push(`mitigations.${i}: scenario ${def.name} has no mitigation "${m}"; expected one of ${def.mitigations.map((d) => d.name).join(", ")}`);
  }
  return out;
}

function verdictText(o: ReplayOutcome, repro: Repro, c: InstanceType<typeof Chalk>): string {
  switch (o.status) {
    case "reproduced": {
      const what = repro.violation
        ? `${repro.violation.invariant} violated again: ${repro.violation.message}`
        : `${repro.verdict} again${o.error ? `: ${o.error}` : ""}`;
      return `${c.bold(c.red("REPRODUCED"))} ${what}\n  same trace hash ${o.result?.traceHash ?? "(none: the scenario threw while being built)"}`;
    }
    case "trace-differs": {
      if (o.scenarioChanged && !o.nondeterministic) {
        return `${c.bold(c.yellow("SCENARIO CHANGED"))} since this repro was written (its code or parameters: fingerprint ${o.scenarioChanged.was.slice(0, 12)}… then, ${o.scenarioChanged.now.slice(0, 12)}… now), so the trace differs: expected ${o.expected}, got ${o.result.traceHash}; two reruns agree, so this is not nondeterminism; now ${o.result.verdict}`;
      }
      const head = `${c.bold(c.yellow("NONDETERMINISM"))} the trace hash differs: expected ${o.expected}, got ${o.result.traceHash}`;
      if (o.nondeterministic)
        return `${head}\n  two reruns differ from each other too: the scenario is nondeterministic; ${o.divergence ? describeDivergence(o.divergence) : ""}`;
      return `${c.bold(c.yellow("CHANGED"))} the trace hash differs: expected ${o.expected}, got ${o.result.traceHash}\n  two reruns agree with each other: the run is stable, but ${repro.fingerprint ? "with the scenario unchanged (same fingerprint), agentsim itself" : "the scenario, its file or agentsim"} changed since the repro was written; now ${o.result.verdict}`;
    }
    case "verdict-differs": {
      const now = o.result
        ? `${o.result.verdict}${o.result.violations[0] ? `: ${o.result.violations[0].invariant}: ${o.result.violations[0].message}` : ""}`
        : `error: ${o.error ?? ""}`;
      return `${c.bold("NOT REPRODUCED")} the same run is now judged differently (the checkers changed?): ${now}`;
    }
  }
}

function exitCode(o: ReplayOutcome): number {
  if (o.status === "trace-differs" && o.nondeterministic) return EXIT.nondeterministic;
  const verdict = o.result?.verdict ?? "error";
  if (verdict === "held") return EXIT.held;
  return verdict === "violated" ? EXIT.violated : EXIT.crashed;
}
