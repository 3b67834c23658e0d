/**
 * `agentsim merge a.json b.json ...`: merges sweep json files (the shards of one sweep, run on
 * several machines) into one report, printed as text or json. Exit codes are those of `sweep`,
 * for the merged report; 2 when a file is unreadable or the files are not parts of one sweep.
 */
import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { EXIT, useColor, type CliIo } from "./shared.js";
import { fsErrorReason } from "../config/load-scenario-file.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { mergeSweepReports, parseSweepReport } from "../run/merge.js";
import { escapeControl } from "../report/terminal-text.js";
import type { SweepReport } from "../run/sweep-report.js";
import { sweepExitCode } from "./sweep.js";
import { renderSweepText } from "./sweep-text.js";

/** Adds `merge` to the program; `exit` receives the exit code. */
export function registerMerge(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("merge")
    .description("merge sweep json files (shards of one sweep) into one report")
    .argument("<files...>", "json files written by agentsim sweep --format json")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--out <file>", "write the merged report to this file (atomically) instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000 --shard 1/2 --format json > a.json
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000 --shard 2/2 --format json > b.json
  $ agentsim merge a.json b.json
  $ agentsim merge a.json b.json --format json > all.json
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000 --shard 1/2 --stream shard-1.jsonl
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000 --shard 2/2 --stream shard-2.jsonl
  $ agentsim merge shard-*.jsonl --format json --out all.json     # streams of agentsim sweep --stream

Each file must hold every seed of its shard, and no seed may be in two files: an incomplete,
overlapping or foreign file (another scenario, file contents, parameters or agentsim version) is
refused, naming what is missing or what differs.

Exit codes: as for agentsim sweep, for the merged report; 2 when a file cannot be read or the
files are not parts of one sweep.`,
    )
    .action(async (files: string[], opts: { format: "text" | "json"; out?: string }) => exit(await mergeCommand(files, opts.format, io, opts.out)));
}

async function mergeCommand(files: readonly string[], format: "text" | "json", io: CliIo, out?: string): Promise<number> {
  const reports: SweepReport[] = [];
  let bad = false;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      io.stderr.write(`${escapeControl(file, { oneLine: true })}: cannot read: ${fsErrorReason(e) ?? (e as Error).message}\n`);
      bad = true;
      continue;
    }
    const parsed = parseSweepReport(text);
    if (parsed.ok) reports.push(parsed.report);
    else {
      io.stderr.write(escapeControl(`${file}: ${parsed.message}`, { oneLine: true }) + "\n");
      bad = true;
    }
  }
  if (bad) return EXIT.usage;
  const merged = mergeSweepReports(reports, files);
  if (!merged.ok) {
    io.stderr.write(escapeControl(`agentsim merge: ${merged.message}`, { oneLine: true }) + "\n");
    return EXIT.usage;
  }
  const text = format === "json" ? JSON.stringify(merged.report, null, 2) + "\n" : renderSweepText(merged.report, { color: out ? false : useColor(io) });
  if (out) {
    try {
      writeFileAtomic(out, text);
    } catch (e) {
      io.stderr.write(`${out}: cannot write the merged report: ${fsErrorReason(e) ?? (e as Error).message}\n`);
      return EXIT.usage;
    }
  } else io.stdout.write(text);
  return sweepExitCode(merged.report);
}
