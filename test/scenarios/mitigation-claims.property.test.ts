/**
 * What each scenario file says of its mitigations, checked against the simulator. A scenario file's
 * header names its example commands; for a scenario with more than one mitigation it must say, per
 * mitigation, `# holds alone`, or of the combined command `# holds (each alone does not)`.
 * - "holds alone": that one mitigation holds at the default seed, and a fast-check search over
 *   seeds and explored parameters with only it switched on (`checkScenario`, the search `agentsim
 *   check` runs; no faults, as the file's command has none) finds no violation (a bug in one
 *   mitigation cannot hide behind the others, as it can in catalog.property.test.ts's all-on runs);
 * - "each alone does not": each mitigation by itself is violated at the default seed.
 * Runs per search: AGENTSIM_PROPERTY_RUNS (default 200; .ci/run sets 1000).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkScenario } from "../../src/run/check.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { catalog } from "../../src/scenarios/catalog.js";

const RUNS = Number(process.env.AGENTSIM_PROPERTY_RUNS ?? 200);
const SEARCH_TIMEOUT_MS = 60_000 + RUNS * 600;

/** The claims a scenario file's header makes about single mitigations. */
function claimsOf(name: string): { holdsAlone: string[]; eachAloneFails: boolean } {
  const header = readFileSync(new URL(`../../scenarios/${name}.yaml`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l.startsWith("#"));
  const holdsAlone = header.map((l) => /--mitigate (\S+)\s+# holds alone\b/.exec(l)?.[1]).filter((m): m is string => m !== undefined);
  const eachAloneFails = header.some((l) => /--mitigate \S+,\S+\s+# holds \(each alone does not\)/.test(l));
  return { holdsAlone, eachAloneFails };
}

const multi = catalog.filter((s) => s.mitigations.length > 1);

describe("every scenario with several mitigations says what each does alone", () => {
  it.each(multi.map((s) => [s.name, s] as const))("%s", (_name, def) => {
    const claims = claimsOf(def.name);
    const all = def.mitigations.map((m) => m.name);
    // Either each mitigation is claimed to hold alone, or the file says none does.
    if (claims.eachAloneFails) expect(claims.holdsAlone).toEqual([]);
    else expect([...claims.holdsAlone].sort()).toEqual([...all].sort());
  });
});

describe("README's catalog table makes the same claims as the scenario files", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  it.each(multi.map((s) => [s.name, s] as const))("%s", (_name, def) => {
    const row = readme.split("\n").find((l) => l.startsWith(`| ${def.name} |`)) ?? "";
    const claims = claimsOf(def.name);
    expect(row).toContain(claims.eachAloneFails ? "neither mitigation alone holds" : "each mitigation alone holds");
  });
});

const holdsAlone = catalog.flatMap((def) => claimsOf(def.name).holdsAlone.map((m) => [`${def.name} --mitigate ${m}`, def, m] as const));
const eachAloneFails = catalog
  .filter((def) => claimsOf(def.name).eachAloneFails)
  .flatMap((def) => def.mitigations.map((m) => [`${def.name} --mitigate ${m.name}`, def, m.name] as const));

describe.each(holdsAlone)("%s: holds alone, as its file says", (_label, def, mitigation) => {
  it("holds at the default seed", async () => {
    const r = await runScenario({ scenario: def, seed: def.defaults.seed, mitigations: [mitigation] });
    expect(r.violations.map((v) => v.message)).toEqual([]);
  });

  it(
    `${RUNS} random runs with only it switched on find no violation`,
    async () => {
      const s = await checkScenario({ base: { scenario: def, mitigations: [mitigation] }, runs: RUNS, seed: 4242, faults: false });
      if (s.found) {
        throw new Error(
          `${def.name} failed (${s.shrunk.verdict}) with --mitigate ${mitigation} alone at seed ${s.shrunk.seed} params ${JSON.stringify(s.shrunk.params)}: ${s.result?.violations[0]?.message ?? s.error}`,
        );
      }
      expect(s.runs).toBe(RUNS);
    },
    SEARCH_TIMEOUT_MS,
  );
});

describe.each(eachAloneFails)("%s: does not hold alone, as its file says", (_label, def, mitigation) => {
  it("is violated at the default seed", async () => {
    const r = await runScenario({ scenario: def, seed: def.defaults.seed, mitigations: [mitigation] });
    expect(r.verdict).toBe("violated");
  });
});
