/**
 * The catalog's promise, checked for every scenario:
 * - at its default seed it fails (an invariant is violated);
 * - with all its mitigations on, the default seed holds and a fast-check search over random seeds
 *   and parameters (within each parameter's documented `explore` range) finds no violation;
 * - without mitigations, the same search finds a failure and reports its seed.
 * Runs per search: AGENTSIM_PROPERTY_RUNS (default 200; .ci/run sets 1000).
 */
import { describe, expect, it } from "vitest";
import { searchForViolation } from "../../src/run/explore.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { catalog } from "../../src/scenarios/catalog.js";

const RUNS = Number(process.env.AGENTSIM_PROPERTY_RUNS ?? 200);
/** A search's time limit grows with its run count (a loaded 2-core machine runs ~100 ms a run at worst). */
const SEARCH_TIMEOUT_MS = 60_000 + RUNS * 600;

describe.each(catalog.map((s) => [s.name, s] as const))("%s", (_name, def) => {
  const all = def.mitigations.map((m) => m.name);

  it("fails at its default seed", async () => {
    const r = await runScenario({ scenario: def, seed: def.defaults.seed });
    expect(r.verdict).toBe("violated");
  });

  it("holds at its default seed with its mitigations", async () => {
    const r = await runScenario({ scenario: def, seed: def.defaults.seed, mitigations: all });
    expect(r.violations.map((v) => v.message)).toEqual([]);
    expect(r.verdict).toBe("held");
  });

  it(
    `with mitigations, ${RUNS} random runs find no violation`,
    async () => {
      const s = await searchForViolation(def, { runs: RUNS, mitigations: all, seed: 4242 });
      if (s.found) {
        throw new Error(
          `${def.name} violated with --mitigate ${all.join(",")} at seed ${s.counterexample.seed} params ${JSON.stringify(s.counterexample.params)}: ${s.result.violations[0]?.message}`,
        );
      }
      expect(s.runs).toBe(RUNS);
    },
    SEARCH_TIMEOUT_MS,
  );

  it(
    "without mitigations, the search finds the failure and its seed",
    async () => {
      const s = await searchForViolation(def, { runs: RUNS, seed: 4242 });
      expect(s.found).toBe(true);
      if (s.found) {
        const replay = await runScenario({ scenario: def, seed: s.counterexample.seed, params: s.counterexample.params });
        expect(replay.verdict).toBe("violated");
        expect(replay.traceHash).toBe(s.result.traceHash);
      }
    },
    SEARCH_TIMEOUT_MS,
  );
});
