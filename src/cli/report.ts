/**
 * `agentsim report <file>`: runs one seed of a scenario file, as `run` does, and writes the run's
 * HTML report: one self-contained file (no network, opens from disk) with the swimlane timeline,
 * the invariants and causal chains, the charts that fit the scenario and the metrics.
 *
 * Exit codes, as for `run`: 0 every invariant held, 1 an invariant was violated, 2 bad input or
 * usage (no report is written), 3 the scenario crashed (the report of the crashed run is written).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { DEFAULT_RUN_BUDGET_MS } from "./budget.js";
import { runFile } from "./run-file.js";
import { budgetOption, EXIT, mitigateOption, runContext, seedOption, setOption, type CliIo } from "./shared.js";
import { fsErrorReason } from "../config/load-scenario-file.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { describeProcessCrash } from "../run/crash-site.js";
import { escapeControl } from "../report/terminal-text.js";
import { errorText } from "../report/error-text.js";
import { renderHtml } from "../report/html/render-html.js";
import { summary } from "../report/html/run-header.js";
import { runScenario } from "../run/run-scenario.js";

interface ReportOptions {
  seed?: number;
  set?: string[];
  mitigate?: string[];
  out: string;
  budget: number;
}

/** Adds `report` to the program; `exit` receives the exit code. */
export function registerReport(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("report")
    .description("run a scenario file and write a self-contained HTML report: timeline, causal chains, charts")
    .argument("<file>", "scenario file (YAML)")
    .addOption(seedOption())
    .addOption(setOption())
    .addOption(mitigateOption())
    .option("--out <file>", "where to write the HTML (- for stdout)", "report.html")
    .addOption(budgetOption("the wall-clock budget of the run (0: none); over it, the run is stopped, exit 3 and no report", DEFAULT_RUN_BUDGET_MS))
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim report scenarios/stampede.yaml --out stampede.html
  $ agentsim report scenarios/double-refund.yaml --seed 7 --mitigate idempotency-keys --out fixed.html
  $ agentsim report scenarios/latency-tail.yaml --set params.requests=2000 --out - > tail.html

The file opens from disk in any browser and fetches nothing. The same run gives the same bytes.

Exit codes, as for run: 0 every invariant held, 1 an invariant was violated, 2 bad input or usage
(no report is written), 3 the scenario crashed (its report is written).`,
    )
    .action(async (file: string, opts: ReportOptions) => exit(await reportCommand(file, opts, io)));
}

async function reportCommand(file: string, opts: ReportOptions, io: CliIo): Promise<number> {
  const ran = await runFile(file, opts, io, runScenario);
  if (!ran.ok) return ran.exit;
  const { config, result } = ran;
  const html = renderHtml(result, runContext(config), { invariants: config.scenario.invariants });
  if (opts.out === "-") io.stdout.write(html);
  else {
    try {
      writeFileAtomic(opts.out, html);
    } catch (e) {
      io.stderr.write(`${opts.out}: cannot write the report: ${fsErrorReason(e) ?? errorText(e)}\n`);
      return EXIT.usage;
    }
    io.stdout.write(
      `${result.verdict.toUpperCase()}: ${summary(result)}\nReport: ${opts.out} (${sizeText(Buffer.byteLength(html))}); open ${pathToFileURL(resolve(opts.out)).href}\n`,
    );
  }
  if (result.verdict === "crashed") {
    const crash = result.outcome.crash;
    io.stderr.write(`${file}: the scenario crashed${crash ? `: ${escapeControl(describeProcessCrash(crash), { oneLine: true })}` : ""}\n`);
    return EXIT.crashed;
  }
  return result.verdict === "violated" ? EXIT.violated : EXIT.held;
}

function sizeText(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
