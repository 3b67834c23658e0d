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

const storage = processWide("world-scope", () => new AsyncLocalStorage<WorldScope>());

/** The scope of the code running now, if it runs inside an active world. */
export function currentScope(): WorldScope | undefined {
  const scope = storage.getStore();
  return scope !== undefined && scope.world.active ? scope : undefined;
}

/** The scope of the code running now, whether or not its world is still active. */
export function anyScope(): WorldScope | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it starts) in `scope`. */
export function withScope<T>(scope: WorldScope, fn: () => T): T {
  return storage.run(scope, fn);
}
