/**
 * The discrete-event kernel: one virtual clock, a priority queue of timed callbacks, seeded
 * streams, a trace, and processes (async functions) that it runs deterministically.
 *
 * Time advances only between batches: every event due at time t runs, then, if any process was
 * woken, the kernel yields so that every continuation runs, and only then does time advance.
 * The same seed and the same code give the same interleaving, event for event.
 *
 * The yield is as short as it can be (issue 17): by default the kernel resumes when the microtask
 * queue has drained (a `process.nextTick` callback runs only then), so processes that await the
 * kernel's waits resume without a turn of the event loop, every promise continuation run. Work
 * that continuations queue with `process.nextTick` or `setImmediate`, or that waits on I/O, needs a
 * full event-loop turn: a simulated world (src/world), whose real libraries do all three, asks for
 * it (`eventLoopTurns`).
 */
import { ActorClock, type ActorClockOptions } from "./clock.js";
import { parseDuration, type DurationInput } from "./duration.js";
import { EventQueue } from "./event-queue.js";
import {
  CancelledError,
  Mailbox,
  Signal,
  type CancelSignal,
  type PendingWait,
  type Ended,
  type ProcessStatus,
  type WaitingProcess,
  type WakeSink,
} from "./process.js";
import { RngStreams, type RandomStream } from "./rng.js";
import { Trace, type TimeSource } from "./trace.js";

/** How simultaneous events are ordered. */
export type TieBreak = "fifo" | "shuffle";

/** What a simulation is created with. */
export interface SimulationOptions {
  /** The run's seed; every random stream forks from it. */
  seed: number;
  /** Simultaneous events: insertion order (`fifo`, default) or a seeded shuffle. */
  tieBreak?: TieBreak;
  /** Record the trace (default true). */
  trace?: boolean;
  /** The UTC instant that virtual time 0 stands for, ms since the Unix epoch (default 2026-03-09T08:00:00Z). */
  epochMs?: number;
  /**
   * Yield a full turn of the event loop between timestamps (an immediate), not just until the
   * microtask queue drains: for code that waits on immediates or I/O callbacks (a simulated world
   * turns this on). Changes speed only, never a run's trace for code that awaits only promises.
   */
  eventLoopTurns?: boolean;
}

/** Limits of one `sim.run`. */
export interface RunOptions {
  /** Stop before any event later than this virtual time. */
  horizon?: DurationInput;
  /**
   * Run at most this many events (a runaway guard, default 50 million): if another is due once
   * they have run, the run stops as `budget-exceeded`. Counts events since the simulation began.
   */
  maxEvents?: number;
}

/** How a run ended. Outcomes are data, not exceptions. */
export type RunStatus = "completed" | "stalled" | "horizon" | "budget-exceeded" | "crashed";

/** How a run ended, when, after how many events, and who was still waiting. */
export interface RunOutcome {
  status: RunStatus;
  /** Virtual time when the run stopped. */
  now: number;
  /** Events executed. */
  events: number;
  /** Processes (daemons aside) still waiting when the run stopped, with what they wait on. */
  waiting: WaitingProcess[];
  /** For `crashed`: the process that threw and its error. */
  crash?: { process: string; error: unknown };
}

/** A timer handle: cancel it with `sim.cancel(handle)`. */
export type TimerHandle = number;

/** The UTC instant virtual time 0 stands for by default: 2026-03-09T08:00:00Z. */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 2, 9, 8, 0, 0);

const SLOT_BITS = 2 ** 22;
/** Generations wrap at 2^31 so that a handle (generation * SLOT_BITS + slot) stays an exact integer. */
const GEN_MASK = 0x7fffffff;
const SHUFFLE_SPAN = 2 ** 20;
const SEQ_SPAN = 2 ** 32;

/** A process body: a plain async function of its context. */
export type ProcessBody<T> = (ctx: ProcessContext) => Promise<T>;

/** How a process is spawned. */
export interface SpawnOptions {
  /** A daemon (a server loop) may wait forever without the run counting as stalled. */
  daemon?: boolean;
}

/** A handle on a spawned process. */
export class ProcessHandle<T = unknown> {
  readonly name: string;
  /** A daemon (a server loop) may wait forever without the run counting as stalled. */
  readonly daemon: boolean;
  /**
   * @internal The oldest of the waits it is blocked in: an intrusive list, circular backwards (the
   * oldest's `prevWait` is the newest), so there is no array to touch per wait and no field for the
   * newest.
   */
  firstWait: BlockedWait<unknown> | undefined = undefined;
  /** @internal A finished sleep's wait record, kept for its next sleep (sleeping allocates less). */
  spareSleep: BlockedWait<void> | undefined = undefined;
  // Children, cancel callbacks, the cancel reason, the exit signal and the cancellation view: made
  // on first use. A live process is mostly memory (issue 17: at most 1 KB per live coroutine), so
  // every field here is one that each of thousands of blocked processes needs.
  #rare: RareParts<T> | undefined = undefined;
  #outcome: Ended<T> | undefined;
  readonly #sim: Simulation;

  /** @internal */
  constructor(name: string, sim: Simulation, daemon: boolean) {
    this.name = name;
    this.#sim = sim;
    this.daemon = daemon;
  }

  /** What it is doing: running, waiting (blocked in a wait of the simulation's), or how it ended. Derived, not stored: a field less per process. */
  get status(): ProcessStatus {
    return this.#outcome?.status ?? (this.firstWait === undefined ? "running" : "waiting");
  }

  /** The processes it spawned, in order. */
  get children(): readonly ProcessHandle[] {
    return this.#rare?.children ?? NO_CHILDREN;
  }

  /** @internal */
  addChild(child: ProcessHandle): void {
    (ProcessHandle.#parts(this).children ??= []).push(child);
  }

  /** @internal The waits it is blocked in, oldest first (a snapshot). */
  get waits(): PendingWait[] {
    const out: PendingWait[] = [];
    for (let w = this.firstWait; w !== undefined; w = w.nextWait) out.push(w);
    return out;
  }

  /** @internal Why it was cancelled, or undefined: what every wait checks first. */
  get cancelReason(): string | undefined {
    return this.#rare?.cancelReason;
  }

  /** How it ended, once it has. */
  get outcome(): Ended<T> | undefined {
    return this.#outcome;
  }

  get finished(): boolean {
    return this.#outcome !== undefined;
  }

  /** A signal that fires with the outcome when the process ends. */
  get exited(): Signal<Ended<T>> {
    const parts = ProcessHandle.#parts(this);
    if (parts.done === undefined) {
      parts.done = this.#sim.signal(`exit of ${this.name}`);
      if (this.#outcome !== undefined) parts.done.fire(this.#outcome);
    }
    return parts.done;
  }

  /** The cancellation view a process body reads. */
  get cancelSignal(): CancelSignal {
    const parts = ProcessHandle.#parts(this);
    if (parts.cancelSignal !== undefined) return parts.cancelSignal;
    const h = this;
    parts.cancelSignal = {
      get cancelled(): boolean {
        return parts.cancelReason !== undefined;
      },
      get reason(): string | undefined {
        return parts.cancelReason;
      },
      onCancel(cb) {
        if (parts.cancelReason !== undefined) {
          cb(parts.cancelReason);
          return () => {};
        }
        const cbs = (parts.cancelCallbacks ??= []);
        cbs.push(cb);
        return () => {
          const i = cbs.indexOf(cb);
          if (i >= 0) cbs.splice(i, 1);
        };
      },
    };
    return parts.cancelSignal;
  }

  /** Its rare parts, made on first use. Static, not an instance method: a class with private instance methods gives each instance a brand field. */
  static #parts<T>(h: ProcessHandle<T>): RareParts<T> {
    return (h.#rare ??= { children: undefined, cancelCallbacks: undefined, cancelReason: undefined, done: undefined, cancelSignal: undefined });
  }

  /**
   * Cancels the process and its children: every wait it is blocked in rejects with
   * `CancelledError`. Cooperative: code between waits runs on until its next wait.
   */
  cancel(reason = "cancelled"): void {
    if (this.#outcome || this.#rare?.cancelReason !== undefined) return;
    const parts = ProcessHandle.#parts(this);
    parts.cancelReason = reason;
    for (const c of this.children) c.cancel(reason);
    const cbs = parts.cancelCallbacks;
    if (cbs) {
      parts.cancelCallbacks = undefined;
      for (const cb of cbs) cb(reason);
    }
    for (const w of this.waits) w.cancel(reason);
  }

  /** @internal */
  finish(outcome: Ended<T>): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    const rare = this.#rare;
    if (rare) {
      rare.cancelCallbacks = undefined;
      rare.done?.fire(outcome);
    }
  }

  /** @internal */
  get sim(): Simulation {
    return this.#sim;
  }
}

const NO_CHILDREN: readonly ProcessHandle[] = Object.freeze([]);

/** What few processes use, made on first use: a live process costs less memory without it. */
interface RareParts<T> {
  children: ProcessHandle[] | undefined;
  cancelCallbacks: ((reason: string) => void)[] | undefined;
  /** Why it was cancelled (a cancelled process is rare; every wait reads it, through one more load). */
  cancelReason: string | undefined;
  done: Signal<Ended<T>> | undefined;
  cancelSignal: CancelSignal | undefined;
}

/**
 * What a process body is given: the clock, waits, randomness, the trace, children.
 * All waits reject with `CancelledError` when the process is cancelled.
 */
export class ProcessContext {
  // One field: a blocked process is mostly memory, and its handle knows the simulation. (No private
  // methods either: they would give each instance a brand field.)
  readonly process: ProcessHandle;

  /** @internal */
  constructor(process: ProcessHandle) {
    this.process = process;
  }

  /** The simulation this process runs in. */
  get sim(): Simulation {
    return this.process.sim;
  }

  /** Virtual time now, ms since the run began. */
  get now(): number {
    return this.process.sim.now;
  }

  /** This process's cancellation, AbortSignal-style. */
  get signal(): CancelSignal {
    return this.process.cancelSignal;
  }

  /** Throws `CancelledError` if this process has been cancelled. */
  throwIfCancelled(): void {
    const r = this.process.cancelReason;
    if (r !== undefined) throw new CancelledError(r);
  }

  /** Waits `duration` of virtual time. */
  sleep(duration: DurationInput, label?: string): Promise<void> {
    return block<void>(this.process, label, parseDuration(duration), undefined);
  }

  /** Waits until the signal fires, and returns its value. */
  wait<T>(signal: Signal<T>, label?: string): Promise<T> {
    const cancelled = cancelledNow<T>(this.process);
    if (cancelled) return cancelled;
    if (signal.fired) return Promise.resolve(signal.value as T);
    return block<T>(this.process, label ?? signal.name, 0, (settle) => signal.subscribe(settle));
  }

  /** Receives the next message from a mailbox, waiting if it is empty. */
  receive<T>(mailbox: Mailbox<T>, label?: string): Promise<T> {
    const cancelled = cancelledNow<T>(this.process);
    if (cancelled) return cancelled;
    const got = mailbox.take();
    if (got.ok) return Promise.resolve(got.value);
    return block<T>(this.process, label ?? `receive from ${mailbox.name}`, 0, (settle) => mailbox.subscribe(settle));
  }

  /**
   * Races `work` against a deadline. The work is not cancelled when the deadline wins: like a
   * real client timeout, it runs on (cancel it yourself if it should stop).
   */
  async deadline<T>(duration: DurationInput, work: Promise<T>, label?: string): Promise<{ ok: true; value: T } | { ok: false; elapsed: number }> {
    const ms = typeof duration === "number" ? duration : parseDuration(duration);
    const sim = this.process.sim;
    const start = sim.now;
    const timer = sim.signal<undefined>(`deadline ${ms}ms`);
    const h = sim.schedule(ms, fireTimer, timer);
    const wrapped = work.then((value) => ({ ok: true as const, value }));
    const timedOut = this.wait(timer, label ?? `deadline ${ms}ms`).then(() => ({ ok: false as const, elapsed: sim.now - start }));
    try {
      return await Promise.race([wrapped, timedOut]);
    } finally {
      sim.cancel(h);
      if (!timer.fired) timer.fire(undefined);
    }
  }

  /**
   * Spawns a child process; cancelling this process cancels it too. A child spawned after this
   * process was cancelled is cancelled at once (its body never runs).
   */
  spawn<T>(name: string, body: ProcessBody<T>, options?: SpawnOptions): ProcessHandle<T> {
    const child = this.process.sim.spawn(name, body, options);
    this.process.addChild(child as ProcessHandle);
    const reason = this.process.cancelReason;
    if (reason !== undefined) child.cancel(reason);
    return child;
  }

  /** Waits for a process to end and returns how it ended (rejects only if this process is cancelled). */
  join<T>(child: ProcessHandle<T>): Promise<Ended<T>> {
    return this.wait(child.exited, `join ${child.name}`);
  }

  /** The named seeded stream (shared with every other user of that name). */
  rng(name: string): RandomStream {
    return this.process.sim.rng(name);
  }
}

/** A rejected promise if the process has been cancelled (every wait rejects then), else undefined. */
function cancelledNow<T>(proc: ProcessHandle): Promise<T> | undefined {
  const reason = proc.cancelReason;
  return reason === undefined ? undefined : Promise.reject(new CancelledError(reason));
}

/**
 * Blocks a process until woken: by a timer of `sleepMs` when `subscribe` is undefined, else by
 * the callback that `subscribe` registers (it returns the function that unregisters it).
 */
function block<T>(
  proc: ProcessHandle,
  label: string | undefined,
  sleepMs: number,
  subscribe: ((settle: (v: T) => void) => () => void) | undefined,
): Promise<T> {
  const cancelled = cancelledNow<T>(proc);
  if (cancelled) return cancelled;
  const sim = proc.sim;
  const promise = new Promise<T>(captureSettlers);
  const spare = subscribe ? undefined : (proc.spareSleep as BlockedWait<T> | undefined);
  let wait: BlockedWait<T>;
  if (spare) {
    proc.spareSleep = undefined;
    wait = spare;
    wait.reuse(label, sleepMs, capturedResolve as (v: T) => void, capturedReject);
  } else {
    wait = new BlockedWait<T>(proc, label, sleepMs, capturedResolve as (v: T) => void, capturedReject);
  }
  linkWait(proc, wait as BlockedWait<unknown>);
  if (subscribe) {
    // Not a timer even if the callback settles the wait at once, before the unregistering function is returned.
    wait.source = noop;
    wait.source = subscribe((v) => wait.settle(v));
  } else wait.source = sim.schedule(sleepMs, wakeSleeper, wait);
  return promise;
}

/**
 * A wait a process is blocked in. Settles its promise once: `settle` when woken, `cancel` (which
 * removes the wake-up source) when the process is cancelled. A class rather than closures: sleeping
 * is the kernel's hottest path and allocates only this, the promise and its two settlers.
 */
class BlockedWait<T> implements PendingWait {
  since: number;
  /** What wakes it: a sleep's timer, or the function that unregisters a signal or mailbox wait's callback (one field: a live wait costs less). */
  source: TimerHandle | (() => void) = -1;
  /** Neighbours in its process's list of waits. */
  prevWait: BlockedWait<unknown> | undefined = undefined;
  nextWait: BlockedWait<unknown> | undefined = undefined;
  readonly #proc: ProcessHandle;
  /** The label, or for an unlabelled sleep its duration in ms (one field: a live wait costs less). */
  #what: string | number;
  #resolve: (v: T) => void;
  #reject: (e: unknown) => void;

  constructor(proc: ProcessHandle, label: string | undefined, sleepMs: number, resolve: (v: T) => void, reject: (e: unknown) => void) {
    this.since = proc.sim.now;
    this.#proc = proc;
    this.#what = label ?? sleepMs;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * Rearms a finished sleep's record for the process's next sleep. Safe because once a sleep has
   * settled or been cancelled nothing refers to its record: its timer has run or been cancelled.
   */
  reuse(label: string | undefined, sleepMs: number, resolve: (v: T) => void, reject: (e: unknown) => void): void {
    this.since = this.#proc.sim.now;
    this.#what = label ?? sleepMs;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** What the process waits on, for stall reports (built only when asked). */
  get label(): string {
    const what = this.#what;
    return typeof what === "string" ? what : `sleep ${what}ms`;
  }

  /** Wakes the process with `value`. */
  settle(value: T): void {
    const proc = this.#proc;
    proc.sim.wake();
    unlinkWait(proc, this as BlockedWait<unknown>);
    this.#resolve(value);
    if (typeof this.source === "number") proc.spareSleep = this as BlockedWait<unknown> as BlockedWait<void>;
  }

  cancel(why: string): void {
    const sim = this.#proc.sim;
    const source = this.source;
    if (typeof source === "number") sim.cancel(source);
    else source();
    unlinkWait(this.#proc, this as BlockedWait<unknown>);
    sim.wake();
    this.#reject(new CancelledError(why));
  }
}

let capturedResolve: (v: unknown) => void = noop;
let capturedReject: (e: unknown) => void = noop;
/** A promise executor shared by every wait: it hands the settlers out without allocating a closure. */
function captureSettlers(resolve: (v: never) => void, reject: (e: unknown) => void): void {
  capturedResolve = resolve as (v: unknown) => void;
  capturedReject = reject;
}

/** Appends a wait to its process's list (the oldest's `prevWait` is the newest). */
function linkWait(proc: ProcessHandle, wait: BlockedWait<unknown>): void {
  const first = proc.firstWait;
  wait.nextWait = undefined;
  if (first === undefined) {
    wait.prevWait = wait;
    proc.firstWait = wait;
  } else {
    const last = first.prevWait as BlockedWait<unknown>;
    last.nextWait = wait;
    wait.prevWait = last;
    first.prevWait = wait;
  }
}

/** Removes a wait from its process's list (a no-op if it is not in it: every listed wait has a `prevWait`). */
function unlinkWait(proc: ProcessHandle, wait: BlockedWait<unknown>): void {
  const { prevWait: prev, nextWait: next } = wait;
  if (prev === undefined) return;
  const first = proc.firstWait as BlockedWait<unknown>;
  if (wait === first) {
    proc.firstWait = next;
    if (next !== undefined) next.prevWait = prev;
  } else {
    prev.nextWait = next;
    if (next !== undefined) next.prevWait = prev;
    else first.prevWait = prev;
  }
  wait.prevWait = undefined;
  wait.nextWait = undefined;
}

function noop(): void {}
function wakeSleeper(wait: unknown): void {
  (wait as BlockedWait<void>).settle(undefined);
}
function fireTimer(s: unknown): void {
  const sig = s as Signal<undefined>;
  if (!sig.fired) sig.fire(undefined);
}

/** The kernel. */
export class Simulation implements TimeSource, WakeSink {
  readonly seed: number;
  readonly tieBreak: TieBreak;
  readonly epochMs: number;
  readonly trace: Trace;
  readonly rngs: RngStreams;
  #now = 0;
  #seq = 0;
  #events = 0;
  #woken = false;
  readonly #queue = new EventQueue(1024);
  #fns: (((arg: unknown) => void) | undefined)[] = [];
  #args: unknown[] = [];
  #gens = new Uint32Array(1024);
  #free: number[] = [];
  #nextSlot = 0;
  readonly #processes: ProcessHandle[] = [];
  #crash: { process: string; error: unknown } | undefined;
  #tieRng: RandomStream | undefined;
  #running = false;
  readonly #holds = new Set<Promise<void>>();
  #eventLoopTurns: boolean;

  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.tieBreak = options.tieBreak ?? "fifo";
    this.epochMs = options.epochMs ?? DEFAULT_EPOCH_MS;
    this.rngs = new RngStreams(options.seed);
    this.trace = new Trace(this, options.trace ?? true);
    if (this.tieBreak === "shuffle") this.#tieRng = this.rngs.stream("sim:ties");
    this.#eventLoopTurns = options.eventLoopTurns ?? false;
  }

  /** Whether the kernel yields a full event-loop turn between timestamps (see `SimulationOptions.eventLoopTurns`). */
  get eventLoopTurns(): boolean {
    return this.#eventLoopTurns;
  }

  /** Makes the kernel yield a full event-loop turn between timestamps from now on: a simulated world's real libraries need it. */
  useEventLoopTurns(): void {
    this.#eventLoopTurns = true;
  }

  /** Virtual time now, ms since the run began. */
  get now(): number {
    return this.#now;
  }

  /** Events executed so far. */
  get eventCount(): number {
    return this.#events;
  }

  /** Every process spawned so far, in spawn order. */
  get processes(): readonly ProcessHandle[] {
    return this.#processes;
  }

  /** The named seeded stream. */
  rng(name: string): RandomStream {
    return this.rngs.stream(name);
  }

  /** A clock for one actor, skewed by offset and drift from the true virtual clock. */
  clock(name: string, options?: ActorClockOptions): ActorClock {
    return new ActorClock(name, this, this.epochMs, options);
  }

  /** A one-shot signal. */
  signal<T = void>(name: string): Signal<T> {
    return new Signal<T>(name, this);
  }

  /** A mailbox. */
  mailbox<T>(name: string): Mailbox<T> {
    return new Mailbox<T>(name, this);
  }

  /** Runs `fn(arg)` after `delay` ms of virtual time. Passing `arg` avoids a closure per event. */
  schedule(delay: number, fn: (arg: unknown) => void, arg?: unknown): TimerHandle;
  schedule<A>(delay: number, fn: (arg: A) => void, arg: A): TimerHandle;
  schedule(delay: number, fn: (arg: unknown) => void, arg?: unknown): TimerHandle {
    if (!(delay >= 0)) throw new RangeError(`schedule: delay must be a non-negative number of ms, got ${delay}`);
    return this.#push(this.#now + delay, fn, arg);
  }

  /** Runs `fn(arg)` at virtual time `time` (not earlier than now). */
  at(time: number, fn: (arg: unknown) => void, arg?: unknown): TimerHandle {
    if (!(time >= this.#now)) throw new RangeError(`at: time ${time} is in the past (now ${this.#now})`);
    return this.#push(time, fn, arg);
  }

  /** Cancels a timer; a no-op if it already ran or was cancelled. Returns whether it was pending. */
  cancel(handle: TimerHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (this.#gens[slot] !== gen || this.#fns[slot] === undefined) return false;
    this.#fns[slot] = undefined;
    this.#args[slot] = undefined;
    return true;
  }

  /** Spawns a top-level process; it starts at the current virtual time, after events already due. */
  spawn<T>(name: string, body: ProcessBody<T>, options: SpawnOptions = {}): ProcessHandle<T> {
    const handle = new ProcessHandle<T>(name, this, options.daemon ?? false);
    this.#processes.push(handle as ProcessHandle);
    this.schedule(0, startProcess, { sim: this, handle, body });
    return handle;
  }

  /** @internal Notes that a waiting process was woken, so continuations must run before time advances. */
  wake(): void {
    this.#woken = true;
  }

  /**
   * @internal Real work the run must wait for (a thread-pool job started by code in a simulated
   * world): the kernel neither advances virtual time nor ends the run until it settles, then lets
   * its continuations run. Whatever settles it must do so in bounded real time.
   */
  hold(work: Promise<unknown>): void {
    const held: Promise<void> = work.then(
      () => undefined,
      () => undefined,
    );
    this.#holds.add(held);
    void held.then(() => this.#holds.delete(held));
  }

  /** @internal Records a process crash: the run ends as `crashed`. */
  crashed(process: string, error: unknown): void {
    if (!this.#crash) this.#crash = { process, error };
  }

  /**
   * Runs until the queue is empty, the horizon, the event budget or a crash.
   * Resolves to the outcome; never rejects for a process's error (that is `crashed`).
   */
  run(options: RunOptions = {}): Promise<RunOutcome> {
    if (this.#running) return Promise.reject(new Error("run: this simulation is already running"));
    let horizon: number;
    try {
      horizon = options.horizon === undefined ? Infinity : parseDuration(options.horizon);
    } catch (e) {
      return Promise.reject(e);
    }
    const budget = options.maxEvents ?? 50_000_000;
    this.#running = true;
    return new Promise<RunOutcome>((resolve, reject) => {
      // The yield between timestamps, without a promise per yield: a microtask that queues a tick,
      // which Node runs only once every microtask (every continuation, and what they queue) has run.
      const tick = (): void => {
        realNextTick(step);
      };
      const step = (): void => {
        let status: RunStatus | "yield" | "hold" | undefined;
        try {
          status = this.#advance(horizon, budget);
        } catch (e) {
          this.#running = false;
          reject(e);
          return;
        }
        if (status === "hold") {
          // Real work is under way (see `hold`): wait for it, then let its continuations run.
          Promise.all([...this.#holds]).then(
            () => {
              this.#woken = true;
              step();
            },
            (e: unknown) => {
              this.#running = false;
              reject(e);
            },
          );
          return;
        }
        if (status === "yield") {
          this.#woken = false;
          if (this.#eventLoopTurns)
            realSetImmediate(step); // nondeterminism-ok: a yield, reads no time
          else void RESOLVED.then(tick);
          return;
        }
        this.#running = false;
        const waiting = this.waitingProcesses();
        const ended: RunStatus = status ?? (waiting.length > 0 ? "stalled" : "completed");
        resolve({
          status: ended,
          now: this.#now,
          events: this.#events,
          waiting,
          ...(ended === "crashed" && this.#crash ? { crash: this.#crash } : {}),
        });
      };
      step();
    });
  }

  /**
   * Runs batches of events until a process was woken ("yield": its continuations must run before
   * time advances), real work is held ("hold"), the run stops (its status), or nothing is left
   * (undefined).
   */
  #advance(horizon: number, budget: number): RunStatus | "yield" | "hold" | undefined {
    const queue = this.#queue;
    for (;;) {
      if (this.#woken) return "yield";
      if (this.#crash) return "crashed";
      if (this.#holds.size > 0) return "hold";
      this.#dropCancelled();
      if (queue.size === 0) return undefined;
      const t = queue.peekTime();
      if (t > horizon) return "horizon";
      if (this.#events >= budget) return "budget-exceeded";
      this.#now = t;
      do {
        const slot = queue.peekSlot();
        const fn = this.#fns[slot];
        if (fn !== undefined && this.#events >= budget) return "budget-exceeded";
        const arg = this.#args[slot];
        queue.pop();
        this.#release(slot);
        if (fn !== undefined) {
          this.#events++;
          fn(arg);
        }
      } while (queue.size > 0 && queue.peekTime() === t);
    }
  }

  /** Processes (daemons aside) that have not finished, with what each waits on. */
  waitingProcesses(): WaitingProcess[] {
    const out: WaitingProcess[] = [];
    for (const p of this.#processes) {
      if (p.finished || p.daemon) continue;
      const waits = [...p.waits];
      out.push({
        process: p.name,
        waitingOn: waits.length ? waits.map((w) => w.label) : ["(not waiting on anything the simulation controls)"],
        since: waits.length ? Math.min(...waits.map((w) => w.since)) : this.#now,
      });
    }
    return out;
  }

  /** Discards cancelled timers at the head of the queue, so they neither advance time nor meet the horizon. */
  #dropCancelled(): void {
    const queue = this.#queue;
    while (queue.size > 0 && this.#fns[queue.peekSlot()] === undefined) this.#release(queue.pop());
  }

  /** Frees a popped slot for reuse; bumping its generation makes old handles to it stale. */
  #release(slot: number): void {
    this.#fns[slot] = undefined;
    this.#args[slot] = undefined;
    this.#gens[slot] = ((this.#gens[slot] as number) + 1) & GEN_MASK;
    this.#free.push(slot);
  }

  #push(time: number, fn: (arg: unknown) => void, arg: unknown): TimerHandle {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#nextSlot++;
      if (slot >= this.#gens.length) {
        if (slot >= SLOT_BITS) throw new Error(`too many pending events (${SLOT_BITS})`);
        const g = new Uint32Array(this.#gens.length * 2);
        g.set(this.#gens);
        this.#gens = g;
      }
    }
    this.#fns[slot] = fn;
    this.#args[slot] = arg;
    const seq = this.#seq++;
    const tie = this.#tieRng ? Math.floor(this.#tieRng.next() * SHUFFLE_SPAN) * SEQ_SPAN + seq : seq;
    this.#queue.push(time, tie, slot);
    return (this.#gens[slot] as number) * SLOT_BITS + slot;
  }
}

interface StartArgs {
  sim: Simulation;
  handle: ProcessHandle<unknown>;
  body: ProcessBody<unknown>;
}

function startProcess(a: unknown): void {
  const { sim, handle, body } = a as StartArgs;
  sim.wake();
  const ctx = new ProcessContext(handle);
  let promise: Promise<unknown>;
  const reason = handle.cancelReason;
  if (reason !== undefined) {
    handle.finish({ status: "unfinished", reason });
    return;
  }
  try {
    promise = body(ctx);
  } catch (error) {
    promise = Promise.reject(error);
  }
  watchProcess(handle, promise);
}

/**
 * Records how a process's body ended once its promise settles. Its own function, so that the two
 * callbacks' shared context holds the handle alone: a live process keeps them until it ends.
 * (Bound functions would take more: each gets its own name string and property array.)
 */
function watchProcess(handle: ProcessHandle, promise: Promise<unknown>): void {
  promise.then(
    (value) => {
      handle.sim.wake();
      handle.finish({ status: "done", value });
    },
    (error: unknown) => {
      const sim = handle.sim;
      sim.wake();
      if (error instanceof CancelledError) {
        handle.finish({ status: "unfinished", reason: error.reason });
      } else {
        handle.finish({ status: "failed", error });
        sim.crashed(handle.name, error);
      }
    },
  );
}

/**
 * The real `setImmediate`, captured at module load: a simulated world (src/world) swaps the global
 * for a virtual one while user code runs, and the kernel's own yield must stay real.
 */
const realSetImmediate = globalThis.setImmediate;
/** The real `process.nextTick`, captured likewise: the kernel's short yield. */
const realNextTick = process.nextTick;
/** A settled promise: `.then` on it queues a microtask (cheaper than Node's `queueMicrotask`, which wraps each in an async resource). */
const RESOLVED = Promise.resolve();
