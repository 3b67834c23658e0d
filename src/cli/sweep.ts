/**
 * `agentsim sweep <file> --seeds 1..10000`: runs many seeds in worker threads and reports each
 * invariant's violation rate, the failing seeds and metric distributions (text or json).
 *
 * Exit codes: 0 every seed held; 1 some seed violated an invariant; 2 bad input; 3 no violation,
 * but some seed crashed or errored; 4 with --check-determinism, some seed ran differently twice.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { EXIT, mitigateOption, reportProblems, setOption, useColor, type CliIo } from "./shared.js";
import { buildSweepReport, judgedInvariants, type SweepReport } from "../run/sweep-report.js";
import { parseSeedList, parseShard, shardSeeds, type SeedList, type Shard } from "../run/sweep-seeds.js";
import { runSweep, SweepLoadError } from "../run/sweep.js";
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
}

/** Adds `sweep` to the program; `exit` receives the exit code. */
export function registerSweep(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("sweep")
    .description("run many seeds in parallel and report violation rates, failing seeds and metric distributions")
    .argument("<file>", "scenario file (YAML)")
    .addOption(new Option("--seeds <list>", "seeds to run: ranges and single seeds, comma-separated").argParser(seedListOption).default(defaultSeeds(), "1..1000"))
    .addOption(setOption())
    .addOption(mitigateOption())
    .option("--workers <n>", "worker threads (default: the machine's available parallelism)", workersOption)
    .option("--shard <i/n>", "run only shard i of n: the seeds at positions p with p mod n = i-1 (round-robin)", shardOption)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--check-determinism", "run every seed twice and compare trace hashes, naming the first diverging event")
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
  const loaded = await loadScenarioFile(file, { overrides, mitigate });
  if (!loaded.ok) return reportProblems(loaded.problems, io);
  const config = loaded.config;
  const seeds = shardSeeds(opts.seeds.seeds, opts.shard);
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
      onResult: (_, done, total) => progress.update(done, total),
    });
  } catch (e) {
    progress.finish();
    if (!(e instanceof SweepLoadError)) throw e;
    io.stderr.write(`${e.message}\n`);
    return EXIT.usage;
  }
  const seconds = progress.finish();
  if (io.stderr.isTTY) io.stderr.write(`${seeds.length.toLocaleString("en-US")} seeds in ${seconds.toFixed(1)} s (${Math.round(seeds.length / Math.max(seconds, 1e-3))} seeds/s, ${run.workersStarted} worker threads started)\n`);
  const report = buildSweepReport(
    {
      scenario: config.scenario.name,
      file,
      overrides,
      mitigations: config.mitigations,
      seedSpec: opts.seeds.spec,
      ...(opts.shard ? { shard: opts.shard } : {}),
      checkedDeterminism: opts.checkDeterminism ?? false,
    },
    judgedInvariants(config.scenario, config.invariants),
    run.results,
    run.units,
  );
  io.stdout.write(opts.format === "json" ? JSON.stringify(report, null, 2) + "\n" : renderSweepText(report, { color: useColor(io) }));
  return sweepExitCode(report);
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
