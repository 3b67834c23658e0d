/** `agentsim list` over the real catalog, whatever it holds at the time. */
import { describe, expect, it } from "vitest";
import { catalog } from "../../src/scenarios/catalog.js";
import { cli } from "./capture.js";

describe("agentsim list (real catalog)", () => {
  it("names every catalog scenario, or says there are none yet", async () => {
    const r = await cli(["list"]);
    expect(r.code).toBe(0);
    if (!catalog.length) expect(r.stdout).toContain("No scenarios in the catalog yet");
    for (const s of catalog)
      expect(r.stdout).toContain(`${s.name}  ${s.summary}`.replace(s.name, s.name.padEnd(Math.max(...catalog.map((c) => c.name.length)))));
  });

  it("prints json that parses to one entry per scenario", async () => {
    const r = await cli(["list", "--format", "json"]);
    expect((JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name)).toEqual(catalog.map((s) => s.name));
  });
});
