/** Loading a scenario file into a validated config that maps onto `runScenario`'s RunConfig. */
import { describe, expect, it } from "vitest";
import { loadScenarioFile, loadScenarioText, type LoadResult } from "../../src/config/load-scenario-file.js";
import { formatProblem } from "../../src/config/problem.js";
import { toRunConfig, type ScenarioConfig } from "../../src/config/scenario-config.js";
import fixture from "../fixtures/fixture-scenario.js";

/** Text "read" from a file in test/fixtures, so that ./fixture-scenario.ts resolves. */
const AT = "test/fixtures/inline.yaml";

function loaded(r: LoadResult): ScenarioConfig {
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
  return r.config;
}

function problems(r: LoadResult): string[] {
  if (r.ok) throw new Error("expected problems, got a config");
  return r.problems.map(formatProblem);
}

describe("loadScenarioFile", () => {
  it("loads every key of a file into the config", async () => {
    const c = loaded(await loadScenarioFile("test/fixtures/refund.yaml"));
    expect(c.scenario).toBe(fixture);
    expect(c.file).toBe("test/fixtures/refund.yaml");
    expect(c.description).toBe("refunds retried after a 1 s deadline");
    expect(c.seed).toBe(7);
    expect(c.horizon).toBe("10m");
    expect(c.horizonMs).toBe(600_000);
    expect(c.maxEvents).toBe(100_000);
    expect(c.epochMs).toBe(Date.UTC(2026, 2, 9, 8, 0, 0));
    expect(c.params).toEqual({
      clients: 4,
      tool: { latency: { lognormal: { p50: "800ms", p99: "3s" } }, timeout: "1s" },
      retry: { probability: 0.9 },
      priceUsd: 12.5,
    });
    expect(c.faults).toEqual([{ kind: "tool-hang", at: 30_000, for: 10_000, target: "refund", probability: 0.5 }]);
    expect(c.invariants).toEqual(["at-most-once-effect"]);
    expect(c.mitigations).toEqual([]);
  });

  it("maps onto a RunConfig field for field", async () => {
    const c = loaded(await loadScenarioFile("test/fixtures/refund.yaml", { mitigate: ["idempotency-keys"] }));
    expect(toRunConfig(c)).toEqual({
      scenario: fixture,
      seed: 7,
      params: c.params,
      mitigations: ["idempotency-keys"],
      faults: c.faults,
      invariants: ["at-most-once-effect"],
      horizon: "10m",
      maxEvents: 100_000,
      epochMs: c.epochMs,
    });
  });

  it("takes the scenario's defaults for what a file leaves out", async () => {
    const c = loaded(await loadScenarioText("scenario: ./fixture-scenario.ts\n", AT));
    expect(c.seed).toBe(fixture.defaults.seed);
    expect(c.horizonMs).toBe(600_000);
    expect(c.params).toEqual({});
    expect(c.faults).toEqual([]);
    expect(c.invariants).toBeUndefined();
    expect(c.epochMs).toBeUndefined();
    expect(toRunConfig(c)).not.toHaveProperty("invariants");
  });

  it("adds --mitigate names to the file's, once each, and --seed replaces the seed", async () => {
    const text = "scenario: ./fixture-scenario.ts\nseed: 3\nmitigations: [idempotency-keys]\n";
    const c = loaded(await loadScenarioText(text, AT, { mitigate: ["idempotency-keys"], seed: 99 }));
    expect(c.mitigations).toEqual(["idempotency-keys"]);
    expect(c.mitigate).toEqual(["idempotency-keys"]);
    expect(c.seed).toBe(99);
  });

  it("reports every problem of a file at once, each at its own line and column", async () => {
    const text = ["scenario: ./fixture-scenario.ts", "seed: -1", "params:", "  clients: 0", "  region: mars", "mitigations: [nope]"].join("\n");
    expect(problems(await loadScenarioText(text, AT))).toEqual([
      `${AT}:2:7: expected a seed of 0 or more, got -1`,
      `${AT}:4:12: 0 is below the minimum 1`,
      `${AT}:5:11: "mars" is not one of eu, us`,
      `${AT}:6:15: unknown mitigation "nope"; expected one of: idempotency-keys`,
    ]);
  });

  it("names an unknown --mitigate with the valid ones and its option", async () => {
    const r = await loadScenarioText("scenario: ./fixture-scenario.ts\n", AT, { mitigate: ["idempotency-kyes"] });
    expect(problems(r)).toEqual([
      `${AT}: --mitigate idempotency-kyes: unknown mitigation "idempotency-kyes" for fixture-refund; did you mean "idempotency-keys"? expected one of: idempotency-keys`,
    ]);
  });

  it("says when a file is missing or is a folder", async () => {
    expect(problems(await loadScenarioFile("test/fixtures/nope.yaml"))).toEqual(["test/fixtures/nope.yaml: no such file"]);
    expect(problems(await loadScenarioFile("test/fixtures"))[0]).toContain("test/fixtures: not a file");
  });

  it("rejects a module whose default export is not a scenario", async () => {
    const r = await loadScenarioText("scenario: ./not-a-scenario.mjs\n", AT);
    expect(problems(r)[0]).toMatch(/^test\/fixtures\/inline\.yaml:1:11: scenario module \.\/not-a-scenario\.mjs must export a scenario as its default export/);
  });

  it("loads a plain .mjs scenario module", async () => {
    const c = loaded(await loadScenarioText("scenario: ./bin-scenario.mjs\nseed: 5\n", AT));
    expect(c.scenario.name).toBe("bin-fixture");
    expect(c.seed).toBe(5);
  });
});
