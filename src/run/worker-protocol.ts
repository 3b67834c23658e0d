/**
 * The messages between a sweep and its worker threads. A worker loads the scenario file itself
 * (from `WorkerInit`), says `ready`, then runs each chunk of seeds it is handed, streaming one
 * `result` per seed and `idle` at the end of the chunk. A worker that cannot load the file says
 * `fatal` and exits.
 */
import type { Metric } from "../scenarios/scenario.js";
import type { SeedSummary } from "./sweep-summary.js";

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  file: string;
  overrides: string[];
  mitigate: string[];
  checkDeterminism: boolean;
}

/** Sweep to worker. */
export type ToWorker = { type: "run"; seeds: number[] };

/** Worker to sweep. */
export type FromWorker =
  | { type: "ready" }
  | { type: "fatal"; message: string }
  /** `units` comes with a worker's first result only. */
  | { type: "result"; summary: SeedSummary; units?: Record<string, NonNullable<Metric["unit"]>> }
  | { type: "idle" };
