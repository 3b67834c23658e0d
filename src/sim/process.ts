/**
 * Processes: actors written as plain async functions over a `ProcessContext`.
 * This file holds the promise-facing primitives (signals, mailboxes, cancellation) and the
 * bookkeeping of a process (what it waits on, since when). The kernel that drives them is
 * `simulation.ts`.
 */

/** The reason a cancelled wait rejects with. `reason` says who cancelled and why. */
export class CancelledError extends Error {
  override name = "CancelledError";
  constructor(readonly reason: string) {
    super(`cancelled: ${reason}`);
  }
}

/** True for the error a cancelled wait rejects with. */
export function isCancelled(e: unknown): e is CancelledError {
  return e instanceof CancelledError;
}

/** What a process is doing, for stall and liveness reports: running, waiting, or how it ended. */
export type ProcessStatus = "running" | "waiting" | Ended<unknown>["status"];

/**
 * How something the simulation ran ended, one shape everywhere: a process (`join()` resolves to
 * this and never rejects), an agent function under `simulate` or in a world, a step. `done` with
 * what it returned, `failed` with what it threw, or `unfinished` with why it never finished (it
 * was cancelled, or the run ended first).
 */
export type Ended<T> = { status: "done"; value: T } | { status: "failed"; error: unknown } | { status: "unfinished"; reason: string };

/** A wait a process is blocked in; cancelling the process rejects it. */
export interface PendingWait {
  readonly label: string;
  readonly since: number;
  cancel(reason: string): void;
}

/** A process waiting when the run ended: the evidence of a stall. */
export interface WaitingProcess {
  process: string;
  waitingOn: string[];
  since: number;
}

/**
 * Observers that the kernel notifies when a waiter is woken from outside a process (a timer, a
 * callback), so that it lets continuations run before advancing time.
 */
export interface WakeSink {
  wake(): void;
}

/** A one-shot event with a value; processes `ctx.wait` on it. Firing twice is an error. */
export class Signal<T = void> {
  readonly name: string;
  #fired = false;
  #value: T | undefined;
  #waiters: ((v: T) => void)[] = [];
  readonly #sink: WakeSink;

  constructor(name: string, sink: WakeSink) {
    this.name = name;
    this.#sink = sink;
  }

  get fired(): boolean {
    return this.#fired;
  }

  /** The value it fired with (undefined until fired). */
  get value(): T | undefined {
    return this.#value;
  }

  /** Fires the signal, waking every waiter. */
  fire(value: T): void {
    if (this.#fired) throw new Error(`signal "${this.name}" fired twice`);
    this.#fired = true;
    this.#value = value;
    const ws = this.#waiters;
    this.#waiters = [];
    if (ws.length) this.#sink.wake();
    for (const w of ws) w(value);
  }

  /** @internal Registers a waiter; returns a function that removes it. */
  subscribe(w: (v: T) => void): () => void {
    if (this.#fired) {
      w(this.#value as T);
      return () => {};
    }
    this.#waiters.push(w);
    return () => {
      const i = this.#waiters.indexOf(w);
      if (i >= 0) this.#waiters.splice(i, 1);
    };
  }
}

/** A FIFO of messages; processes `ctx.receive` from it. */
export class Mailbox<T> {
  readonly name: string;
  readonly #items: T[] = [];
  #waiters: ((v: T) => void)[] = [];
  readonly #sink: WakeSink;

  constructor(name: string, sink: WakeSink) {
    this.name = name;
    this.#sink = sink;
  }

  /** Messages queued and not yet received. */
  get size(): number {
    return this.#items.length;
  }

  send(message: T): void {
    const w = this.#waiters.shift();
    if (w) {
      this.#sink.wake();
      w(message);
    } else {
      this.#items.push(message);
    }
  }

  /** @internal Takes a message at once if there is one. */
  take(): { ok: true; value: T } | { ok: false } {
    return this.#items.length ? { ok: true, value: this.#items.shift() as T } : { ok: false };
  }

  /** @internal Registers a receiver; returns a function that removes it. */
  subscribe(w: (v: T) => void): () => void {
    this.#waiters.push(w);
    return () => {
      const i = this.#waiters.indexOf(w);
      if (i >= 0) this.#waiters.splice(i, 1);
    };
  }
}

/** An AbortSignal-style view of a process's cancellation. */
export interface CancelSignal {
  readonly cancelled: boolean;
  readonly reason: string | undefined;
  /** Runs `cb` when cancelled (at once if already). Returns a function that unregisters it. */
  onCancel(cb: (reason: string) => void): () => void;
}
