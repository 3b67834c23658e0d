/**
 * The catalog by name, each entry loaded on demand: a file that names `four-clocks` loads that
 * scenario's module (and the actors and checkers it uses), not all twelve. `catalog.ts` holds the
 * same scenarios loaded eagerly, for `agentsim list` and library users; a test keeps the two in
 * step (same names, same order).
 */
import type { ScenarioDefinition } from "./scenario.js";

const LOADERS: Readonly<Record<string, () => Promise<ScenarioDefinition>>> = {
  "clock-race": async () => (await import("./clock-race.js")).clockRace,
  "orphaned-callback": async () => (await import("./orphaned-callback.js")).orphanedCallback,
  "fire-and-forget": async () => (await import("./fire-and-forget.js")).fireAndForget,
  stampede: async () => (await import("./stampede.js")).stampede,
  "calendar-deadlock": async () => (await import("./calendar-deadlock.js")).calendarDeadlock,
  "four-clocks": async () => (await import("./four-clocks.js")).fourClocks,
  "partial-failure": async () => (await import("./partial-failure.js")).partialFailure,
  "retry-laundering": async () => (await import("./retry-laundering.js")).retryLaundering,
  "double-refund": async () => (await import("./double-refund.js")).doubleRefund,
  "shared-tool-race": async () => (await import("./shared-tool-race.js")).sharedToolRace,
  "latency-tail": async () => (await import("./latency-tail.js")).latencyTail,
  "null-rationalization": async () => (await import("./null-rationalization.js")).nullRationalization,
};

/** The built-in scenarios' names, in catalog order. */
export const catalogNames: readonly string[] = Object.keys(LOADERS);

/** Loads the built-in scenario with this name, or undefined when there is none. */
export async function loadCatalogScenario(name: string): Promise<ScenarioDefinition | undefined> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  return load ? load() : undefined;
}
