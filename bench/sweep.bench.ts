/**
 * The sweep benchmark (issues 6 and 17): `npm run bench` runs it after the kernel benchmark (with
 * tsx, against src/; worker threads register tsx themselves).
 *
 * Workload: `agentsim sweep scenarios/double-refund.yaml --seeds 1..N` (AGENTSIM_BENCH_SEEDS sets
 * N, default 10,000; AGENTSIM_BENCH_ROUNDS the rounds, default 3), with 1 worker thread and with 2.
 * Each round runs the two back to back (the order alternating between rounds), so that a change in
 * machine load hits both alike; the ratio is taken within each round (paired), and the median and
 * the minimum of the rounds' ratios are reported. "Whole" is the wall time as a user waits for it,
 * worker start-up included; "steady" runs from the first seed's result to the last.
 *
 * Target (issue 17): 2 workers at least 1.8x the seeds/s of 1, on 2 cores. What bounds it is
 * printed beside it:
 * - the cores the process actually held (`process.cpuUsage` over all threads, per wall second):
 *   2 workers that get ~1.2 cores because other processes hold the rest cannot run 2x faster;
 * - the CPU time per seed with 1 and with 2 workers: equal means parallelism costs nothing
 *   (messages, start-up), so the ratio is the cores held and nothing else;
 * - the main thread's event-loop utilization: the share of the sweep's wall time the main thread
 *   was busy (recording results); near 0 means it is never what the workers wait on.
 * The two sweeps must return identical summaries (same verdicts, metrics and trace hashes for
 * every seed), which proves they did the same work.
 */
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { runSweep, type SweepRun } from "../src/run/sweep.js";

const FILE = "scenarios/double-refund.yaml";
const SEEDS = Number(process.env.AGENTSIM_BENCH_SEEDS ?? 10_000);
const ROUNDS = Number(process.env.AGENTSIM_BENCH_ROUNDS ?? 3);
const TARGET = 1.8;

/** What one timed sweep took. */
interface Timed {
  /** Wall time of the whole sweep, worker start-up included. */
  seconds: number;
  /** Wall time from the first seed's result to the last: the running sweep, start-up excluded. */
  steadySeconds: number;
  /** CPU time of the whole process (all threads), in seconds. */
  cpu: number;
  /** The main thread's event-loop utilization over the sweep (0 idle .. 1 always busy). */
  mainBusy: number;
  run: SweepRun;
}

async function timeSweep(workers: number, seeds: readonly number[]): Promise<Timed> {
  let first = 0;
  let last = 0;
  const onResult = (_: unknown, done: number): void => {
    const now = performance.now();
    if (done === 1) first = now;
    last = now;
  };
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = await runSweep({ file: FILE, seeds, workers, onResult });
  const c = process.cpuUsage(c0);
  const mainBusy = performance.eventLoopUtilization(elu).utilization;
  return { seconds: (performance.now() - t0) / 1000, steadySeconds: (last - first) / 1000, cpu: (c.user + c.system) / 1e6, mainBusy, run };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
  console.log(`agentsim sweep benchmark: ${FILE}, seeds 1..${SEEDS}, node ${process.version}, ${availableParallelism()} cores`);
  console.log(
    `${ROUNDS} paired rounds (1 and 2 workers back to back, order alternating); ratios within each round; "whole" includes worker start-up, "steady" runs from the first result to the last\n`,
  );
  const pairs: { one: Timed; two: Timed }[] = [];
  let reference: SweepRun | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [1, 2] : [2, 1];
    const got: Record<number, Timed> = {};
    for (const workers of order) {
      const load = loadavg()[0] ?? 0;
      const t = await timeSweep(workers, seeds);
      got[workers] = t;
      if (reference && JSON.stringify(reference.results) !== JSON.stringify(t.run.results)) throw new Error(`${workers} workers returned different summaries`);
      reference ??= t.run;
      console.log(
        `  round ${r + 1}, ${workers} worker${workers > 1 ? "s" : " "}: whole ${t.seconds.toFixed(2).padStart(6)} s (${rate(t.seconds)} seeds/s), steady ${rate(t.steadySeconds)} seeds/s,` +
          ` CPU ${((t.cpu / SEEDS) * 1000).toFixed(2)} ms/seed, ${(t.cpu / t.seconds).toFixed(2)} cores held, main thread busy ${(t.mainBusy * 100).toFixed(1)}% (load average ${load.toFixed(1)})`,
      );
    }
    pairs.push({ one: got[1] as Timed, two: got[2] as Timed });
  }
  const whole = pairs.map((p) => p.one.seconds / p.two.seconds);
  const steady = pairs.map((p) => p.one.steadySeconds / p.two.steadySeconds);
  const cores = pairs.map((p) => p.two.cpu / p.two.seconds / (p.one.cpu / p.one.seconds));
  const cpuCost = pairs.map((p) => p.two.cpu / p.one.cpu);
  const violated = reference?.results.filter((s) => s.verdict === "violated").length ?? 0;
  console.log(
    `\n  ${violated.toLocaleString("en-US")} of ${SEEDS.toLocaleString("en-US")} seeds violated at-most-once-effect; identical summaries in every sweep`,
  );
  console.log(`                         median    min`);
  console.log(
    `  2 / 1 workers, whole    ${fx(median(whole))}  ${fx(Math.min(...whole))}   (target >= ${TARGET}: ${median(whole) >= TARGET ? "met" : "MISSED"})`,
  );
  console.log(
    `  2 / 1 workers, steady   ${fx(median(steady))}  ${fx(Math.min(...steady))}   (target >= ${TARGET}: ${median(steady) >= TARGET ? "met" : "MISSED"})`,
  );
  console.log(
    `  cores held, 2 / 1       ${fx(median(cores))}  ${fx(Math.min(...cores))}   (the most the ratio can be, given the cores the machine gave the process)`,
  );
  console.log(`  CPU time, 2 / 1         ${fx(median(cpuCost))}  ${fx(Math.min(...cpuCost))}   (1.00: parallelism costs no extra work)`);
  const busy = Math.max(...pairs.map((p) => p.two.mainBusy));
  console.log(`  main thread busy at most ${(busy * 100).toFixed(1)}% of a 2-worker sweep: ${busy < 0.2 ? "never what the workers wait on" : "a bound"}`);
  if (median(whole) < TARGET)
    console.log(
      `  bound: ${median(cores) < TARGET ? `the 2-worker sweeps held only ${fx(median(cores)).trim()} the cores of the 1-worker ones (other processes on the machine); rerun on an idle machine` : "worker start-up and the tail of the list (see steady)"}`,
    );

  function rate(seconds: number): string {
    return (SEEDS / seconds).toFixed(0).padStart(5);
  }
}

function fx(x: number): string {
  return `${x.toFixed(2)}x`.padStart(6);
}

await main();
