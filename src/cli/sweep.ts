/**
 * `agentsim sweep <file> --seeds 1..10000`: runs many seeds in worker threads and reports each
 * invariant's violation rate, the failing seeds and metric distributions (text or json).
 *
 * Exit codes: 0 every seed held; 1 some seed violated an invariant; 2 bad input; 3 no violation,
 * but some seed crashed or errored (a seed over its time budget included); 4 with
 * --check-determinism, some seed ran differently twice.
 *
 * `--stream file.jsonl` appends each finished seed to a JSON-lines file as it completes;
 * `--resume` continues a stream a killed sweep left behind, running only the seeds it lacks.
 * `--out file` writes the report atomically instead of to stdout.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { fsErrorReason, loadScenarioFile } from "../config/load-scenario-file.js";
import { budgetOption, EXIT, mitigateOption, reportProblems, setOption, useColor, type CliIo } from "./shared.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { escapeControl } from "../report/terminal-text.js";
import { buildSweepReport, judgedInvariants, type SweepReport } from "../run/sweep-report.js";
import { formatShard, parseSeedList, parseShard, shardSeeds, type SeedList, type Shard } from "../run/sweep-seeds.js";
import { readSweepStream, STREAM_KIND, SweepStreamWriter, type StreamHeader } from "../run/sweep-stream.js";
import type { SeedSummary } from "../run/sweep-summary.js";
import type { Metric } from "../scenarios/scenario.js";
import { DEFAULT_SEED_BUDGET_MS, runSweep, SweepLoadError } from "../run/sweep.js";
import { agentsimVersion } from "../run/version.js";
import { progressBar } from "./progress.js";
import { renderSweepText } from "./sweep-text.js";

interface SweepCliOptions {
  seeds: SeedList;
  set?: string[];
  mitigate?: string[];
  workers?: number;
  shard?: Shard;
  format: "text" | "json";
  checkDeterminism?: boolean;
  budget: number;
  stream?: string;
  resume?: boolean;
  out?: string;
}

/** Adds `sweep` to the program; `exit` receives the exit code. */
export function registerSweep(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("sweep")
    .description("run many seeds in parallel and report violation rates, failing seeds and metric distributions")
    .argument("<file>", "scenario file (YAML)")
    .addOption(
      new Option("--seeds <list>", "seeds to run: ranges and single seeds, comma-separated").argParser(seedListOption).default(defaultSeeds(), "1..1000"),
    )
    .addOption(setOption())
    .addOption(mitigateOption())
    .option("--workers <n>", "worker threads (default: the machine's available parallelism)", workersOption)
    .option("--shard <i/n>", "run only shard i of n: the seeds at positions p with p mod n = i-1 (round-robin)", shardOption)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--check-determinism", "run every seed twice and compare trace hashes, naming the first diverging event")
    .addOption(budgetOption("the wall-clock budget of each seed: a seed over it is stopped and reported, and the sweep goes on", DEFAULT_SEED_BUDGET_MS))
    .option("--stream <file.jsonl>", "append each finished seed to this JSON-lines file as it completes (a killed sweep loses only the seeds in flight)")
    .option("--resume", "with --stream: continue the sweep the file holds, running only the seeds it lacks")
    .option("--out <file>", "write the report to this file (atomically) instead of stdout")
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..10000 --mitigate idempotency-keys
  $ agentsim sweep scenarios/stampede.yaml --seeds 1..2000 --set params.fleet.workers=500 --workers 2
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..100000 --shard 3/8 --format json > shard-3.json
  $ agentsim merge shard-*.json
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..200 --check-determinism
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..100000 --stream refund.jsonl --budget 30s
  $ agentsim sweep scenarios/double-refund.yaml --seeds 1..100000 --stream refund.jsonl --resume

Shards split the seed list round-robin: shard i of n takes the seeds at positions i-1, i-1+n,
i-1+2n, ... of the list; the n shards together run every seed once, and merge into the report of
the whole sweep.

Exit codes: 0 every seed held, 1 some seed violated an invariant, 2 bad input or usage,
3 no violation but some seed crashed or errored, 4 some seed ran differently twice (--check-determinism).`,
    )
    .action(async (file: string, opts: SweepCliOptions) => exit(await sweepCommand(file, opts, io)));
}

async function sweepCommand(file: string, opts: SweepCliOptions, io: CliIo): Promise<number> {
  const overrides = opts.set ?? [];
  const mitigate = opts.mitigate ?? [];
  if (opts.resume && !opts.stream) {
    io.stderr.write("agentsim sweep: --resume continues a --stream file; name it with --stream <file.jsonl>\n");
    return EXIT.usage;
  }
  const loaded = await loadScenarioFile(file, { overrides, mitigate });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const config = loaded.config;
  const all = shardSeeds(opts.seeds.seeds, opts.shard);
  const invariants = judgedInvariants(config.scenario, config.invariants);
  const header: StreamHeader = {
    kind: STREAM_KIND,
    scenario: config.scenario.name,
    file,
    fileHash: createHash("sha256").update(readFileSync(file)).digest("hex"),
    version: agentsimVersion(),
    overrides,
    mitigations: config.mitigations,
    seedSpec: opts.seeds.spec,
    ...(opts.shard ? { shard: formatShard(opts.shard) } : {}),
    checkedDeterminism: opts.checkDeterminism ?? false,
    invariants,
  };
  let prior: SeedSummary[] = [];
  let units: Record<string, NonNullable<Metric["unit"]>> = {};
  let stream: SweepStreamWriter | undefined;
  try {
    if (opts.stream && opts.resume && existsSync(opts.stream)) {
      const read = readSweepStream(opts.stream);
      if (!read.ok) {
        io.stderr.write(escapeControl(read.message, { oneLine: true }) + "\n");
        return EXIT.usage;
      }
      const differs = differentHeader(read.contents.header, header);
      if (differs) {
        io.stderr.write(`${opts.stream}: cannot resume: the stream is of another sweep (${differs}); start a new stream file or drop --resume\n`);
        return EXIT.usage;
      }
      const wanted = new Set(all);
      prior = read.contents.results.filter((r) => wanted.has(r.seed));
      units = read.contents.units;
      stream = SweepStreamWriter.resume(opts.stream, read.contents.wholeBytes);
    } else if (opts.stream) stream = SweepStreamWriter.create(opts.stream, header);
  } catch (e) {
    io.stderr.write(`${opts.stream}: cannot write the sweep stream: ${fsErrorReason(e) ?? (e as Error).message}\n`);
    return EXIT.usage;
  }
  const done = new Set(prior.map((r) => r.seed));
  const seeds = all.filter((s) => !done.has(s));
  const progress = progressBar(io.stderr, "sweep", "seeds");
  let run;
  try {
    run = await runSweep({
      file,
      overrides,
      mitigate,
      seeds,
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      checkDeterminism: opts.checkDeterminism ?? false,
      budgetMs: opts.budget,
      onResult: (summary, n, total) => {
        stream?.seed(summary);
        progress.update(n, total);
      },
      onUnits: (u) => {
        if (!Object.keys(units).length) stream?.units(u);
      },
    });
  } catch (e) {
    progress.finish();
    stream?.close();
    if (!(e instanceof SweepLoadError)) throw e;
    io.stderr.write(`${escapeControl(e.message)}\n`);
    return EXIT.usage;
  }
  stream?.close();
  const seconds = progress.finish();
  if (io.stderr.isTTY)
    io.stderr.write(
      `${seeds.length.toLocaleString("en-US")} seeds in ${seconds.toFixed(1)} s (${Math.round(seeds.length / Math.max(seconds, 1e-3))} seeds/s, ${run.workersStarted} worker threads started)${prior.length ? `; ${prior.length.toLocaleString("en-US")} seeds resumed from ${opts.stream}` : ""}\n`,
    );
  const bySeed = new Map<number, SeedSummary>([...prior, ...run.results].map((r) => [r.seed, r]));
  const report = buildSweepReport(
    {
      scenario: config.scenario.name,
      file,
      fileHash: header.fileHash,
      version: header.version,
      overrides,
      mitigations: config.mitigations,
      seedSpec: opts.seeds.spec,
      ...(opts.shard ? { shard: opts.shard } : {}),
      checkedDeterminism: opts.checkDeterminism ?? false,
    },
    invariants,
    all.map((s) => bySeed.get(s) as SeedSummary),
    { ...units, ...run.units },
  );
  const text = opts.format === "json" ? JSON.stringify(report, null, 2) + "\n" : renderSweepText(report, { color: opts.out ? false : useColor(io) });
  if (opts.out) {
    try {
      writeFileAtomic(opts.out, text);
    } catch (e) {
      io.stderr.write(`${opts.out}: cannot write the sweep report: ${fsErrorReason(e) ?? (e as Error).message}\n`);
      if (!opts.stream) io.stdout.write(text);
      return EXIT.usage;
    }
  } else io.stdout.write(text);
  return sweepExitCode(report);
}

/** What differs between a stream's header and the sweep asked for, or undefined. */
function differentHeader(was: StreamHeader, now: StreamHeader): string | undefined {
  const keys: (keyof StreamHeader)[] = [
    "scenario",
    "file",
    "fileHash",
    "version",
    "overrides",
    "mitigations",
    "seedSpec",
    "shard",
    "checkedDeterminism",
    "invariants",
  ];
  for (const k of keys)
    if (JSON.stringify(was[k]) !== JSON.stringify(now[k])) return `${k}: ${JSON.stringify(was[k]) ?? "none"} there, ${JSON.stringify(now[k]) ?? "none"} now`;
  return undefined;
}

/** The exit code a sweep report stands for (see the module comment). */
export function sweepExitCode(report: SweepReport): number {
  if (report.nondeterministic.length) return EXIT.nondeterministic;
  if (report.failingSeeds.length) return EXIT.violated;
  if (report.errors.length) return EXIT.crashed;
  return EXIT.held;
}

function defaultSeeds(): SeedList {
  return { spec: "1..1000", seeds: Array.from({ length: 1000 }, (_, i) => i + 1) };
}

function seedListOption(value: string): SeedList {
  const r = parseSeedList(value);
  if (!r.ok) throw new InvalidArgumentError(`${r.message}.`);
  return r.list;
}

function shardOption(value: string): Shard {
  const r = parseShard(value);
  if (!r.ok) throw new InvalidArgumentError(`${r.message}.`);
  return r.shard;
}

function workersOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 256) throw new InvalidArgumentError("Expected a whole number of worker threads from 1 to 256.");
  return n;
}
