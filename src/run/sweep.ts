/**
 * Runs many seeds of one scenario file in parallel worker threads.
 *
 * Each worker loads the file itself, then takes chunks of seeds (smaller as the list drains, so
 * that the workers finish together) and streams back one small summary per seed. Results are kept
 * by the seed's position in the list, so the outcome does not depend on how many workers ran it or
 * in which order they finished.
 *
 * A worker that dies (process.exit, an uncaught error, out of memory) loses no seed: the seed it
 * was running and the rest of its chunk are handed out again before the rest of the list, the
 * suspect seed alone in a chunk of its own, and a fresh worker takes over. A seed that kills a worker while running alone is
 * reported as an `error`, with the exit code and the worker's last error.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { Metric } from "../scenarios/scenario.js";
import { errorSummary, oneLine, type SeedSummary } from "./sweep-summary.js";
import { startWorker } from "./worker-launch.js";
import type { FromWorker, WorkerInit } from "./worker-protocol.js";

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
  /** Called after each seed's summary arrives (for a progress display). */
  onResult?(summary: SeedSummary, done: number, total: number): void;
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

/** Positions (into the seed list) handed to a worker together; `solo` when isolating a suspect. */
interface Chunk {
  positions: number[];
  solo: boolean;
}

/** One worker thread and the chunk it is running. */
interface Slot {
  worker: Worker;
  ready: boolean;
  chunk?: Chunk;
  /** How many of the chunk's seeds have reported. */
  reported: number;
  lastError?: string;
}

class SweepPool {
  readonly #options: SweepOptions;
  readonly #init: WorkerInit;
  /** Chunks to run again after a worker died, ahead of the rest of the list. */
  readonly #retry: Chunk[] = [];
  /** The next position of the list not yet handed out. */
  #cursor = 0;
  readonly #maxChunk: number;
  readonly #results: (SeedSummary | undefined)[];
  readonly #units: Record<string, NonNullable<Metric["unit"]>> = {};
  readonly #live = new Set<Slot>();
  readonly #width: number;
  #done = 0;
  #started = 0;
  #settled = false;
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
        this.#fail(e);
      }
    });
  }

  #spawn(): void {
    const slot: Slot = { worker: startWorker(this.#init), ready: false, reported: 0 };
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
        return this.#dispatch(slot);
      case "fatal":
        return this.#fail(new SweepLoadError(m.message));
      case "result": {
        const position = slot.chunk?.positions[slot.reported++];
        if (position === undefined) return;
        if (m.units) Object.assign(this.#units, m.units);
        return this.#record(position, m.summary);
      }
      case "idle":
        slot.chunk = undefined;
        return this.#dispatch(slot);
    }
  }

  /** Hands the slot the next chunk, or retires it when the queue is empty. */
  #dispatch(slot: Slot): void {
    if (this.#settled) return;
    const chunk = this.#nextChunk();
    if (!chunk) {
      this.#live.delete(slot);
      void slot.worker.terminate();
      return;
    }
    slot.chunk = chunk;
    slot.reported = 0;
    slot.worker.postMessage({ type: "run", seeds: chunk.positions.map((p) => this.#options.seeds[p] as number) });
  }

  #onExit(slot: Slot, code: number): void {
    if (this.#settled || !this.#live.delete(slot)) return;
    const why = `exit code ${code}${slot.lastError ? `, ${slot.lastError}` : ""}`;
    if (!slot.ready) return this.#fail(new Error(`a sweep worker died before it loaded the scenario (${why})`));
    const left = slot.chunk ? slot.chunk.positions.slice(slot.reported) : [];
    const [suspect, ...rest] = left;
    if (suspect !== undefined && slot.chunk?.solo && rest.length === 0) {
      const seed = this.#options.seeds[suspect] as number;
      this.#record(suspect, errorSummary(seed, `the worker thread running this seed died (${why})`));
    } else if (suspect !== undefined) {
      if (rest.length) this.#retry.unshift({ positions: rest, solo: false });
      this.#retry.unshift({ positions: [suspect], solo: true });
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
    if (this.#results[position] === undefined) this.#done++;
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
    for (const s of this.#live) void s.worker.terminate();
    this.#live.clear();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
