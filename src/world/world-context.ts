/**
 * Which simulated world the running code belongs to.
 *
 * A world runs user code inside an async context (Node's `AsyncLocalStorage`): the kernel's run
 * loop and every process, timer callback and promise continuation started from it carry the
 * world's scope. The swapped globals (`virtual-globals.ts`) consult it on each call: code in a
 * world's scope gets virtual time, seeded randomness and simulated fetch; code outside it (the
 * test runner, another library's housekeeping on the same thread) keeps the real ones.
 *
 * A scope also says who is running (the agent's name) and the trace event that started it, so a
 * fetch made deep inside user code is traced as that agent's, caused by that event.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Simulation } from "../sim/simulation.js";
import type { VirtualTimers } from "./virtual-timers.js";

/** What the swapped globals need from a world. */
export interface WorldRuntime {
  /** Whether a simulated service answers for `host` (the world's network routes node:http and undici there). */
  hasService(host: string): boolean;
  /** Reports what user code reached for and was refused; the world fails the run with it. */
  refuse(error: Error): void;
  /** Real thread-pool work started in the world: the kernel does not advance virtual time until it settles. */
  hold(work: Promise<unknown>): void;
  readonly sim: Simulation;
  readonly timers: VirtualTimers;
  /** The world's fetch, answered by its simulated services. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Whether the world is still running (its globals are installed). */
  readonly active: boolean;
}

/** The world and the actor on whose behalf code runs. */
export interface WorldScope {
  readonly world: WorldRuntime;
  /** The actor name for trace events the world records on this code's behalf. */
  readonly actor: string;
  /** The trace event that started this code (its causal parent). */
  readonly parent?: number;
}

/**
 * One value per process, shared by every copy of this module: the package ships CommonJS and ES
 * module builds, and a program can load both (its own `import` and a dependency's `require`).
 * State that must be one per thread (the scope store, the swapped globals) is keyed here on
 * `globalThis` under `Symbol.for(key)`, so both copies see the same one.
 */
export function processWide<T>(key: string, make: () => T): T {
  const slot = Symbol.for(`agentsim:${key}`);
  const global = globalThis as unknown as Record<symbol, T | undefined>;
  return (global[slot] ??= make());
}

/**
 * The state every copy of this module shares (a dual CommonJS/ESM install loads two): the async
 * context and the world whose globals are installed, keyed on `globalThis` by a registered symbol.
 */
interface WorldRegistry {
  readonly storage: AsyncLocalStorage<WorldScope>;
  /** The world whose globals are installed, if any. */
  installed: WorldRuntime | undefined;
  /** Process-wide interceptions already in place (installed once, never removed), by name. */
  readonly guards: Set<string>;
}

/** The registry shared by every copy of agentsim on this thread. */
export function worldRegistry(): WorldRegistry {
  return processWide("world.registry.v1", (): WorldRegistry => ({ storage: new AsyncLocalStorage<WorldScope>(), installed: undefined, guards: new Set() }));
}

const storage = worldRegistry().storage;

/** The scope of the code running now, if it runs inside an active world. */
export function currentScope(): WorldScope | undefined {
  const scope = storage.getStore();
  return scope !== undefined && scope.world.active ? scope : undefined;
}

/** The scope of the code running now, whether or not its world is still active. */
export function anyScope(): WorldScope | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it starts) outside any world: agentsim's own real timers. */
export function outsideWorld<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** Runs `fn` (and everything it starts) in `scope`. */
export function withScope<T>(scope: WorldScope, fn: () => T): T {
  return storage.run(scope, fn);
}
