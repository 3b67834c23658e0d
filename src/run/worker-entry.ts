/**
 * A sweep's worker thread: loads the scenario file named in its `workerData`, then runs the chunks
 * of seeds it receives, one seed at a time, posting a small summary per seed. The trace of each
 * run is dropped once summarized; nothing but summaries crosses the thread boundary.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { formatProblem } from "../config/problem.js";
import { toRunConfig } from "../config/scenario-config.js";
import { metricUnits, runSeed } from "./sweep-summary.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("worker-entry.ts runs as a worker thread of a sweep; use runSweep() to start it");
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

const loaded = await loadScenarioFile(init.file, { overrides: init.overrides, mitigate: init.mitigate });
if (!loaded.ok) {
  post({ type: "fatal", message: loaded.problems.map(formatProblem).join("\n") });
  port.close();
} else {
  const base = toRunConfig(loaded.config);
  let unitsSent = false;
  port.on("message", async (m: ToWorker) => {
    for (const seed of m.seeds) {
      const { summary, result } = await runSeed(base, seed, { checkDeterminism: init.checkDeterminism });
      if (!unitsSent && result) {
        unitsSent = true;
        post({ type: "result", summary, units: metricUnits(result.metrics) });
      } else post({ type: "result", summary });
    }
    post({ type: "idle" });
  });
  post({ type: "ready" });
}
