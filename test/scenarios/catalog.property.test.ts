/**
 * The catalog's promise, checked for every scenario with the same search as `agentsim check`
 * (`checkScenario`: random seeds, parameters within each parameter's documented `explore` range,
 * and fault schedules over the scenario's declared fault kinds):
 * - at its default seed it fails (an invariant is violated);
 * - with all its mitigations on, the default seed holds and the search finds no failing run, fault
 *   schedules included (over the fault kinds that do not defeat a mitigation by design);
 * - a fault kind declared to defeat a mitigation does: the search drawing it finds the failure;
 * - without mitigations, the search finds a failure, and its seed, params and faults replay it.
 * Runs per search: AGENTSIM_PROPERTY_RUNS (default 200; .ci/run sets 1000).
 */
import { describe, expect, it } from "vitest";
import { checkScenario, drawnRunConfig } from "../../src/run/check.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { faultKindsWithin } from "../../src/run/scenario-run-arbitrary.js";
import { catalog } from "../../src/scenarios/catalog.js";

const RUNS = Number(process.env.AGENTSIM_PROPERTY_RUNS ?? 200);
/** A search's time limit grows with its run count (a loaded 2-core machine runs ~100 ms a run at worst). */
const SEARCH_TIMEOUT_MS = 60_000 + RUNS * 600;
/** The search's own seed: the same proof every time. */
const SEARCH_SEED = 4242;

describe.each(catalog.map((s) => [s.name, s] as const))("%s", (_name, def) => {
  const all = def.mitigations.map((m) => m.name);
  const survivable = faultKindsWithin(def, all);
  const defeating = (def.faults ?? []).filter((k) => !survivable.includes(k.name));

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
    `with mitigations, ${RUNS} random runs (faults: ${survivable.join(", ") || (defeating.length ? "none that spare its mitigations" : "none declared")}) find no failure`,
    async () => {
      const s = await checkScenario({ base: { scenario: def, mitigations: all }, runs: RUNS, seed: SEARCH_SEED, faultKinds: survivable });
      if (s.found) {
        const { seed, params, faults } = s.shrunk;
        throw new Error(
          `${def.name} failed (${s.shrunk.verdict}) with --mitigate ${all.join(",")} at seed ${seed} params ${JSON.stringify(params)} faults ${JSON.stringify(faults)}: ${s.result?.violations[0]?.message ?? s.error}`,
        );
      }
      expect(s.runs).toBe(RUNS);
    },
    SEARCH_TIMEOUT_MS,
  );

  it.each(defeating.map((k) => [k.name, k] as const))(
    "fault %s defeats its mitigations as declared: the search drawing it finds the failure",
    async (_kind, kind) => {
      expect(kind.defeats?.every((m) => all.includes(m))).toBe(true);
      const s = await checkScenario({ base: { scenario: def, mitigations: all }, runs: RUNS, seed: SEARCH_SEED, faultKinds: [kind.name] });
      expect(s.found).toBe(true);
      if (s.found) expect(s.shrunk.faults.map((f) => f.kind)).toContain(kind.name);
    },
    SEARCH_TIMEOUT_MS,
  );

  it(
    "without mitigations, the search finds the failure, and its seed, params and faults replay it",
    async () => {
      const s = await checkScenario({ base: { scenario: def }, runs: RUNS, seed: SEARCH_SEED });
      expect(s.found).toBe(true);
      if (s.found) {
        expect(s.shrunk.verdict).toBe("violated");
        const replay = await runScenario(drawnRunConfig({ scenario: def }, s.shrunk));
        expect(replay.verdict).toBe("violated");
        expect(replay.traceHash).toBe(s.result?.traceHash);
      }
    },
    SEARCH_TIMEOUT_MS,
  );
});
