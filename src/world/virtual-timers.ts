/**
 * Node's timers on virtual time: what the world's `setTimeout`, `setInterval`, `setImmediate` and
 * their `clear*` functions do while user code runs inside a simulation.
 *
 * Contract:
 * - A timeout or interval runs on the kernel's scheduler (`sim.schedule`), `delay` ms of virtual
 *   time later. Delays are coerced as Node coerces them: anything not in [1, 2^31 - 1] (0, a
 *   negative number, NaN, a string that is not a number) becomes 1 ms.
 * - An immediate runs at the same virtual time, after the events already due then.
 * - Every firing tells the kernel that a waiter was woken, so the promise continuations it starts
 *   run before virtual time advances (the kernel otherwise yields only for its own processes).
 * - The handles look like Node's: `ref`, `unref`, `hasRef`, `refresh`, `close`, a primitive id,
 *   `Symbol.dispose`. An unref'd timer does not keep the world alive, as in Node: when it comes
 *   due while the world is idle (the `idle` callback: no user code left to run and no referenced
 *   timer pending), it is dropped instead of fired, so an unref'd housekeeping interval cannot run
 *   a simulation forever.
 * - A callback that throws is what Node calls an uncaught exception: it is handed to `onError`
 *   (the world crashes the run with it) and an interval stops.
 */
import type { Simulation, TimerHandle } from "../sim/simulation.js";
import { captureStack, userFrame } from "./call-site.js";

/** The largest delay Node's timers accept (2^31 - 1 ms). */
export const TIMEOUT_MAX = 2 ** 31 - 1;

/** A timer callback and the arguments it was given. */
type Callback = (...args: unknown[]) => void;

/** Node's coercion of a timer delay, in ms. */
export function coerceDelay(delay: unknown): number {
  const after = Number(delay);
  return after >= 1 && after <= TIMEOUT_MAX ? after : 1;
}

/** A pending virtual timer: Node's `Timeout` or `Immediate`, on the kernel's clock. */
export class VirtualTimeout {
  /** Its primitive id (what `+timer` gives and `clearTimeout(id)` accepts). */
  readonly id: number;
  readonly #owner: VirtualTimers;
  readonly #callback: Callback;
  readonly #args: unknown[];
  readonly #delayMs: number;
  readonly #repeat: boolean;
  readonly #kind: TimerKind;
  /** The stack where user code created it (formatted only when reported). */
  readonly #site: Error;
  #ref = true;
  #handle: TimerHandle = -1;
  #active = true;

  /** @internal Made by `VirtualTimers`. */
  constructor(
    owner: VirtualTimers,
    id: number,
    callback: Callback,
    args: unknown[],
    delayMs: number,
    repeat: boolean,
    kind: TimerKind = repeat ? "setInterval" : "setTimeout",
  ) {
    this.#owner = owner;
    this.#kind = kind;
    this.#site = captureStack(30);
    this.id = id;
    this.#callback = callback;
    this.#args = args;
    this.#delayMs = delayMs;
    this.#repeat = repeat;
  }

  /** What it is and where user code created it: `a setInterval every 100 ms, created at f (file:line:col)`. */
  describe(): string {
    const what =
      this.#kind === "setInterval"
        ? `a setInterval every ${this.#delayMs} ms`
        : this.#kind === "setImmediate"
          ? "a setImmediate"
          : `a setTimeout of ${this.#delayMs} ms`;
    const frame = userFrame(this.#site);
    return frame === "" ? what : `${what}, created at ${frame}`;
  }

  /** Whether it is still pending (not fired, for a one-shot, and not cleared). */
  get active(): boolean {
    return this.#active;
  }

  /** Marks the timer as keeping the process alive (recorded only; see the file's contract). */
  ref(): this {
    this.#ref = true;
    return this;
  }

  /** Marks the timer as not keeping the process alive (recorded only; it still fires). */
  unref(): this {
    this.#ref = false;
    return this;
  }

  hasRef(): boolean {
    return this.#ref;
  }

  /** Restarts the countdown from now, with the same delay. */
  refresh(): this {
    if (this.#active) this.#owner.arm(this, this.#delayMs);
    return this;
  }

  /** Cancels the timer, as `clearTimeout` does. */
  close(): this {
    this.#owner.clear(this);
    return this;
  }

  [Symbol.toPrimitive](): number {
    return this.id;
  }

  /** @internal The kernel timer it is armed on. */
  get handle(): TimerHandle {
    return this.#handle;
  }

  /** @internal */
  set handle(h: TimerHandle) {
    this.#handle = h;
  }

  /** @internal Stops it for good. */
  deactivate(): void {
    this.#active = false;
  }

  /** @internal Runs the callback (from the kernel); re-arms an interval. */
  fire(): void {
    if (!this.#active) return;
    if (!this.#ref && this.#owner.idle()) {
      this.#owner.forget(this);
      return;
    }
    if (!this.#repeat) this.#owner.forget(this);
    this.#owner.fired();
    try {
      this.#callback.apply(this, this.#args);
    } catch (error) {
      this.#owner.forget(this);
      this.#owner.reportError(error);
      return;
    }
    if (this.#repeat && this.#active) this.#owner.arm(this, this.#delayMs);
  }
}

if (typeof Symbol.dispose === "symbol") {
  Object.defineProperty(VirtualTimeout.prototype, Symbol.dispose, {
    value(this: VirtualTimeout) {
      this.close();
    },
  });
}

/** Which timer function made a timer. */
export type TimerKind = "setTimeout" | "setInterval" | "setImmediate";

/** The timers of one simulated world. */
export class VirtualTimers {
  readonly #sim: Simulation;
  readonly #onError: (error: unknown) => void;
  readonly #userIdle: () => boolean;
  readonly #onActivity: ((what: "start" | "fire" | "stop") => void) | undefined;
  readonly #pending = new Map<number, VirtualTimeout>();
  #nextId = 1;

  /**
   * `onError` receives what a callback threw (an uncaught exception, in Node's terms); `userIdle`
   * says whether the world's user code has finished (default: never), for unref'd timers;
   * `onActivity` is told when a timer starts and when one fires (the world bounds its drain with it).
   */
  constructor(
    sim: Simulation,
    onError: (error: unknown) => void,
    userIdle: () => boolean = () => false,
    onActivity?: (what: "start" | "fire" | "stop") => void,
  ) {
    this.#sim = sim;
    this.#onActivity = onActivity;
    this.#onError = onError;
    this.#userIdle = userIdle;
  }

  /** Timers still pending. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Node's `setTimeout`, called as (callback, delay, ...args), on virtual time. */
  timeout(callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimeout {
    return this.#start(callback, coerceDelay(delay), args, false, "setTimeout");
  }

  /** Node's `setInterval`, called as (callback, delay, ...args), on virtual time. */
  interval(callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimeout {
    return this.#start(callback, coerceDelay(delay), args, true, "setInterval");
  }

  /** Node's `setImmediate`, called as (callback, ...args): at the same virtual time, after what is already due. */
  immediate(callback: unknown, ...args: unknown[]): VirtualTimeout {
    return this.#start(callback, 0, args, false, "setImmediate");
  }

  /** The pending timer with this primitive id, if it is one of this world's. */
  byId(id: number): VirtualTimeout | undefined {
    return this.#pending.get(id);
  }

  /** Cancels a timer of this world; a no-op for one that fired or was cleared. */
  clear(timer: VirtualTimeout): void {
    if (!timer.active) return;
    timer.deactivate();
    this.#sim.cancel(timer.handle);
    this.#pending.delete(timer.id);
    this.#onActivity?.("stop");
  }

  /** Cancels every pending timer (when the world ends). */
  clearAll(): void {
    for (const t of [...this.#pending.values()]) this.clear(t);
  }

  /** @internal (Re-)arms `timer` to fire `delayMs` from now. */
  arm(timer: VirtualTimeout, delayMs: number): void {
    this.#sim.cancel(timer.handle);
    timer.handle = this.#sim.schedule(delayMs, fireTimer, { sim: this.#sim, timer });
  }

  /** @internal A one-shot that fired, or a timer whose callback threw. */
  forget(timer: VirtualTimeout): void {
    timer.deactivate();
    this.#pending.delete(timer.id);
    this.#onActivity?.("stop");
  }

  /** @internal Whether the world is idle: user code finished and no referenced timer pending. */
  idle(): boolean {
    if (!this.#userIdle()) return false;
    for (const t of this.#pending.values()) if (t.hasRef()) return false;
    return true;
  }

  /** @internal A timer's callback is about to run. */
  fired(): void {
    this.#onActivity?.("fire");
  }

  /** @internal */
  reportError(error: unknown): void {
    this.#onError(error);
  }

  /** Timers still pending that keep the world alive (referenced), oldest first. */
  referenced(): VirtualTimeout[] {
    return [...this.#pending.values()].filter((t) => t.hasRef());
  }

  #start(callback: unknown, delayMs: number, args: unknown[], repeat: boolean, kind: TimerKind): VirtualTimeout {
    if (typeof callback !== "function") {
      const err = new TypeError(`The "callback" argument must be of type function. Received ${describe(callback)}`);
      (err as { code?: string }).code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    const timer = new VirtualTimeout(this, this.#nextId++, callback as Callback, args, delayMs, repeat, kind);
    this.#pending.set(timer.id, timer);
    this.arm(timer, delayMs);
    this.#onActivity?.("start");
    return timer;
  }
}

function fireTimer(a: { sim: Simulation; timer: VirtualTimeout }): void {
  a.sim.wake();
  a.timer.fire();
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return `type string ('${v}')`;
  return typeof v === "object" ? "an instance of Object" : `type ${typeof v} (${String(v)})`;
}
