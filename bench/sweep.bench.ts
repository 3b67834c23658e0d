/**
 * The sweep benchmark (issue 6): `npm run bench` runs it after the kernel benchmark (with tsx,
 * against src/; worker threads register tsx themselves).
 *
 * Workload: `agentsim sweep scenarios/double-refund.yaml` over SEEDS seeds (default 2,000;
 * AGENTSIM_BENCH_SEEDS overrides), with 1 worker thread and with 2. Times are wall-clock for the
 * whole sweep, worker start-up included, as a user waits for it. Rounds alternate 1 and 2 workers
 * so that a change in machine load hits both alike; the best round of each counts. The two sweeps
 * must return identical summaries (same verdicts, metrics and trace hashes for every seed), which
 * proves they did the same work.
 *
 * Target: 2 workers at least 1.7x the seeds/s of 1 on a 2-core machine. Other processes on the
 * cores lower the ratio, so each sweep also reports the machine's load average and the CPU time
 * the whole process used (all threads: `process.cpuUsage`), as cores held on average over the
 * sweep: 2 workers that get only ~1 core cannot run 2x faster, whatever the sweep does. CPU time
 * per seed shows what parallelism itself costs (start-up, messages).
 */
import { availableParallelism, loadavg } from "node:os";
import { runSweep, type SweepRun } from "../src/run/sweep.js";

const FILE = "scenarios/double-refund.yaml";
const SEEDS = Number(process.env.AGENTSIM_BENCH_SEEDS ?? 2_000);
const ROUNDS = Number(process.env.AGENTSIM_BENCH_ROUNDS ?? 2);
const TARGET = 1.7;

/** One timed sweep: its wall time and the process's CPU time (all threads) in seconds, and its results. */
async function timeSweep(workers: number, seeds: readonly number[]): Promise<{ seconds: number; cpu: number; run: SweepRun }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = await runSweep({ file: FILE, seeds, workers });
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, run };
}

async function main(): Promise<void> {
  const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
  console.log(`agentsim sweep benchmark: ${FILE}, seeds 1..${SEEDS}, node ${process.version}, ${availableParallelism()} cores`);
  console.log(`wall time per sweep, worker start-up included; best of ${ROUNDS} rounds, 1 and 2 workers alternating\n`);
  const best: Record<number, number> = {};
  const held: Record<number, number> = {};
  const results: Record<number, SweepRun> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const workers of [1, 2]) {
      const load = loadavg()[0] ?? 0;
      const { seconds, cpu, run } = await timeSweep(workers, seeds);
      results[workers] = run;
      best[workers] = Math.min(best[workers] ?? Infinity, seconds);
      held[workers] = Math.max(held[workers] ?? 0, cpu / seconds);
      const perSeed = ((cpu / SEEDS) * 1000).toFixed(1);
      console.log(
        `  round ${r + 1}, ${workers} worker${workers > 1 ? "s" : " "}: ${seconds.toFixed(2).padStart(7)} s  ${(SEEDS / seconds).toFixed(0).padStart(5)} seeds/s` +
          `  CPU ${perSeed} ms/seed, ${(cpu / seconds).toFixed(2)} cores held  (load average ${load.toFixed(1)})`,
      );
    }
  }
  if (JSON.stringify(results[1]?.results) !== JSON.stringify(results[2]?.results)) throw new Error("1 and 2 workers returned different summaries");
  const violated = results[1]?.results.filter((s) => s.verdict === "violated").length ?? 0;
  const one = SEEDS / (best[1] as number);
  const two = SEEDS / (best[2] as number);
  const ratio = two / one;
  console.log(`\n  ${violated.toLocaleString("en-US")} of ${SEEDS.toLocaleString("en-US")} seeds violated at-most-once-effect; identical summaries with 1 and 2 workers`);
  console.log(`  1 worker   ${one.toFixed(1).padStart(7)} seeds/s`);
  console.log(`  2 workers  ${two.toFixed(1).padStart(7)} seeds/s`);
  console.log(`  scaling    ${ratio.toFixed(2).padStart(7)}x  (target >= ${TARGET}: ${ratio >= TARGET ? "met" : "MISSED"})`);
  const most = held[2] ?? 0;
  if (most < 1.8) console.log(`  note: the 2-worker sweeps held at most ${most.toFixed(2)} cores (other processes had the rest), which bounds the ratio; rerun on an idle machine`);
}

await main();
