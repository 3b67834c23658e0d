/**
 * The wall-clock budget of the runs of one command (`run`, `report`, `check`, `replay`): each run
 * of the scenario may take at most `budgetMs` of real time.
 *
 * Two guards watch the same shared memory, where each run writes its seed and phase:
 * - in this thread, a timer: when a run awaits forever (or just too long), the command's promise
 *   rejects with `BudgetExceeded` and the command ends with exit 3 and a message naming the seed
 *   and the phase;
 * - a watchdog thread, when the command writes to the real process streams: a synchronous
 *   infinite loop never lets this thread's timer fire, so after the budget and a grace second the
 *   watchdog writes the same message to stderr itself and kills the process (SIGKILL: exit status
 *   137 in a shell). A loop cannot be interrupted inside a thread; running a seed where it can be
 *   stopped cleanly is what `sweep` does (and `runSeedWithBudget` in the library).
 */
import { Worker } from "node:worker_threads";
import type { RunConfig } from "../run/run-scenario.js";
import { formatDuration } from "../sim/duration.js";

/** The default budget of one run of `run`, `report`, `check` and `replay`. */
export const DEFAULT_RUN_BUDGET_MS = 10 * 60_000;

/** A run went over its budget. */
export class BudgetExceeded extends Error {
  override name = "BudgetExceeded";
}

/** A command's budget: pass `onPhase` into the runs, wrap the work with `guard`, or `release` it when there is no work. */
export interface RunBudget {
  onPhase: NonNullable<RunConfig["onPhase"]>;
  /** Rejects with `BudgetExceeded` as soon as a run is over budget; stops watching when `work` settles. */
  guard<T>(work: Promise<T>): Promise<T>;
  /** Stops the watchdog when no run will be guarded (the file did not load). */
  release(): void;
}

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const ints = new Int32Array(workerData.buffer, 0, 3);
const seedOf = new Float64Array(workerData.buffer, 16, 1);
const phases = ["idle", "build", "run", "check", "metrics"];
let started = -1, since = Date.now();
setInterval(() => {
  if (Atomics.load(ints, 2) !== 0) process.exit(0);
  const now = Date.now(), s = Atomics.load(ints, 1), phase = Atomics.load(ints, 0);
  if (s !== started || phase === 0) { started = s; since = now; return; }
  if (now - since > workerData.budgetMs + 1000) {
    writeSync(2, workerData.prefix + "seed " + seedOf[0] + " " + workerData.what + " while in phase " + phases[phase] + ", in a synchronous loop; the process is stopped\\n");
    process.kill(process.pid, "SIGKILL");
  }
}, 100);
`;

/**
 * Starts watching; `watchdog` adds the thread that stops a synchronous loop (real process streams
 * only). The thread starts here, not when the run does: start it before loading the scenario, so
 * that its start-up (a Node.js thread takes ~30 ms of CPU) overlaps the loading on another core,
 * instead of a short run's exit waiting for a thread still starting (measured: ~35 ms of wall time
 * on a 250 ms run).
 */
export function startRunBudget(budgetMs: number, prefix: string, options: { watchdog: boolean }): RunBudget {
  const buffer = new SharedArrayBuffer(24);
  const shared = { ints: new Int32Array(buffer, 0, 3), seed: new Float64Array(buffer, 16, 1) };
  const what = `exceeded the time budget of ${formatDuration(budgetMs)} (wall clock)`;
  const onPhase: RunBudget["onPhase"] = (phase, seed) => {
    const code = ["done", "build", "run", "check", "metrics"].indexOf(phase);
    if (phase === "build") {
      shared.seed[0] = seed;
      Atomics.add(shared.ints, 1, 1);
    }
    Atomics.store(shared.ints, 0, Math.max(0, code));
  };
  if (!Number.isFinite(budgetMs)) return { onPhase, guard: (work) => work, release: () => {} };
  let dog: Worker | undefined;
  if (options.watchdog) {
    dog = new Worker(WATCHDOG, { eval: true, workerData: { buffer, budgetMs, prefix, what } });
    dog.unref();
  }
  const release = (): void => {
    Atomics.store(shared.ints, 2, 1);
    void dog?.terminate();
  };
  return {
    onPhase,
    release,
    guard<T>(work: Promise<T>): Promise<T> {
      let timer: ReturnType<typeof setInterval> | undefined;
      const over = new Promise<never>((_, reject) => {
        let started = -1;
        let since = performance.now(); // nondeterminism-ok: the wall-clock budget, never a result
        timer = setInterval(
          () => {
            const now = performance.now(); // nondeterminism-ok: as above
            const s = Atomics.load(shared.ints, 1);
            const phase = Atomics.load(shared.ints, 0);
            if (s !== started || phase === 0) {
              started = s;
              since = now;
              return;
            }
            if (now - since <= budgetMs) return;
            // The run goes on in the background; once the command has returned, end the process.
            if (options.watchdog) setTimeout(() => process.exit(), 2_000).unref();
            reject(new BudgetExceeded(`seed ${shared.seed[0]} ${what} while in phase ${["idle", "build", "run", "check", "metrics"][phase]}; it was stopped`));
          },
          Math.max(1, Math.min(100, budgetMs / 4)),
        );
        timer.unref?.();
      });
      const stop = (): void => {
        clearInterval(timer);
        release();
      };
      return Promise.race([work, over]).finally(stop);
    },
  };
}
