/**
 * The messages between a sweep and its worker threads. A worker loads the scenario file itself
 * (from `WorkerInit`), says `ready`, then runs the chunks of seeds it is handed, in the order
 * received (the sweep keeps one chunk queued ahead, so a worker never waits for work), and posts
 * its finished seeds' summaries in batches (`results`: every few milliseconds and at the end of
 * each chunk). A worker that cannot load the file says `fatal` and exits.
 *
 * While a seed runs, the worker writes the seed and the run's phase into `progress`, shared
 * memory the sweep reads without the worker's help: a worker stuck in a synchronous loop cannot
 * answer messages, but its seed and phase are still known when its time budget runs out.
 */
import type { Metric } from "../scenarios/scenario.js";
import type { RunPhase } from "./run-phase.js";
import type { SeedSummary } from "./sweep-summary.js";

/** What a worker is started with (its `workerData`). */
export interface WorkerInit {
  file: string;
  overrides: string[];
  mitigate: string[];
  checkDeterminism: boolean;
  /** `PROGRESS_BYTES` of shared memory, see `WorkerProgress`. */
  progress: SharedArrayBuffer;
}

/** Sweep to worker. */
/** `run` these seeds; `close`: no more work, exit once the queued chunks are done (so that what the scenario printed is flushed). */
export type ToWorker = { type: "run"; seeds: number[] } | { type: "close" };

/** Worker to sweep. */
export type FromWorker =
  | { type: "ready" }
  | { type: "fatal"; message: string }
  /** Finished seeds in the order they were handed out; `units` comes with a worker's first batch only. */
  | { type: "results"; summaries: SeedSummary[]; units?: Record<string, NonNullable<Metric["unit"]>> };

/** The phases a worker reports, by code (0: between seeds). */
export const PHASES: readonly (RunPhase | "idle")[] = ["idle", "build", "run", "check", "metrics"];

/** Bytes of a worker's progress memory: [phase code, seeds started] as int32, then the seed as float64. */
export const PROGRESS_BYTES = 16;

/** A view of a worker's progress memory (both threads make one over the same buffer). */
export class WorkerProgress {
  readonly #ints: Int32Array;
  readonly #seed: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#ints = new Int32Array(buffer, 0, 2);
    this.#seed = new Float64Array(buffer, 8, 1);
  }

  /** Worker side: a seed enters `phase` (`idle` when it is done). */
  enter(phase: RunPhase | "idle", seed: number): void {
    if (phase === "build") {
      this.#seed[0] = seed;
      Atomics.add(this.#ints, 1, 1);
    }
    Atomics.store(this.#ints, 0, PHASES.indexOf(phase));
  }

  /** Sweep side: the phase now, the number of seeds started so far, and the seed. */
  read(): { phase: RunPhase | "idle"; started: number; seed: number } {
    return { phase: PHASES[Atomics.load(this.#ints, 0)] ?? "idle", started: Atomics.load(this.#ints, 1), seed: this.#seed[0] ?? 0 };
  }
}
