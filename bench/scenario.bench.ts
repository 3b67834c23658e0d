/**
 * The scenario benchmark (issue 17): what whole catalog runs cost, what the trace hash costs
 * inside them, and the memory a large run takes. `npm run bench` runs it with tsx against src/.
 *
 * - Cost per kernel event: each catalog scenario file at its default seed, warm (after warm-up
 *   runs), rounds interleaving the scenarios; median wall time of the run divided by its kernel
 *   events.
 * - The hash's share: of each warm run (stampede's is a target), and of a sweep seed (`runSeed`
 *   over double-refund seeds, as `agentsim sweep` runs them, summary and trace hash included):
 *   time inside `Trace.hash` over the whole. Paired: each round measures both in one pass.
 *   For reference, what hashing re-serialised canonical JSON (the encoding before issue 17) would
 *   take for the same traces.
 * - Memory: latency-tail at its largest (100,000 requests, about 1.5M kernel events) in a fresh
 *   process: bytes retained per kernel event after the run (heap and array buffers, after a
 *   collection, the result alive), the trace's own bytes per kernel event, and peak RSS.
 *
 * AGENTSIM_BENCH_ROUNDS sets the rounds (default 5); AGENTSIM_BENCH_SWEEP_SEEDS the seeds per sweep
 * round (default 200); AGENTSIM_BENCH_LARGE=0 skips the large run.
 */
import { createHash } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { loadScenarioFile } from "../src/config/load-scenario-file.js";
import { toRunConfig } from "../src/config/scenario-config.js";
import { runScenario, type RunConfig } from "../src/run/run-scenario.js";
import { runSeed } from "../src/run/sweep-summary.js";
import { catalog } from "../src/scenarios/catalog.js";
import { Trace, type TraceEvent } from "../src/sim/trace.js";
import { inChild } from "./in-child.js";

const ROUNDS = Number(process.env.AGENTSIM_BENCH_ROUNDS ?? 5);
const SWEEP_SEEDS = Number(process.env.AGENTSIM_BENCH_SWEEP_SEEDS ?? 200);
const LARGE = process.env.AGENTSIM_BENCH_LARGE !== "0";
const HASH_TARGET = 0.15;

/** Time spent inside `Trace.hash`, summed (the bench's own instrument: a wrapper on the prototype). */
let hashMs = 0;
const realHash = Trace.prototype.hash;
Trace.prototype.hash = function timedHash(this: Trace): string {
  const t0 = performance.now();
  try {
    return realHash.call(this);
  } finally {
    hashMs += performance.now() - t0;
  }
};

async function configOf(name: string): Promise<RunConfig> {
  const loaded = await loadScenarioFile(`scenarios/${name}.yaml`);
  if (!loaded.ok) throw new Error(`scenarios/${name}.yaml: ${loaded.problems.map((p) => p.message).join("; ")}`);
  return toRunConfig(loaded.config);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function loadNote(): string {
  const [one] = loadavg();
  const cores = availableParallelism();
  return `load average ${(one ?? 0).toFixed(1)} on ${cores} cores${(one ?? 0) > cores ? " (busy machine: times are inflated, ratios less reliable)" : ""}`;
}

function verdict(ok: boolean): string {
  return ok ? "met" : "MISSED";
}

interface RunSample {
  ms: number;
  hashMs: number;
  events: number;
  traceEvents: number;
  /** Hashing canonical JSON lines (the encoding before issue 17), for reference. */
  jsonHashMs: number;
  /** Recording the run's events into a fresh trace and hashing it: the whole cost of the hash, its encoding included. */
  encodeHashMs: number;
}

/** One warm run of a scenario: the run, then its trace hash (as a sweep reads it). */
async function sampleRun(config: RunConfig): Promise<RunSample> {
  gc();
  const h0 = hashMs;
  const t0 = performance.now();
  const result = await runScenario(config);
  void result.traceHash;
  const ms = performance.now() - t0;
  const events = result.trace.events;
  const jsonHashMs = minOf3(() => createHash("sha256").update(result.trace.toJsonl()).digest("hex"));
  return { ms, hashMs: hashMs - h0, events: result.outcome.events, traceEvents: result.trace.length, jsonHashMs, encodeHashMs: encodeAndHash(events) };
}

/**
 * The time to record `events` into a fresh trace (interning, columns, the attribute encoding) and
 * hash it: an upper bound on what the hash costs a run, the encoding it hashes included (a run
 * records its events anyway; this charges all of the recording to the hash).
 */
function encodeAndHash(events: readonly TraceEvent[]): number {
  return minOf3(() => Trace.hashOf(events));
}

/** The least of three timings of deterministic work: preemption on a shared machine only adds. */
function minOf3(work: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    work();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** One round of a sweep: `runSeed` over seeds, as a sweep worker runs them. */
async function sampleSweep(config: RunConfig, seeds: number): Promise<{ ms: number; hashMs: number; encodeHashMs: number }> {
  gc();
  const h0 = hashMs;
  let ms = 0;
  let encodeHashMs = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    const { summary, result } = await runSeed(config, seed);
    ms += performance.now() - t0;
    if (summary.verdict === "error" || !result) throw new Error(`sweep seed ${seed}: ${summary.error}`);
    const events = result.trace.events;
    const t1 = performance.now();
    Trace.hashOf(events);
    encodeHashMs += performance.now() - t1;
  }
  return { ms, hashMs: hashMs - h0, encodeHashMs };
}

interface Large {
  events: number;
  traceEvents: number;
  runMs: number;
  retainedPerEvent: number;
  tracePerEvent: number;
  rssPerEvent: number;
  peakRssMb: number;
  baseRssMb: number;
}

/** latency-tail at its largest, in this (fresh) process. */
async function measureLarge(): Promise<Large> {
  const config = { ...(await configOf("latency-tail")), params: { requests: 100_000 }, horizon: "6h" };
  await new Promise((r) => setImmediate(r));
  gc();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  const result = await runScenario(config);
  const runMs = performance.now() - t0;
  await new Promise((r) => setImmediate(r));
  gc();
  const m1 = process.memoryUsage();
  const events = result.outcome.events;
  const peak = process.resourceUsage().maxRSS * 1024;
  const out: Large = {
    events,
    traceEvents: result.trace.length,
    runMs,
    retainedPerEvent: (m1.heapUsed + m1.arrayBuffers - m0.heapUsed - m0.arrayBuffers) / events,
    tracePerEvent: result.trace.storedBytes / events,
    rssPerEvent: (peak - m0.rss) / events,
    peakRssMb: peak / 1e6,
    baseRssMb: m0.rss / 1e6,
  };
  if (result.verdict === "crashed") throw new Error("latency-tail crashed");
  return out;
}

async function main(): Promise<void> {
  console.log(
    `agentsim scenario benchmark: the catalog's files at their default seeds, warm; ${ROUNDS} rounds, scenarios interleaved; node ${process.version}`,
  );
  console.log(`at start: ${loadNote()}\n`);
  let allMet = true;
  const configs = await Promise.all(catalog.map(async (d) => ({ name: d.name, config: await configOf(d.name) })));
  for (const { config } of configs) for (let i = 0; i < 3; i++) await sampleRun(config);
  const samples: Record<string, RunSample[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < configs.length; k++) {
      const { name, config } = configs[(k + r) % configs.length] as (typeof configs)[number];
      (samples[name] ??= []).push(await sampleRun(config));
    }
  }
  console.log(
    `  hash share: time in Trace.hash over the run's; with encoding: recording the run's events afresh and hashing them, over the run's (an upper bound)`,
  );
  console.log(
    `  ${"scenario".padEnd(22)} ${"kernel ev".padStart(9)} ${"trace ev".padStart(9)} ${"median ms".padStart(10)} ${"us/kernel ev".padStart(13)} ${"hash share".padStart(11)} ${"with encoding".padStart(14)} ${"JSON hash would be".padStart(19)}`,
  );
  for (const { name } of configs) {
    const ss = samples[name] as RunSample[];
    const ms = median(ss.map((s) => s.ms));
    const share = median(ss.map((s) => s.hashMs / s.ms));
    const encShare = median(ss.map((s) => s.encodeHashMs / s.ms));
    const jsonShare = median(ss.map((s) => s.jsonHashMs / (s.ms - s.hashMs + s.jsonHashMs)));
    const s0 = ss[0] as RunSample;
    const mark = name === "stampede" ? `  (target <= ${HASH_TARGET * 100}%, with encoding: ${verdict(encShare <= HASH_TARGET)})` : "";
    if (name === "stampede") allMet &&= encShare <= HASH_TARGET;
    console.log(
      `  ${name.padEnd(22)} ${String(s0.events).padStart(9)} ${String(s0.traceEvents).padStart(9)} ${ms.toFixed(2).padStart(10)} ${((ms * 1000) / s0.events).toFixed(2).padStart(13)} ${`${(share * 100).toFixed(1)}%`.padStart(11)} ${`${(encShare * 100).toFixed(1)}%`.padStart(14)} ${`${(jsonShare * 100).toFixed(1)}%`.padStart(19)}${mark}`,
    );
  }

  const sweepConfig = (configs.find((c) => c.name === "double-refund") as (typeof configs)[number]).config;
  await sampleSweep(sweepConfig, Math.min(50, SWEEP_SEEDS));
  const sweeps: { ms: number; hashMs: number; encodeHashMs: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) sweeps.push(await sampleSweep(sweepConfig, SWEEP_SEEDS));
  const sweepShare = median(sweeps.map((s) => s.hashMs / s.ms));
  const sweepEncShare = median(sweeps.map((s) => s.encodeHashMs / s.ms));
  const perSeed = median(sweeps.map((s) => s.ms / SWEEP_SEEDS));
  allMet &&= sweepEncShare <= HASH_TARGET;
  console.log(
    `\n  sweep seed (double-refund, runSeed over seeds 1..${SWEEP_SEEDS}): ${perSeed.toFixed(2)} ms a seed; hash ${(sweepShare * 100).toFixed(1)}% of it, ${(sweepEncShare * 100).toFixed(1)}% with its encoding (medians of ${ROUNDS} rounds)  (target <= ${HASH_TARGET * 100}%, with encoding: ${verdict(sweepEncShare <= HASH_TARGET)})`,
  );

  if (LARGE) {
    const large = await inChild<Large>(import.meta.url, ["--large"]);
    allMet &&= large.retainedPerEvent <= 256;
    console.log(
      `\n  latency-tail at its largest (100,000 requests), fresh process: ${large.events.toLocaleString("en-US")} kernel events, ${large.traceEvents.toLocaleString("en-US")} trace events, ${(large.runMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `    retained after the run (heap + array buffers, result alive): ${large.retainedPerEvent.toFixed(0)} B per kernel event  (target <= 256 B: ${verdict(large.retainedPerEvent <= 256)})`,
    );
    console.log(`    the trace's own store: ${large.tracePerEvent.toFixed(0)} B per kernel event`);
    console.log(
      `    peak RSS ${large.peakRssMb.toFixed(0)} MB (${large.baseRssMb.toFixed(0)} MB before the run): ${large.rssPerEvent.toFixed(0)} B per kernel event at the peak (actors' state and garbage not yet collected included)`,
    );
  }
  console.log(`\nat end: ${loadNote()}`);
  console.log(allMet ? "All scenario targets met." : "Some scenario targets missed (see above).");
}

if (process.argv[2] === "--large") {
  const large = await measureLarge();
  if (process.send) process.send(large);
  else console.log(JSON.stringify(large));
} else await main();
