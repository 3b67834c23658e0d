/**
 * A property-test helper for users' own test suites (vitest, jest, node:test): "for all seeds,
 * parameters and fault schedules, my agent never refunds twice".
 *
 * ```ts
 * it("never refunds twice with idempotency keys", async () => {
 *   await expectNoViolation(doubleRefund, { runs: 200, mitigations: ["idempotency-keys"] });
 * });
 * ```
 *
 * When a run fails it throws an `Error` whose message holds the shrunk counterexample (seed,
 * parameters, faults, the violation) and how to replay it: a `runScenario` call, and with
 * `reproFile` a repro file that `agentsim replay` reruns.
 */
import { writeFileAtomic } from "./atomic-write.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { checkScenario } from "./check.js";
import { describeRepro, replayReproCommand, reproOf } from "./repro.js";
import type { RunConfig } from "./run-scenario.js";
import type { RunArbitraryOptions } from "./scenario-run-arbitrary.js";

/** What to search, beyond the scenario. */
export interface ExpectNoViolationOptions extends Omit<RunArbitraryOptions, "horizonMs"> {
  /** Runs to try (default 100). */
  runs?: number;
  mitigations?: readonly string[];
  /** fast-check's seed (default 1: the same search each time; vary it to explore more). */
  seed?: number;
  /** Written parameter values the drawn ones go on top of. */
  params?: Record<string, unknown>;
  horizon?: RunConfig["horizon"];
  invariants?: readonly string[];
  /**
   * On failure, write the repro here. `scenarioFile` should then name a scenario file of this
   * scenario, so that `agentsim replay` can load it.
   */
  reproFile?: string;
  scenarioFile?: string;
}

/** Resolves when the search finds no failing run; throws an Error describing the shrunk one otherwise. */
export async function expectNoViolation(def: ScenarioDefinition, options: ExpectNoViolationOptions = {}): Promise<void> {
  const mitigations = [...(options.mitigations ?? [])];
  const found = await checkScenario({
    ...options,
    base: {
      scenario: def,
      mitigations,
      ...(options.params ? { params: options.params } : {}),
      ...(options.horizon !== undefined ? { horizon: options.horizon } : {}),
      ...(options.invariants ? { invariants: options.invariants } : {}),
    },
    runs: options.runs ?? 100,
  });
  if (!found.found) return;
  const repro = reproOf(found, {
    scenario: def.name,
    ...(options.scenarioFile !== undefined ? { scenarioFile: options.scenarioFile } : {}),
    overrides: [],
    mitigations,
    swarm: options.swarm ?? false,
  });
  if (options.reproFile) writeFileAtomic(options.reproFile, JSON.stringify(repro, null, 2) + "\n");
  const what = repro.violated.length
    ? `${repro.violated.join(", ")} violated`
    : repro.verdict === "crashed"
      ? "a process crashed"
      : "the scenario threw while being built";
  const call = `await runScenario({ scenario: ${camel(def.name)}, seed: ${repro.seed}, params: ${JSON.stringify(repro.params)}, faults: ${JSON.stringify(repro.faults)}, mitigations: ${JSON.stringify(mitigations)} })`;
  throw new Error(
    [
      `${def.name}: ${what} (found after ${found.runs} runs, shrunk in ${found.shrinks} steps; search seed ${found.searchSeed})`,
      ...describeRepro(repro).map((l) => `  ${l}`),
      `  replay:      ${call}`,
      ...(options.reproFile ? [`               ${replayReproCommand(options.reproFile)}`] : []),
    ].join("\n"),
  );
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
