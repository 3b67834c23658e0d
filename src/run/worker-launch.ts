/**
 * Starts a sweep's worker thread, from built JavaScript or from TypeScript source.
 *
 * Built (`dist/`, where this code sits in a bundle of either module format), the worker is the ES
 * module `worker-entry.mjs` beside it: a thread loads its own modules, so a CommonJS caller starts
 * the same worker as an ES module one. From source (under tsx or
 * vitest, where this module's URL ends in `.ts`), Node 20 does not apply `--import tsx` to a
 * worker's entry module (measured: "Unknown file extension .ts"), so the worker starts from a
 * two-line ES module bootstrap that registers tsx's loader in the thread and then imports
 * `worker-entry.ts`. Scenario modules written in TypeScript then load in the worker too.
 *
 * A worker's stdout is its own stream, forwarded to the process's stderr: what a scenario module
 * prints never lands in the sweep's json on stdout.
 */
import { Worker } from "node:worker_threads";
import type { WorkerInit } from "./worker-protocol.js";

/** Starts one worker thread for a sweep. */
export function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  const options = { workerData: init, stdout: true } as const;
  let worker: Worker;
  if (!here.endsWith(".ts")) worker = new Worker(new URL("./worker-entry.mjs", here), options);
  else {
    const entry = new URL("./worker-entry.ts", here).href;
    const bootstrap = `import { register } from ${JSON.stringify(tsxApi())}; register(); await import(${JSON.stringify(entry)});`;
    worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
  }
  worker.stdout.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return worker;
}

/** The URL of tsx's ESM register API, or an error saying how to run without it. */
function tsxApi(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    throw new Error(
      "sweeps run from TypeScript source need tsx to start worker threads: npm install --save-dev tsx, or build with npm run build and run dist/",
    );
  }
}
