/**
 * The public API's documentation: every export of the package root (src/index.ts) has a doc
 * comment, sits under a section heading, and appears in docs/API.md, whose generated reference is
 * up to date with the source (`npm run docs` rewrites it).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readApi, readApiDoc, renderReference, REPO, withReference, type ApiEntry } from "./api-docs/api-reference.js";

let entries: ApiEntry[] = [];
beforeAll(() => {
  entries = readApi(REPO);
}, 120_000);

describe("the reference reader", () => {
  it("lists each export with its section, kind, call shape and doc comment, and finds the undocumented ones", () => {
    const fixture = readApi(REPO, "test/api-docs/fixture/root.ts");
    expect(fixture.map(({ name, section, kind, shape, doc }) => ({ name, section, kind, shape, doc }))).toEqual([
      { name: "documented", section: "Documented things", kind: "function", shape: "documented(a, b?)", doc: "Adds two numbers." },
      { name: "DocumentedShape", section: "Documented things", kind: "interface", shape: "DocumentedShape", doc: "A documented shape." },
      { name: "Bare", section: "Bare things", kind: "class", shape: "new Bare(name)", doc: "" },
      { name: "bareValue", section: "Bare things", kind: "const", shape: "bareValue", doc: "" },
    ]);
  }, 120_000);
});

describe("the package root", () => {
  it("exports the library: the agent API, the kernel, actors, checkers, scenarios, runs and reports", () => {
    const names = new Set(entries.map((e) => e.name));
    for (const name of ["simulate", "agentScenario", "Simulation", "SimTool", "LlmProvider", "atMostOnceEffects", "defineScenario", "runScenario", "expectNoViolation", "renderText"]) {
      expect(names, name).toContain(name);
    }
  });

  it("documents every export with a doc comment", () => {
    expect(entries.filter((e) => e.doc === "").map((e) => `${e.name} (${e.section})`)).toEqual([]);
  });

  it("puts every export under a section heading of src/index.ts", () => {
    expect(entries.filter((e) => e.section === "Other").map((e) => e.name)).toEqual([]);
  });

  it("names every export in docs/API.md", () => {
    const doc = readApiDoc();
    expect(entries.filter((e) => !doc.includes(`\`${e.shape}\``)).map((e) => e.name)).toEqual([]);
  });

  it("has docs/API.md's reference up to date with the source (run `npm run docs` after changing exports)", () => {
    const doc = readApiDoc();
    expect(doc).toBe(withReference(doc, renderReference(entries)));
  });
});
