/**
 * Runs many seeds of one scenario file in parallel worker threads.
 *
 * Each worker loads the file itself, then takes chunks of seeds (smaller as the list drains, so
 * that the workers finish together; one chunk always queued ahead, so that a worker never waits
 * for the main thread) and streams back small summaries in batches. The main thread only records
 * them. Results are kept
 * by the seed's position in the list, so the outcome does not depend on how many workers ran it or
 * in which order they finished.
 *
 * A worker that dies (process.exit, an uncaught error, out of memory) loses no seed: the seed it
 * was running and the rest of its chunk are handed out again before the rest of the list, the
 * suspect seed alone in a chunk of its own, and a fresh worker takes over. A seed that kills a worker while running alone is
 * reported as an `error`, with the exit code and the worker's last error.
 *
 * A seed that runs longer than the time budget (wall clock, `budgetMs`) is stopped by terminating
 * its worker, whatever it is doing (a synchronous infinite loop included), and reported as an
 * `error` naming the budget and the phase it was in (build, run, check, metrics); the rest of the
 * sweep goes on in a fresh worker.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { Metric } from "../scenarios/scenario.js";
import { formatDuration } from "../sim/duration.js";
import { errorSummary, oneLine, type SeedSummary } from "./sweep-summary.js";
import { startWorker } from "./worker-launch.js";
import { PROGRESS_BYTES, WorkerProgress, type FromWorker, type WorkerInit } from "./worker-protocol.js";

/** The default wall-clock budget of one seed of a sweep. */
export const DEFAULT_SEED_BUDGET_MS = 60_000;

/** What to sweep. */
export interface SweepOptions {
  /** The scenario file each worker loads. */
  file: string;
  /** `--set` expressions. */
  overrides?: readonly string[];
  /** Mitigations switched on beyond the file's. */
  mitigate?: readonly string[];
  /** The seeds to run, in report order. */
  seeds: readonly number[];
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
  /**
   * The most seeds handed to a worker at a time (default 50). Chunks shrink as the list drains
   * (guided scheduling: a quarter of each worker's share of what is left), so that workers finish
   * together.
   */
  chunkSize?: number;
  /** Run each seed twice and compare trace hashes. */
  checkDeterminism?: boolean;
  /** Wall-clock budget of one seed, in ms (default `DEFAULT_SEED_BUDGET_MS`; `Infinity` for none). */
  budgetMs?: number;
  /** Called after each seed's summary arrives (to stream it to disk, for a progress display). */
  onResult?(summary: SeedSummary, done: number, total: number): void;
  /** Called once, with the metric units, as soon as they are known. */
  onUnits?(units: Record<string, NonNullable<Metric["unit"]>>): void;
}

/** What a sweep produced. */
export interface SweepRun {
  /** One summary per seed, in the order of `SweepOptions.seeds`. */
  results: SeedSummary[];
  /** Metric units by name, as the scenario reported them. */
  units: Record<string, NonNullable<Metric["unit"]>>;
  /** Worker threads started, replacements for dead ones included. */
  workersStarted: number;
}

/** A worker could not load the scenario file (bad input: every worker would fail the same way). */
export class SweepLoadError extends Error {
  override name = "SweepLoadError";
}

/** Runs every seed and returns their summaries. Rejects only with `SweepLoadError` or when a worker cannot start. */
export function runSweep(options: SweepOptions): Promise<SweepRun> {
  return new SweepPool(options).run();
}

/**
 * Runs one seed of a scenario file in a worker thread under a wall-clock budget (the library's
 * way to run untrusted or possibly looping scenario code without hanging): the seed's summary, an
 * `error` one naming the budget and phase when it ran out.
 */
export async function runSeedWithBudget(options: Omit<SweepOptions, "seeds" | "workers" | "chunkSize"> & { seed: number }): Promise<SeedSummary> {
  const run = await runSweep({ ...options, seeds: [options.seed], workers: 1 });
  return run.results[0] as SeedSummary;
}

/** Positions (into the seed list) handed to a worker together; `solo` when isolating a suspect. */
interface Chunk {
  positions: number[];
  solo: boolean;
}

/** One worker thread and the chunks it was handed, in order. */
interface Slot {
  worker: Worker;
  progress: WorkerProgress;
  ready: boolean;
  /** Chunks handed out and not yet fully reported, oldest first. */
  chunks: Chunk[];
  /** How many of the oldest chunk's seeds have reported. */
  reported: number;
  lastError?: string;
  /** The budget watch: seeds started when last looked, and since when (ms, monotonic). */
  watch: { started: number; since: number };
  /** Why the sweep stopped this worker (its budget ran out), for the seed's summary. */
  stopped?: string;
}

/** How often the budget is checked, at most (ms). */
const WATCH_MS = 100;

class SweepPool {
  readonly #options: SweepOptions;
  readonly #init: Omit<WorkerInit, "progress">;
  /** Chunks to run again after a worker died, ahead of the rest of the list. */
  readonly #retry: Chunk[] = [];
  /** The next position of the list not yet handed out. */
  #cursor = 0;
  readonly #maxChunk: number;
  readonly #budgetMs: number;
  readonly #results: (SeedSummary | undefined)[];
  readonly #units: Record<string, NonNullable<Metric["unit"]>> = {};
  #unitsKnown = false;
  readonly #live = new Set<Slot>();
  readonly #width: number;
  #done = 0;
  #started = 0;
  #settled = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #resolve: (r: SweepRun) => void = () => {};
  #reject: (e: unknown) => void = () => {};

  constructor(options: SweepOptions) {
    this.#options = options;
    this.#init = {
      file: options.file,
      overrides: [...(options.overrides ?? [])],
      mitigate: [...(options.mitigate ?? [])],
      checkDeterminism: options.checkDeterminism ?? false,
    };
    const total = options.seeds.length;
    const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.#maxChunk = Math.max(1, Math.floor(options.chunkSize ?? 50));
    this.#budgetMs = options.budgetMs ?? DEFAULT_SEED_BUDGET_MS;
    this.#results = new Array<SeedSummary | undefined>(total);
    this.#width = Math.min(workers, total);
  }

  run(): Promise<SweepRun> {
    return new Promise<SweepRun>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (this.#options.seeds.length === 0) return this.#finish();
      try {
        for (let i = 0; i < this.#width; i++) this.#spawn();
      } catch (e) {
        return this.#fail(e);
      }
      if (Number.isFinite(this.#budgetMs)) {
        this.#timer = setInterval(() => this.#watch(), Math.max(1, Math.min(WATCH_MS, this.#budgetMs / 4))); // nondeterminism-ok: the wall-clock budget's watchdog, never part of a result
        this.#timer.unref?.();
      }
    });
  }

  #spawn(): void {
    const buffer = new SharedArrayBuffer(PROGRESS_BYTES);
    const slot: Slot = {
      worker: startWorker({ ...this.#init, progress: buffer }),
      progress: new WorkerProgress(buffer),
      ready: false,
      chunks: [],
      reported: 0,
      watch: { started: 0, since: now() },
    };
    this.#started++;
    this.#live.add(slot);
    slot.worker.on("message", (m: FromWorker) => this.#onMessage(slot, m));
    slot.worker.on("error", (e) => (slot.lastError = oneLine(e)));
    slot.worker.on("exit", (code) => this.#onExit(slot, code));
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    if (this.#settled || !this.#live.has(slot)) return;
    switch (m.type) {
      case "ready":
        slot.ready = true;
        this.#dispatch(slot);
        return this.#dispatch(slot);
      case "fatal":
        return this.#fail(new SweepLoadError(m.message));
      case "results": {
        if (m.units && !this.#unitsKnown) {
          this.#unitsKnown = true;
          Object.assign(this.#units, m.units);
          this.#options.onUnits?.(this.#units);
        }
        for (const summary of m.summaries) {
          const chunk = slot.chunks[0];
          const position = chunk?.positions[slot.reported++];
          if (chunk && slot.reported >= chunk.positions.length) {
            slot.chunks.shift();
            slot.reported = 0;
          }
          if (position !== undefined) this.#record(position, summary);
          if (this.#settled) return;
        }
        // Keep one chunk queued behind the one running.
        if (slot.chunks.length < 2) this.#dispatch(slot);
        return;
      }
    }
  }

  /** Hands the slot the next chunk; retires it when it has nothing left to run. */
  #dispatch(slot: Slot): void {
    if (this.#settled) return;
    const chunk = this.#nextChunk();
    if (!chunk) {
      if (slot.chunks.length === 0) {
        // Retired: asked to close rather than terminated, so that what its scenario printed reaches stderr.
        this.#live.delete(slot);
        slot.worker.postMessage({ type: "close" });
      }
      return;
    }
    slot.chunks.push(chunk);
    slot.worker.postMessage({ type: "run", seeds: chunk.positions.map((p) => this.#options.seeds[p] as number) });
  }

  /** Stops the workers whose current seed has run past the budget. */
  #watch(): void {
    const t = now();
    for (const slot of this.#live) {
      if (slot.stopped) continue;
      const p = slot.progress.read();
      if (p.started !== slot.watch.started || p.phase === "idle") {
        slot.watch = { started: p.started, since: t };
        continue;
      }
      if (t - slot.watch.since <= this.#budgetMs) continue;
      slot.stopped = `exceeded the time budget of ${formatDuration(this.#budgetMs)} (wall clock) while in phase ${p.phase}; it was stopped`;
      void slot.worker.terminate();
    }
  }

  #onExit(slot: Slot, code: number): void {
    if (this.#settled || !this.#live.delete(slot)) return;
    const why = `exit code ${code}${slot.lastError ? `, ${slot.lastError}` : ""}`;
    if (!slot.ready && !slot.stopped) return this.#fail(new Error(`a sweep worker died before it loaded the scenario (${why})`));
    const left = slot.chunks.flatMap((c, i) => (i === 0 ? c.positions.slice(slot.reported) : c.positions));
    // The seed that was running is the first unreported one; alone in its chunk, it is the culprit.
    const soloFirst = slot.chunks[0]?.solo === true && slot.reported === 0;
    if (slot.stopped) {
      // The stuck seed is known: report it; the rest of its chunks run again.
      const stuck = this.#options.seeds.findIndex((s, i) => s === slot.progress.read().seed && left.includes(i));
      const stuckAt = stuck >= 0 ? stuck : left[0];
      if (stuckAt !== undefined) this.#record(stuckAt, errorSummary(this.#options.seeds[stuckAt] as number, slot.stopped));
      const rest = left.filter((p) => p !== stuckAt);
      if (rest.length && !this.#settled) this.#retry.unshift({ positions: rest, solo: false });
    } else {
      const [suspect, ...rest] = left;
      if (suspect !== undefined && soloFirst) {
        const seed = this.#options.seeds[suspect] as number;
        this.#record(suspect, errorSummary(seed, `the worker thread running this seed died (${why})`));
        if (rest.length) this.#retry.unshift({ positions: rest, solo: false });
      } else if (suspect !== undefined) {
        if (rest.length) this.#retry.unshift({ positions: rest, solo: false });
        this.#retry.unshift({ positions: [suspect], solo: true });
      }
    }
    if (!this.#settled && this.#hasWork() && this.#live.size < this.#width) this.#spawn();
  }

  /** Retried chunks first, then the next guided-size slice of the list. */
  #nextChunk(): Chunk | undefined {
    const retry = this.#retry.shift();
    if (retry) return retry;
    const total = this.#results.length;
    const left = total - this.#cursor;
    if (left <= 0) return undefined;
    const size = Math.max(1, Math.min(this.#maxChunk, Math.ceil(left / (this.#width * 4))));
    const chunk = { positions: range(this.#cursor, this.#cursor + size), solo: false };
    this.#cursor += size;
    return chunk;
  }

  #hasWork(): boolean {
    return this.#retry.length > 0 || this.#cursor < this.#results.length;
  }

  #record(position: number, summary: SeedSummary): void {
    if (this.#results[position] !== undefined) return;
    this.#done++;
    this.#results[position] = summary;
    this.#options.onResult?.(summary, this.#done, this.#results.length);
    if (this.#done === this.#results.length) this.#finish();
  }

  #finish(): void {
    this.#settled = true;
    this.#stopAll();
    this.#resolve({ results: this.#results as SeedSummary[], units: this.#units, workersStarted: this.#started });
  }

  #fail(e: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#stopAll();
    this.#reject(e);
  }

  #stopAll(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const s of this.#live) void s.worker.terminate();
    this.#live.clear();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Monotonic ms, for the budget watch only. */
function now(): number {
  return performance.now(); // nondeterminism-ok: the wall-clock budget, never a result
}
