/**
 * The globals a simulated world swaps while user code runs: time, timers, randomness and fetch.
 *
 * While a world is installed (`installVirtualGlobals` until the returned `uninstall`), these
 * answer from the simulation for code running in the world's scope (`world-context.ts`):
 *
 * | global                                              | inside a world                                          |
 * | --------------------------------------------------- | ------------------------------------------------------- |
 * | setTimeout, setInterval, setImmediate, clear*       | the kernel's scheduler (`virtual-timers.ts`)            |
 * | node:timers, and setTimeout/setImmediate of node:timers/promises | the same                                   |
 * | AbortSignal.timeout                                 | aborts with a `TimeoutError` after virtual ms           |
 * | Date (no-argument construction, `Date()`, its now)  | `sim.epochMs + sim.now`                                 |
 * | performance's now, process's hrtime (and .bigint)   | `sim.now` (ms since the run began)                      |
 * | Math's random                                       | the seeded stream `world:random`                        |
 * | crypto.randomUUID (global and node:crypto), crypto.getRandomValues | the seeded streams `world:uuid`, `world:random-bytes` |
 * | node:crypto randomBytes, randomFill, randomFillSync, getRandomValues (which calls Web Crypto's) | the seeded stream `world:random-bytes` |
 * | node:crypto randomInt                               | the seeded stream `world:random-int`                    |
 * | fetch                                               | the world's simulated services (`sim-fetch.ts`)         |
 *
 * Code outside the world's scope on the same thread (the test runner, other async work) keeps the
 * real ones: each swapped function looks up the caller's scope and delegates to the original,
 * captured when this module loaded, when there is none. `queueMicrotask` and `process.nextTick`
 * stay real: they read no time and run before the kernel advances it.
 *
 * One world at a time per thread: the swap is process-wide, so installing a second world while one
 * is installed throws. Uninstalling restores every property exactly as it was (call it in a
 * `finally`). The swapped functions are the same objects for every world, so one a library
 * captured during a run (and calls later) answers for whichever world, if any, the caller is in.
 *
 * What cannot be swapped: references to the real functions taken before the world started (a
 * library that copied `setTimeout` at import), and time read natively (`Intl.DateTimeFormat`'s
 * format with no date). Real timers and I/O started from the world are reported by the leak
 * detector (`leak-detector.ts`). The network is closed below these globals, for a live world and
 * for code that outlives it, by `intercept.ts` (node:http, undici, net, tls, dns, ...); after the
 * world ends its globals are real again, but a real timer its code starts is disarmed there.
 * The "installed" slot lives in the registry every copy of agentsim shares (`world-context.ts`),
 * so a CommonJS and an ESM copy on one thread still run one world at a time.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";
import type { RandomStream } from "../sim/rng.js";
import { coerceDelay, VirtualTimeout } from "./virtual-timers.js";
import { currentScope, processWide, worldRegistry, type WorldRuntime } from "./world-context.js";

const require = createRequire(import.meta.url);
const nodeCrypto = require("node:crypto") as Record<string, unknown>;
const nodeTimers = require("node:timers") as Record<string, unknown>;
const nodeTimersPromises = require("node:timers/promises") as Record<string, unknown>;

type Fn = (...args: never[]) => unknown;

/**
 * The real implementations, captured when the first copy of this module loads (before any world
 * swaps them; a second copy, from the package's other module format, shares the first's).
 */
const REAL = processWide("real-globals", () => ({
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
  Date: globalThis.Date,
  dateNow: Reflect.get(Date, "now") as () => number,
  random: Reflect.get(Math, "random") as () => number,
  performanceNow: Reflect.get(performance, "now") as () => number,
  hrtime: Reflect.get(process, "hrtime") as NodeJS.HRTime,
  abortTimeout: Reflect.get(AbortSignal, "timeout") as (ms: number) => AbortSignal,
  randomUUID: Reflect.get(globalThis.crypto, "randomUUID") as () => string,
  getRandomValues: Reflect.get(globalThis.crypto, "getRandomValues") as <T extends ArrayBufferView | null>(array: T) => T,
  nodeRandomUUID: nodeCrypto.randomUUID as () => string,
  randomBytes: nodeCrypto.randomBytes as Fn,
  randomFill: nodeCrypto.randomFill as Fn,
  randomFillSync: nodeCrypto.randomFillSync as Fn,
  randomInt: nodeCrypto.randomInt as Fn,
  fetch: globalThis.fetch,
  promisesSetTimeout: nodeTimersPromises.setTimeout as Fn,
  promisesSetImmediate: nodeTimersPromises.setImmediate as Fn,
}));

/** A property as it was before a swap. */
interface SavedProperty {
  target: object;
  key: PropertyKey;
  descriptor: PropertyDescriptor | undefined;
}

/**
 * Swaps the globals for `world` and returns the function that restores them (once; later calls
 * do nothing).
 * @throws Error when another world is installed on this thread.
 */
export function installVirtualGlobals(world: WorldRuntime): () => void {
  const registry = worldRegistry();
  if (registry.installed) {
    throw new Error(
      "agentsim: a simulated world is already running on this thread; worlds swap process-wide globals, so run one at a time (await the first run before starting another, or use a worker thread); a world still running after its `timeout` (default 4 s of real time, or 1 s under a longer vitest test timeout) is ended and torn down",
    );
  }
  registry.installed = world;
  const saved: SavedProperty[] = [];
  const swap = (target: object, key: PropertyKey, value: unknown): void => {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    saved.push({ target, key, descriptor });
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: descriptor?.enumerable ?? false });
  };
  try {
    for (const [key, value] of Object.entries(TIMER_GLOBALS)) {
      swap(globalThis, key, value);
      swap(nodeTimers, key, value);
    }
    swap(nodeTimersPromises, "setTimeout", promisesSetTimeout);
    swap(nodeTimersPromises, "setImmediate", promisesSetImmediate);
    swap(globalThis, "Date", VirtualDate);
    swap(REAL.Date, "now", dateNow);
    swap(performance, "now", performanceNow);
    swap(process, "hrtime", hrtime);
    swap(Math, "random", random);
    swap(globalThis.crypto, "randomUUID", randomUUID);
    swap(globalThis.crypto, "getRandomValues", getRandomValues);
    swap(nodeCrypto, "randomUUID", nodeRandomUUID);
    swap(nodeCrypto, "randomBytes", randomBytes);
    // node:crypto's deprecated aliases of randomBytes.
    for (const alias of ["pseudoRandomBytes", "prng", "rng"]) if (typeof nodeCrypto[alias] === "function") swap(nodeCrypto, alias, randomBytes);
    swap(nodeCrypto, "randomFill", randomFill);
    swap(nodeCrypto, "randomFillSync", randomFillSync);
    swap(nodeCrypto, "randomInt", randomInt);
    swap(AbortSignal, "timeout", abortSignalTimeout);
    swap(globalThis, "fetch", fetch);
    syncBuiltinESMExports();
  } catch (e) {
    restore(saved);
    throw e;
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    restore(saved);
  };
}

function restore(saved: SavedProperty[]): void {
  for (const { target, key, descriptor } of saved.reverse()) {
    if (descriptor) Object.defineProperty(target, key, descriptor);
    else Reflect.deleteProperty(target, key);
  }
  saved.length = 0;
  syncBuiltinESMExports();
  worldRegistry().installed = undefined;
}

/** The caller's world, if it runs in an active one. */
function here(): WorldRuntime | undefined {
  return currentScope()?.world;
}

// ---------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------

const TIMER_GLOBALS = {
  setTimeout: dispatch(REAL.setTimeout as Fn, (w, cb: unknown, ms?: unknown, ...args: unknown[]) => w.timers.timeout(cb, ms, ...args)),
  setInterval: dispatch(REAL.setInterval as Fn, (w, cb: unknown, ms?: unknown, ...args: unknown[]) => w.timers.interval(cb, ms, ...args)),
  setImmediate: dispatch(REAL.setImmediate as Fn, (w, cb: unknown, ...args: unknown[]) => w.timers.immediate(cb, ...args)),
  clearTimeout: clearer(REAL.clearTimeout as Fn),
  clearInterval: clearer(REAL.clearInterval as Fn),
  clearImmediate: clearer(REAL.clearImmediate as Fn),
};

/** A `clear*` function: clears a virtual timer (by handle or id), else delegates to the real one. */
function clearer(real: Fn): (handle: unknown) => void {
  return function clear(handle: unknown): void {
    if (handle instanceof VirtualTimeout) {
      handle.close();
      return;
    }
    const world = here();
    const own = world && (typeof handle === "number" || typeof handle === "string") ? world.timers.byId(Number(handle)) : undefined;
    if (own) own.close();
    else (real as (h: unknown) => void)(handle);
  };
}

/** node:timers/promises' setTimeout, called as (delay, value, { signal }), on virtual time. */
const promisesSetTimeout = dispatch(REAL.promisesSetTimeout, (w, delay?: unknown, value?: unknown, options?: { signal?: AbortSignal }) =>
  virtualSleep((resolve) => w.timers.timeout(resolve, coerceDelay(delay), value), options?.signal),
);

/** node:timers/promises' setImmediate(value, { signal }) on virtual time. */
const promisesSetImmediate = dispatch(REAL.promisesSetImmediate, (w, value?: unknown, options?: { signal?: AbortSignal }) =>
  virtualSleep((resolve) => w.timers.immediate(resolve, value), options?.signal),
);

/** A promise settled by the timer `start` arms, or rejected when `signal` aborts first (the timer is then cleared). */
function virtualSleep(start: (resolve: (v: unknown) => void) => VirtualTimeout, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      timer.close();
      reject(abortError(signal as AbortSignal));
    };
    const timer = start((v) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(v);
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error node:timers/promises rejects with on abort. */
function abortError(signal: AbortSignal): Error {
  const err = new Error("The operation was aborted", { cause: signal.reason });
  err.name = "AbortError";
  (err as { code?: string }).code = "ABORT_ERR";
  return err;
}

/** AbortSignal.timeout(ms): a signal that aborts with a `TimeoutError` after `ms` of virtual time. */
const abortSignalTimeout = dispatch(REAL.abortTimeout as Fn, (w, ms: unknown) => {
  const delay = Number(ms);
  if (!(Number.isInteger(delay) && delay >= 0 && delay <= Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`The value of "delay" is out of range. It must be >= 0 && <= ${Number.MAX_SAFE_INTEGER}. Received ${String(ms)}`);
  }
  const controller = new AbortController();
  const reason = (): DOMException => new DOMException("The operation was aborted due to timeout", "TimeoutError");
  w.timers.timeout(() => controller.abort(reason()), delay).unref();
  return controller.signal;
});

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** Wall-clock ms of the world's virtual now. */
function wallMs(w: WorldRuntime): number {
  return w.sim.epochMs + w.sim.now;
}

const dateNow = dispatch(REAL.dateNow as Fn, (w) => wallMs(w));

/** `Date`, constructed with no arguments (or called as a function) at the world's virtual now. */
const VirtualDate = new Proxy(REAL.Date, {
  construct(target, args: unknown[], newTarget) {
    const w = here();
    return Reflect.construct(target, args.length === 0 && w ? [wallMs(w)] : args, newTarget) as object;
  },
  apply(target, thisArg, args: unknown[]) {
    const w = here();
    return w ? new target(wallMs(w)).toString() : Reflect.apply(target, thisArg, args);
  },
});

const performanceNow = dispatch(REAL.performanceNow as Fn, (w) => w.sim.now);

/** process's hrtime(previous?) and hrtime.bigint(), from virtual time. */
const hrtime = Object.assign(
  dispatch(REAL.hrtime as Fn, (w, previous?: [number, number]) => {
    const ns = Math.round(w.sim.now * 1e6);
    const now: [number, number] = [Math.floor(ns / 1e9), ns % 1e9];
    if (!previous) return now;
    let s = now[0] - previous[0];
    let n = now[1] - previous[1];
    if (n < 0) {
      s -= 1;
      n += 1e9;
    }
    return [s, n];
  }),
  { bigint: dispatch(REAL.hrtime.bigint as Fn, (w) => BigInt(Math.round(w.sim.now * 1e6))) },
);

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

const random = dispatch(REAL.random as Fn, (w) => w.sim.rng("world:random").next());

const randomUUID = dispatch(REAL.randomUUID.bind(globalThis.crypto) as Fn, (w) => uuidV4(w.sim.rng("world:uuid")));
const nodeRandomUUID = dispatch(REAL.nodeRandomUUID as Fn, (w) => uuidV4(w.sim.rng("world:uuid")));

const getRandomValues = dispatch(REAL.getRandomValues.bind(globalThis.crypto) as Fn, (w, array: ArrayBufferView) => {
  const integer =
    array instanceof Int8Array ||
    array instanceof Uint8Array ||
    array instanceof Uint8ClampedArray ||
    array instanceof Int16Array ||
    array instanceof Uint16Array ||
    array instanceof Int32Array ||
    array instanceof Uint32Array ||
    array instanceof BigInt64Array ||
    array instanceof BigUint64Array;
  if (!integer) throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  if (array.byteLength > 65_536)
    throw new DOMException(
      `The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`,
      "QuotaExceededError",
    );
  seededFill(w, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return array;
});

/** Fills `bytes` from the world's seeded stream `world:random-bytes`. */
function seededFill(w: WorldRuntime, bytes: Uint8Array): void {
  const rng = w.sim.rng("world:random-bytes");
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rng.next() * 256);
}

/** The bytes of a buffer argument (`offset` and `size` as node:crypto reads them). */
function region(buf: ArrayBufferView | ArrayBuffer, offset?: unknown, size?: unknown): Uint8Array {
  const view = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const start = typeof offset === "number" ? offset : 0;
  if (!(Number.isInteger(start) && start >= 0 && start <= view.length))
    throw new RangeError(`The value of "offset" is out of range. It must be >= 0 && <= ${view.length}. Received ${String(offset)}`);
  const length = typeof size === "number" ? size : view.length - start;
  if (!(Number.isInteger(length) && length >= 0 && start + length <= view.length))
    throw new RangeError(`The value of "size" is out of range. It must be >= 0 && <= ${view.length - start}. Received ${String(size)}`);
  return view.subarray(start, start + length);
}

/** node:crypto's randomBytes(size[, callback]) from the seeded stream. */
const randomBytes = dispatch(REAL.randomBytes, (w, size: number, callback?: (err: Error | null, buf: Buffer) => void) => {
  if (!(Number.isInteger(size) && size >= 0 && size <= 2 ** 31 - 1))
    throw new RangeError(`The value of "size" is out of range. It must be >= 0 && <= ${2 ** 31 - 1}. Received ${String(size)}`);
  const buf = Buffer.alloc(size);
  seededFill(w, buf);
  if (typeof callback !== "function") return buf;
  process.nextTick(callback, null, buf);
  return undefined;
});

/** node:crypto's randomFillSync(buf[, offset[, size]]) from the seeded stream. */
const randomFillSync = dispatch(REAL.randomFillSync, (w, buf: ArrayBufferView | ArrayBuffer, offset?: unknown, size?: unknown) => {
  seededFill(w, region(buf, offset, size));
  return buf;
});

/** node:crypto's randomFill(buf[, offset[, size]], callback) from the seeded stream. */
const randomFill = dispatch(REAL.randomFill, (w, buf: ArrayBufferView | ArrayBuffer, ...rest: unknown[]) => {
  const callback = rest.pop();
  if (typeof callback !== "function") throw new TypeError('The "callback" argument must be of type function');
  seededFill(w, region(buf, rest[0], rest[1]));
  process.nextTick(callback as (e: null, b: unknown) => void, null, buf);
});

/** node:crypto's randomInt([min, ]max[, callback]): uniform in [min, max), from the seeded stream `world:random-int`. */
const randomInt = dispatch(REAL.randomInt, (w, ...args: unknown[]) => {
  const callback = typeof args[args.length - 1] === "function" ? (args.pop() as (e: null, n: number) => void) : undefined;
  const [min, max] = args.length >= 2 ? [args[0], args[1]] : [0, args[0]];
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) throw new TypeError('The "min" and "max" arguments must be safe integers');
  if (!((max as number) > (min as number)))
    throw new RangeError(`The value of "max" is out of range. It must be greater than the value of "min" (${String(min)}). Received ${String(max)}`);
  const n = (min as number) + Math.floor(w.sim.rng("world:random-int").next() * ((max as number) - (min as number)));
  if (!callback) return n;
  process.nextTick(callback, null, n);
  return undefined;
});

/** A version-4 UUID from 16 seeded bytes. */
function uuidV4(rng: RandomStream): string {
  const b = Array.from({ length: 16 }, () => Math.floor(rng.next() * 256));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------
// fetch
// ---------------------------------------------------------------------------------------------

const fetch = dispatch(REAL.fetch as Fn, (w, input: string | URL | Request, init?: RequestInit) => w.fetch(input, init));

// ---------------------------------------------------------------------------------------------

/** A swapped global: `virtual(world, ...args)` for code in an active world's scope, else the real function. */
function dispatch<A extends unknown[], R>(real: Fn, virtual: (w: WorldRuntime, ...args: A) => R): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const w = here();
    if (w) return virtual(w, ...args);
    return Reflect.apply(real, this, args) as R;
  };
}
