/**
 * The public API's documentation: every export of every entry point (the root, src/index.ts, and
 * each subpath, src/entry/*.ts) has a doc comment, sits under a section heading, and appears in
 * docs/API.md, whose generated reference is up to date with the source (`npm run docs` rewrites it).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readApi, readApiDoc, readPackageApi, renderPackageReference, REPO, withReference, type ApiEntry, type EntryPoint } from "./api-docs/api-reference.js";

let apis: { entry: EntryPoint; entries: ApiEntry[] }[] = [];
beforeAll(() => {
  apis = readPackageApi(REPO);
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

describe("the package's entry points", () => {
  it("are the root and the subpaths for the world, scenarios, actors, checks and the kernel", () => {
    expect(apis.map((a) => a.entry.specifier)).toEqual([
      "agentsim-kit",
      "agentsim-kit/world",
      "agentsim-kit/scenarios",
      "agentsim-kit/actors",
      "agentsim-kit/checks",
      "agentsim-kit/kernel",
    ]);
  });

  it("export the library between them: the agent API, the world, the kernel, actors, checkers, scenarios, runs and reports", () => {
    const where = (name: string) => apis.filter((a) => a.entries.some((e) => e.name === name)).map((a) => a.entry.specifier);
    expect(where("simulate")).toEqual(["agentsim-kit"]);
    expect(where("AnthropicEndpoint")).toEqual(["agentsim-kit/world"]);
    expect(where("Simulation")).toEqual(["agentsim-kit/kernel"]);
    expect(where("SimTool")).toEqual(["agentsim-kit/actors"]);
    expect(where("atMostOnceEffects")).toEqual(["agentsim-kit/checks"]);
    expect(where("defineScenario")).toEqual(["agentsim-kit/scenarios"]);
    expect(where("runScenario")).toEqual(["agentsim-kit/scenarios"]);
    expect(where("renderText")).toEqual(["agentsim-kit/scenarios"]);
  });

  it("document every export with a doc comment", () => {
    const undocumented = apis.flatMap((a) => a.entries.filter((e) => e.doc === "").map((e) => `${a.entry.specifier}: ${e.name} (${e.section})`));
    expect(undocumented).toEqual([]);
  });

  it("put every export under a section heading of its entry file", () => {
    const loose = apis.flatMap((a) => a.entries.filter((e) => e.section === "Other").map((e) => `${a.entry.specifier}: ${e.name}`));
    expect(loose).toEqual([]);
  });

  it("name every export in docs/API.md", () => {
    const doc = readApiDoc();
    const missing = apis.flatMap((a) => a.entries.filter((e) => !doc.includes(`\`${e.shape}\``)).map((e) => `${a.entry.specifier}: ${e.name}`));
    expect(missing).toEqual([]);
  });

  it("have docs/API.md's reference up to date with the source (run `npm run docs` after changing exports)", () => {
    const doc = readApiDoc();
    expect(doc).toBe(withReference(doc, renderPackageReference(apis)));
  });
});
