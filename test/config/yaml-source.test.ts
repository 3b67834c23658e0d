/** Reading YAML safely: positions kept, nothing executed, alias bombs refused. */
import { describe, expect, it } from "vitest";
import { MAX_ALIAS_COUNT, parseYaml, parseYamlValue } from "../../src/config/yaml-source.js";

describe("parseYaml", () => {
  it("locates values and keys by path, through lists and nested mappings", () => {
    const r = parseYaml("a: 1\nb:\n  c: [x, { d: 2 }]\n");
    if (!r.ok) throw new Error("parse failed");
    expect(r.source.value).toEqual({ a: 1, b: { c: ["x", { d: 2 }] } });
    expect(r.source.locate(["a"])).toEqual({ line: 1, col: 4 });
    expect(r.source.locate(["b", "c", 1, "d"])).toEqual({ line: 3, col: 15 });
    expect(r.source.locate(["b", "c", 1, "d"], { key: true })).toEqual({ line: 3, col: 12 });
    // A path past what was written points at the deepest part that exists.
    expect(r.source.locate(["b", "missing", "deeper"])).toEqual({ line: 3, col: 3 });
  });

  it("follows a modest alias to where its anchor was written", () => {
    const r = parseYaml("base: &l { p50: 1s }\nother: *l\n");
    if (!r.ok) throw new Error("parse failed");
    expect(r.source.value).toEqual({ base: { p50: "1s" }, other: { p50: "1s" } });
    expect(r.source.locate(["other", "p50"])).toEqual({ line: 1, col: 17 });
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 6; i++)
      levels.push(
        `${"abcdef"[i]}: &${"abcdef"[i]} [${Array(10)
          .fill(`*${"abcdef"[i - 1]}`)
          .join(", ")}]`,
      );
    const r = parseYaml(levels.join("\n"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ pos: { line: 2, col: 8 }, message: expect.stringContaining(`aliases expand beyond ${MAX_ALIAS_COUNT} copies: refused`) }]);
  });

  it("never resolves language or custom tags (they are errors, not strings or objects)", () => {
    for (const text of ['x: !!js/function "return 1"', "x: !!js/regexp /a/", "x: !custom 3", "x: !!binary aGk="]) {
      const r = parseYaml(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.problems[0]?.message).toMatch(/^tag .* is not allowed/);
    }
  });

  it("uses the YAML 1.2 core schema: yes/no and timestamps stay strings, merge keys are plain keys", () => {
    const r = parseYaml("a: yes\nb: 2026-03-09T08:00:00Z\n<<: { c: 1 }\n");
    if (!r.ok) throw new Error("parse failed");
    expect(r.source.value).toEqual({ a: "yes", b: "2026-03-09T08:00:00Z", "<<": { c: 1 } });
  });

  it("refuses duplicate keys and a second document", () => {
    const dup = parseYaml("a: 1\na: 2\n");
    expect(dup.ok ? [] : dup.problems).toEqual([{ pos: { line: 2, col: 1 }, message: expect.stringContaining("duplicate key") }]);
    const two = parseYaml("a: 1\n---\nb: 2\n");
    expect(two.ok ? "" : two.problems[0]?.message).toContain("holds one YAML document");
  });
});

describe("parseYamlValue", () => {
  it("reads scalars and flow collections", () => {
    expect(parseYamlValue("9s")).toEqual({ ok: true, value: "9s" });
    expect(parseYamlValue("42")).toEqual({ ok: true, value: 42 });
    expect(parseYamlValue("true")).toEqual({ ok: true, value: true });
    expect(parseYamlValue("[a, b]")).toEqual({ ok: true, value: ["a", "b"] });
    expect(parseYamlValue("{ uniform: { min: 1s, max: 2s } }")).toEqual({ ok: true, value: { uniform: { min: "1s", max: "2s" } } });
  });

  it("refuses malformed values", () => {
    expect(parseYamlValue("[a, b").ok).toBe(false);
  });
});
