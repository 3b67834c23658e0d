/** `agentsim explain`: every parameter of a scenario with its default, range, unit, doc and source. */
import { describe, expect, it } from "vitest";
import type { ParamInfo } from "../../src/cli/explain.js";
import { catalog } from "../../src/scenarios/catalog.js";
import { paramLeaves } from "../../src/scenarios/params.js";
import { cli } from "./capture.js";

/** The text's parameter blocks by path, each block's lines joined with single spaces (wrapping undone). */
function paramBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const head = /^ {2}(\S+)$/.exec(line);
    if (head) blocks.set((current = head[1] as string), "");
    else if (current !== undefined && line.startsWith("      ")) blocks.set(current, `${blocks.get(current)} ${line.trim()}`.trim());
    else current = undefined;
  }
  return blocks;
}

describe("agentsim explain", () => {
  it("prints every parameter of every catalog scenario with its default, range, unit, doc and source", async () => {
    for (const s of catalog) {
      const r = await cli(["explain", s.name], { env: { COLUMNS: "400" } });
      expect(r.code, r.stderr).toBe(0);
      const blocks = paramBlocks(r.stdout);
      for (const { path, param } of paramLeaves(s.params)) {
        const o = param.options;
        const block = blocks.get(path.join("."));
        expect(block, `${s.name}: ${path.join(".")}`).toBeDefined();
        expect(block).toContain(o.doc);
        if (o.source) expect(block).toContain(`source: ${o.source}`);
        expect(block).toMatch(/ · default /);
        if (o.min !== undefined) expect(block).toMatch(/range |at least /);
        if (o.max !== undefined) expect(block).toMatch(/range |at most /);
        if (o.explore) expect(block).toContain("explored ");
      }
      for (const m of s.mitigations) expect(r.stdout).toContain(m.name);
      for (const i of s.invariants) expect(r.stdout).toContain(i.name);
    }
  });

  it("gives the same facts as json, one entry per declared parameter", async () => {
    const s = catalog.find((x) => x.name === "double-refund")!;
    const r = await cli(["explain", "double-refund", "--format", "json"]);
    const out = JSON.parse(r.stdout) as { params: ParamInfo[]; defaults: unknown };
    const leaves = paramLeaves(s.params);
    expect(out.params.map((p) => p.path)).toEqual(leaves.map((l) => l.path.join(".")));
    const timeout = out.params.find((p) => p.path === "agent.timeout")!;
    expect(timeout).toMatchObject({ type: "duration", unit: "duration", default: "10s", min: "100ms", max: "10m" });
    expect(timeout.doc.length).toBeGreaterThan(10);
    expect(out.params.find((p) => p.path === "returns.amountUsd")?.unit).toBe("distribution of USD");
    expect(out.defaults).toEqual(s.defaults);
  });

  it("explains a scenario file, showing its values beside the defaults", async () => {
    const r = await cli(["explain", "test/fixtures/refund.yaml", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { name: string; file: string; params: ParamInfo[] };
    expect(out.name).toBe("fixture-refund");
    expect(out.file).toBe("test/fixtures/refund.yaml");
    for (const p of out.params) if (p.value !== undefined) expect(p.value).not.toEqual(p.default);
    expect(out.params.find((p) => p.path === "clients")).toMatchObject({ default: 3, value: 4 });
    expect(out.params.find((p) => p.path === "priceUsd")?.value).toBeUndefined(); // 12.5 is the default
  });

  it("fits the terminal", async () => {
    const r = await cli(["explain", "latency-tail"], { env: { COLUMNS: "80" } });
    for (const line of r.stdout.trimEnd().split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it("exits 2 for an unknown scenario, suggesting the closest name", async () => {
    const r = await cli(["explain", "double-refnd"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^unknown scenario "double-refnd"; did you mean "double-refund"\?/);
  });
});
