/**
 * A sweep's worker thread: loads the scenario file named in its `workerData`, then runs the chunks
 * of seeds it receives, one seed at a time, posting the summaries in batches. The trace of each
 * run is dropped once summarized; nothing but summaries crosses the thread boundary.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { formatProblem } from "../config/problem.js";
import { toRunConfig } from "../config/scenario-config.js";
import type { Metric } from "../scenarios/scenario.js";
import { metricUnits, runSeed, type SeedSummary } from "./sweep-summary.js";
import { WorkerProgress, type FromWorker, type ToWorker, type WorkerInit } from "./worker-protocol.js";

/** How long finished summaries may wait before they are posted (a batch per message, not one message a seed). */
const BATCH_MS = 25;

const port = parentPort;
if (!port) throw new Error("worker-entry.ts runs as a worker thread of a sweep; use runSweep() to start it");
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);
const progress = new WorkerProgress(init.progress);

const loaded = await loadScenarioFile(init.file, { overrides: init.overrides, mitigate: init.mitigate });
if (!loaded.ok) {
  post({ type: "fatal", message: loaded.problems.map(formatProblem).join("\n") });
  port.close();
} else {
  const base = {
    ...toRunConfig(loaded.config),
    onPhase: (phase: Parameters<WorkerProgress["enter"]>[0] | "done", seed: number) => progress.enter(phase === "done" ? "idle" : phase, seed),
  };
  let units: Record<string, NonNullable<Metric["unit"]>> | undefined;
  let unitsSent = false;
  let batch: SeedSummary[] = [];
  let since = performance.now(); // nondeterminism-ok: batching of messages only, never a result
  const flush = (): void => {
    if (!batch.length) return;
    post(!unitsSent && units ? { type: "results", summaries: batch, units } : { type: "results", summaries: batch });
    if (units) unitsSent = true;
    batch = [];
    since = performance.now(); // nondeterminism-ok: as above
  };
  // Chunks run strictly in the order they arrive, even though each run awaits.
  let queue = Promise.resolve();
  port.on("message", (m: ToWorker) => {
    if (m.type === "close") {
      // Ends once the chunks before it are done: the thread exits on its own, its stdout flushed.
      queue = queue.then(stdoutDrained).then(() => port.close());
      return;
    }
    queue = queue.then(async () => {
      for (const seed of m.seeds) {
        const { summary, result } = await runSeed(base, seed, { checkDeterminism: init.checkDeterminism });
        progress.enter("idle", seed);
        if (!units && result) units = metricUnits(result.metrics);
        batch.push(summary);
        if (performance.now() - since >= BATCH_MS) flush(); // nondeterminism-ok: as above
      }
      flush();
      // Runs resume on microtasks, so the thread's stdout (what the scenario printed) is sent to the
      // sweep only when the event loop turns: let it, once per chunk.
      await stdoutDrained();
    });
  });
  post({ type: "ready" });
}

/** Resolves once everything written to this thread's stdout so far has been handed to the sweep. */
function stdoutDrained(): Promise<void> {
  return new Promise((resolve) => process.stdout.write("", () => resolve()));
}
