/** `agentsim list`, with the fixture scenario standing in for the catalog. */
import { describe, expect, it, vi } from "vitest";
import { cli } from "./capture.js";

vi.mock("../../src/scenarios/catalog.js", async () => {
  const fixture = (await import("../fixtures/fixture-scenario.js")).default;
  return { catalog: [fixture], findScenario: (name: string) => (name === fixture.name ? fixture : undefined) };
});
vi.mock("../../src/scenarios/catalog-index.js", async () => {
  const fixture = (await import("../fixtures/fixture-scenario.js")).default;
  return { catalogNames: [fixture.name], loadCatalogScenario: async (name: string) => (name === fixture.name ? fixture : undefined) };
});

describe("agentsim list", () => {
  it("lists each scenario with its summary, invariants and mitigations", async () => {
    const r = await cli(["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "fixture-refund  clients retry timed-out refunds; without idempotency keys a refund commits twice",
        "                invariants:  at-most-once-effect",
        "                mitigations: idempotency-keys",
        "",
      ].join("\n"),
    );
  });

  it("lists them as json", async () => {
    const r = await cli(["list", "--format", "json"]);
    const entries = JSON.parse(r.stdout) as { name: string; invariants: { name: string }[]; mitigations: { name: string }[]; faults: { name: string }[] }[];
    expect(entries.map((e) => e.name)).toEqual(["fixture-refund"]);
    expect(entries[0]?.invariants.map((i) => i.name)).toEqual(["at-most-once-effect"]);
    expect(entries[0]?.mitigations.map((m) => m.name)).toEqual(["idempotency-keys"]);
    expect(entries[0]?.faults.map((f) => f.name)).toEqual(["tool-hang"]);
  });

  it("lets a file name a catalog scenario by name", async () => {
    const r = await cli(["validate", "test/fixtures/by-name.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("ok  test/fixtures/by-name.yaml  (fixture-refund, seed 2");
  });

  it("suggests the closest catalog name for a misspelt one", async () => {
    const r = await cli(["run", "test/fixtures/by-name.yaml", "--set", "scenario=fixture-refnd"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'test/fixtures/by-name.yaml: --set scenario=fixture-refnd: unknown scenario "fixture-refnd"; did you mean "fixture-refund"? expected one of: fixture-refund (or a path to a module such as ./my-scenario.js)\n',
    );
  });
});
