/** The on-demand catalog index lists the same scenarios, in the same order, as the eager catalog. */
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/scenarios/catalog.js";
import { catalogNames, loadCatalogScenario } from "../../src/scenarios/catalog-index.js";

describe("catalog index", () => {
  it("names every catalog scenario in catalog order, and loads the same definition", async () => {
    expect(catalogNames).toEqual(catalog.map((s) => s.name));
    for (const s of catalog) expect(await loadCatalogScenario(s.name)).toBe(s);
  });

  it("loads nothing for a name outside the catalog", async () => {
    expect(await loadCatalogScenario("no-such-scenario")).toBeUndefined();
    expect(await loadCatalogScenario("constructor")).toBeUndefined();
  });
});
