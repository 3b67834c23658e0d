/**
 * `agentsim run <file>`: runs one seed of a scenario file, judges its invariants and prints the
 * result as text (for people), json, jsonl or a Chrome trace. `--check-determinism` runs the seed
 * twice and says whether the trace hashes agree.
 *
 * Exit codes: 0 every invariant held, 1 one was violated, 2 bad input or usage, 3 the scenario
 * crashed, 4 two runs of one seed differed.
 */
import { writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { toRunConfig } from "../config/scenario-config.js";
import { errorText } from "../report/error-text.js";
import type { RunContext } from "../report/run-context.js";
import { RunConfigError, runScenario, type RunResult } from "../run/run-scenario.js";
import { EXIT, mitigateOption, reportProblems, runContext, seedOption, setOption, terminalWidth, useColor, type CliIo } from "./shared.js";

const FORMATS = ["text", "json", "jsonl", "chrome"] as const;
type Format = (typeof FORMATS)[number];

interface RunOptions {
  seed?: number;
  set?: string[];
  mitigate?: string[];
  format: Format;
  trace?: string;
  quiet?: boolean;
  checkDeterminism?: boolean;
}

/** The examples of `run --help`; a test runs every one. */
export const RUN_EXAMPLES = [
  "agentsim run scenarios/stampede.yaml",
  "agentsim run scenarios/stampede.yaml --mitigate single-flight,jittered-refresh",
  "agentsim run scenarios/double-refund.yaml --seed 7 --set params.returns.count=50 --set horizon=3h",
  "agentsim run scenarios/latency-tail.yaml --set params.tools.search.median=300ms --set params.requests=600",
  "agentsim run scenarios/stampede.yaml --format chrome > stampede.json   # open in ui.perfetto.dev",
  "agentsim run scenarios/stampede.yaml --format json | jq .violations",
  "agentsim run scenarios/stampede.yaml --trace run.jsonl --quiet",
  "agentsim run scenarios/four-clocks.yaml --check-determinism",
];

/** Adds `run` to the program; `exit` receives the exit code. */
export function registerRun(program: Command, io: CliIo, exit: (code: number) => void): void {
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
    .option("--check-determinism", "run the seed twice and compare trace hashes; say which, and exit 4 naming the first diverging event if they differ")
    .addHelpText(
      "after",
      `
Examples:
${RUN_EXAMPLES.map((e) => `  $ ${e}`).join("\n")}

Text output fits the terminal (or COLUMNS); --format json has every value in full.
Parameters and their ranges: agentsim explain <scenario>.

Exit codes: 0 every invariant held, 1 an invariant was violated, 2 bad input or usage, 3 the scenario crashed,
4 two runs differed (--check-determinism).`,
    )
    .action(async (file: string, opts: RunOptions) => exit(await runCommand(file, opts, io)));
}

async function runCommand(file: string, opts: RunOptions, io: CliIo): Promise<number> {
  const loaded = await loadScenarioFile(file, { overrides: opts.set ?? [], mitigate: opts.mitigate ?? [], ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const config = loaded.config;
  let result: RunResult;
  let second: RunResult | undefined;
  try {
    result = await runScenario(toRunConfig(config));
    if (opts.checkDeterminism) second = await runScenario(toRunConfig(config));
  } catch (e) {
    if (e instanceof RunConfigError) return reportProblems(e.problems.map((p) => ({ file, message: `${p.path.join(".")}: ${p.message}` })), io);
    io.stderr.write(`${file}: the scenario crashed while being built: ${errorText(e)}\n`);
    return EXIT.crashed;
  }
  const ctx = runContext(config);
  io.stdout.write(await render(result, ctx, opts, io, second));
  if (opts.trace) {
    try {
      const text = opts.trace.endsWith(".json") ? (await import("../report/render-chrome.js")).renderChrome(result) : (await import("../report/render-jsonl.js")).renderJsonl(result);
      await writeFile(opts.trace, text);
    } catch (e) {
      io.stderr.write(`${opts.trace}: cannot write the trace: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  if (second) {
    if (second.traceHash !== result.traceHash) {
      const { describeDivergence, firstDivergence } = await import("../run/determinism.js");
      const divergence = firstDivergence(result.trace.events, second.trace.events) ?? { index: result.trace.events.length };
      io.stderr.write(`${file}: nondeterministic: two runs of seed ${result.seed} gave trace hashes ${result.traceHash} and ${second.traceHash}; ${describeDivergence(divergence)}\n`);
      return EXIT.nondeterministic;
    }
    if (opts.format !== "text") io.stderr.write(`${file}: deterministic: two runs of seed ${result.seed} gave trace hash ${result.traceHash}\n`);
  }
  if (result.verdict === "crashed") {
    const crash = result.outcome.crash;
    io.stderr.write(`${file}: the scenario crashed${crash ? `: process "${crash.process}" threw ${errorText(crash.error)}` : ""}\n`);
    return EXIT.crashed;
  }
  return result.verdict === "violated" ? EXIT.violated : EXIT.held;
}

async function render(result: RunResult, ctx: RunContext, opts: RunOptions, io: CliIo, second: RunResult | undefined): Promise<string> {
  switch (opts.format) {
    case "json":
      return (await import("../report/render-json.js")).renderJson(result, ctx);
    case "jsonl":
      return (await import("../report/render-jsonl.js")).renderJsonl(result);
    case "chrome":
      return (await import("../report/render-chrome.js")).renderChrome(result);
    case "text": {
      const { renderText } = await import("../report/render-text.js");
      const width = terminalWidth(io);
      return renderText(result, ctx, {
        color: useColor(io),
        quiet: opts.quiet ?? false,
        ...(width !== undefined ? { width } : {}),
        ...(second ? { determinism: { secondHash: second.traceHash } } : {}),
      });
    }
  }
}
