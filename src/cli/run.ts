/**
 * `agentsim run <file>`: runs one seed of a scenario file, judges its invariants and prints the
 * result as text (for people), json, jsonl, a Chrome trace or OTLP/JSON. `--check-determinism`
 * runs the seed twice and says whether the trace hashes agree. `--budget` bounds the run's wall
 * clock, even against a synchronous loop in a scenario module.
 *
 * Exit codes: 0 every invariant held, 1 one was violated, 2 bad input or usage, 3 the scenario
 * crashed, 4 two runs of one seed differed.
 */
import { Option, type Command } from "commander";
import { fsErrorReason } from "../config/load-scenario-file.js";
import { errorText } from "../report/error-text.js";
import type { RunContext } from "../report/run-context.js";
import { escapeControl } from "../report/terminal-text.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { describeProcessCrash } from "../run/crash-site.js";
import { checkDeterminism, describeDivergence, type DeterminismCheck } from "../run/determinism.js";
import { runScenario, type RunResult } from "../run/run-scenario.js";
import { DEFAULT_RUN_BUDGET_MS } from "./budget.js";
import { runFile } from "./run-file.js";
import { budgetOption, EXIT, mitigateOption, runContext, seedOption, setOption, terminalWidth, useColor, type CliIo } from "./shared.js";

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
  "agentsim run scenarios/double-refund.yaml --format otlp > run.otlp.json   # open in Jaeger, Tempo, Langfuse",
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
    .addOption(budgetOption("the wall-clock budget of the run (0: none); over it, the run is stopped and named with its phase, exit 3", DEFAULT_RUN_BUDGET_MS))
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
  // With --check-determinism the seed runs twice, both within the budget.
  const ran = await runFile(
    file,
    opts,
    io,
    async (run): Promise<DeterminismCheck | { result: RunResult; second?: undefined }> =>
      opts.checkDeterminism ? checkDeterminism(run) : { result: await runScenario(run) },
  );
  if (!ran.ok) return ran.exit;
  const { config } = ran;
  const { result } = ran.result;
  const twice = "deterministic" in ran.result ? ran.result : undefined;
  const ctx = runContext(config);
  const second = ran.result.second;
  io.stdout.write(await render(result, ctx, opts, io, second));
  if (opts.trace) {
    try {
      const text = opts.trace.endsWith(".json")
        ? (await import("../report/render-chrome.js")).renderChrome(result)
        : (await import("../report/render-jsonl.js")).renderJsonl(result);
      writeFileAtomic(opts.trace, text);
    } catch (e) {
      io.stderr.write(`${opts.trace}: cannot write the trace: ${fsErrorReason(e) ?? errorText(e)}\n`);
      return EXIT.usage;
    }
  }
  if (twice) {
    if (!twice.deterministic) {
      io.stderr.write(
        `${file}: nondeterministic: two runs of seed ${result.seed} gave trace hashes ${result.traceHash} and ${twice.second.traceHash}; ${describeDivergence(twice.divergence)}\n`,
      );
      return EXIT.nondeterministic;
    }
    if (opts.format !== "text") io.stderr.write(`${file}: deterministic: two runs of seed ${result.seed} gave trace hash ${result.traceHash}\n`);
  }
  if (result.verdict === "crashed") {
    const crash = result.outcome.crash;
    io.stderr.write(`${file}: the scenario crashed${crash ? `: ${escapeControl(describeProcessCrash(crash), { oneLine: true })}` : ""}\n`);
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
    case "otlp":
      return (await import("../report/render-otlp.js")).renderOtlp(result);
    case "text": {
      const { renderText } = await import("../report/render-text.js");
      const width = terminalWidth(io);
      const shown = { ...ctx, ...(ctx.description !== undefined ? { description: escapeControl(ctx.description) } : {}) };
      return renderText(result, shown, {
        color: useColor(io),
        quiet: opts.quiet ?? false,
        ...(width !== undefined ? { width } : {}),
        ...(second ? { determinism: { secondHash: second.traceHash } } : {}),
      });
    }
  }
}
