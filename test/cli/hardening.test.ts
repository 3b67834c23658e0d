/**
 * Issue 14's findings, each as the user met it: untrusted input stays data, file-system errors are
 * exit 2 with the path and reason, impossible values are refused with a position, control
 * characters are escaped, crashes name their phase and the user's file:line, and a failed write
 * loses nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./capture.js";

const dir = mkdtempSync(join(tmpdir(), "agentsim-hardening-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const HOSTILE = "test/fixtures/hostile.yaml";
const STACK = /\n\s+at .+:\d+:\d+/;

describe("prototype pollution", () => {
  afterAll(() => expect(({} as Record<string, unknown>).polluted).toBeUndefined());

  it("refuses __proto__, constructor and prototype keys in a file, with their position", async () => {
    for (const [key, line] of [
      ["__proto__", 4],
      ["constructor", 4],
      ["prototype", 4],
    ] as const) {
      const f = file(`${key}.yaml`, `scenario: double-refund\nparams:\n  returns:\n    ${key}:\n      polluted: 1\n`);
      const r = await cli(["validate", f]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${f}:${line}:5: the key "${key}" is not allowed (it could change every object's prototype); rename it\n`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it("refuses them in --set paths and in --set values", async () => {
    const path = await cli(["run", "scenarios/double-refund.yaml", "--set", "params.__proto__.toString=1"]);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain(`--set params.__proto__.toString=1: at key 2 of the path: the key "__proto__" is not allowed`);
    const value = await cli(["validate", "scenarios/double-refund.yaml", "--set", "params.returns={ __proto__: { polluted: 1 } }"]);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain(`the key "__proto__" is not allowed`);
    expect(typeof ({} as { toString: unknown }).toString).toBe("function");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses them in a repro's params and in a sweep file, with their line and column, before running anything", async () => {
    const repro = file(
      "polluting.repro.json",
      `{"kind":"agentsim.repro/1","scenario":"double-refund","seed":1,"overrides":[],\n"params":{"returns":{"__proto__":{"maxEvents":3,"polluted":1}}},"faults":[],"mitigations":[],"verdict":"violated","violated":[]}\n`,
    );
    const r = await cli(["replay", repro]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${repro}: 2:22: the key "__proto__" is not allowed (it could change every object's prototype); rename it\n`);
    const sweep = file("polluting.json", `{"kind":"agentsim.sweep/1","constructor":{"prototype":{"polluted":1}}}`);
    const m = await cli(["merge", sweep]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`${sweep}: 1:28: the key "constructor" is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("file-system errors", () => {
  it("are exit 2 with the path and the reason, and validate goes on with the other files", async () => {
    const loop = join(dir, "loop.yaml");
    symlinkSync(loop, loop);
    const notDir = join(file("plain.txt", "x"), "x.yaml");
    const long = join(dir, `${"n".repeat(300)}.yaml`);
    const r = await cli(["validate", loop, notDir, long, "scenarios/double-refund.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        `${loop}: cannot read: too many levels of symbolic links (a symlink loop?) (ELOOP)`,
        `${notDir}: cannot read: a part of the path is not a directory (ENOTDIR)`,
        `${long}: cannot read: the file name is too long (ENAMETOOLONG)`,
        "",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(/^ok {2}scenarios\/double-refund\.yaml/);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe("values that cannot be", () => {
  it("refuses a 309-digit duration, an infinite number and an impossible date, each with its position", async () => {
    const digits = "9".repeat(309);
    const f = file("impossible.yaml", `scenario: double-refund\nhorizon: ${digits}s\nstartAt: 2026-02-31T00:00:00Z\nparams:\n  returns:\n    count: .inf\n`);
    const r = await cli(["validate", f]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    // Values the YAML itself cannot hold are reported first, alone (the schema would judge Infinity).
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${f}:2:10: the duration .* is too large to be finite`));
    expect(lines[1]).toBe(`${f}:6:12: .inf is not a finite number; expected a number JavaScript can hold exactly enough (at most about 1.8e308)`);
    const date = file("date.yaml", `scenario: double-refund\nstartAt: 2026-02-31T00:00:00Z\n`);
    const d = await cli(["validate", date]);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe(`${date}:2:10: "2026-02-31T00:00:00Z" is not a real date: 2026-02 has 28 days\n`);
    const leap = file("leap.yaml", `scenario: double-refund\nstartAt: 2028-02-29T23:59:59Z\n`);
    expect((await cli(["validate", leap])).code).toBe(0);
  });
});

describe("terminal output", () => {
  it("escapes control characters of user text: a description, a bad key", async () => {
    const f = file("escape.yaml", `scenario: double-refund\ndescription: "\\e]0;pwned\\a\\e[2J red"\nparams:\n  "bad\\e[31mkey": 1\n`);
    const r = await cli(["validate", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown key "bad\\x1b[31mkey"`);
    expect(r.stderr).not.toContain("\u001b");
    const ok = file("escape-ok.yaml", `scenario: double-refund\ndescription: "\\e]0;pwned\\a\\e[2J red"\nparams:\n  returns:\n    count: 2\n`);
    const run = await cli(["run", ok, "--quiet"]);
    expect(run.stdout + run.stderr).not.toContain("\u001b");
  });
});

describe("crashes", () => {
  it("name their phase, and the user's file and line", async () => {
    const check = await cli(["run", HOSTILE, "--mitigate", "throw-in-check"]);
    expect(check.code).toBe(3);
    expect(check.stderr).toBe(
      `${HOSTILE}: the scenario threw while its invariants were judged (check): TypeError: cannot judge (at test/fixtures/hostile.mjs:37:41)\n`,
    );
    const metrics = await cli(["report", HOSTILE, "--mitigate", "throw-in-metrics", "--out", join(dir, "m.html")]);
    expect(metrics.code).toBe(3);
    expect(metrics.stderr).toBe(
      `${HOSTILE}: the scenario threw while its metrics were computed (metrics): RangeError: cannot measure (at test/fixtures/hostile.mjs:41:43)\n`,
    );
    const run = await cli(["run", HOSTILE, "--mitigate", "throw-in-run"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `${HOSTILE}: the scenario crashed: the scenario threw while running: process (actor) "ticker" threw Error: the ticker broke (at test/fixtures/hostile.mjs:29:50)\n`,
    );
  });
});

describe("writes", () => {
  it("report replaces its file atomically and, when it cannot write, keeps the previous file and leaves no temporary file", async () => {
    const out = join(dir, "r.html");
    writeFileSync(out, "previous");
    const bad = await cli(["report", HOSTILE, "--out", join(dir, "no-such-dir", "r.html")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`${join(dir, "no-such-dir", "r.html")}: cannot write the report: no such file (ENOENT)\n`);
    const good = await cli(["report", HOSTILE, "--out", out]);
    expect(good.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^<!doctype html>/i);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("check --out to an unwritable path still prints the counterexample it found, and the repro on stderr", async () => {
    const out = join(dir, "missing-dir", "x.repro.json");
    const r = await cli(["check", HOSTILE, "--mitigate", "throw-in-run", "--runs", "3", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^FOUND hostile-fixture: /);
    expect(r.stdout).toContain("shrunk to");
    expect(r.stderr).toContain(`${out}: cannot write the repro: no such file (ENOENT); here it is, to save by hand:\n{\n  "kind": "agentsim.repro/1"`);
  });
});

describe("replay of an untrusted repro", () => {
  /** A module that leaves a mark when its code runs. */
  const mark = join(dir, "module-ran");
  const evil = file("evil.mjs", `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(mark)}, "ran");\nexport default {};\n`);
  const base = {
    kind: "agentsim.repro/1",
    scenario: "double-refund",
    seed: 1,
    overrides: [] as string[],
    params: {},
    faults: [] as unknown[],
    mitigations: [] as string[],
    verdict: "violated",
    violated: [] as string[],
  };

  it("runs no module code and writes no file without --allow-module, whether the module comes from an override or the scenario file", async () => {
    const viaOverride = file(
      "override.repro.json",
      JSON.stringify({ ...base, scenarioFile: resolve("scenarios/double-refund.yaml"), overrides: [`scenario=${evil}`] }),
    );
    const yaml = file("evil.yaml", "scenario: ./evil.mjs\n");
    const viaFile = file("file.repro.json", JSON.stringify({ ...base, scenarioFile: "evil.yaml" }));
    const before = readdirSync(dir).sort();
    for (const repro of [viaOverride, viaFile]) {
      const r = await cli(["replay", repro]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/replaying it would run that module's code\. If you trust this repro, add --allow-module\n$/);
      expect(r.stdout).toBe("");
    }
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(yaml).toBeTruthy();
  });

  it("replays a catalog scenario named by its name alone, and refuses unknown parameters, fault kinds, targets, mitigations and bad values with exit 2", async () => {
    const byName = file("by-name.repro.json", JSON.stringify({ ...base, params: { returns: { count: 2 } } }));
    const ok = await cli(["replay", byName]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("agentsim replay · double-refund");
    expect(ok.stdout).toContain("NOT REPRODUCED");
    const cases: [unknown, string][] = [
      [{ params: { returns: { cuont: 2 } } }, `params.returns.cuont: scenario double-refund has no such parameter`],
      [{ faults: [{ kind: "meteor", at: 0, for: 1 }] }, `faults.0.kind: scenario double-refund has no fault kind "meteor"`],
      [{ mitigations: ["prayer"] }, `mitigations.0: scenario double-refund has no mitigation "prayer"`],
      [{ params: { returns: { count: -5 } } }, `params.returns.count:`],
    ];
    for (const [change, message] of cases) {
      const r = await cli(["replay", file("bad.repro.json", JSON.stringify({ ...base, ...(change as object) }))]);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe("");
    }
  });
});

describe("validate", () => {
  it("checks a module-backed file without importing the module unless asked", async () => {
    const mark = join(dir, "validate-ran");
    file("marking.mjs", `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(mark)}, "ran");\nexport default {};\n`);
    const yaml = file("marking.yaml", "scenario: ./marking.mjs\nhorizon: 1m\n");
    const r = await cli(["validate", yaml]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("module ./marking.mjs not imported");
    expect(readdirSync(dir)).not.toContain("validate-ran");
    mkdirSync(join(dir, "sub"), { recursive: true });
    const asked = await cli(["validate", yaml, "--allow-module"]);
    expect(asked.code).toBe(2);
    expect(readdirSync(dir)).toContain("validate-ran");
  });
});

describe("replay after the scenario changed", () => {
  it("says SCENARIO CHANGED (its fingerprint), not nondeterminism, and exits by the new verdict", async () => {
    const { cpSync, mkdirSync: mk } = await import("node:fs");
    const before = join(dir, "before");
    mk(before);
    cpSync("test/fixtures/hostile.mjs", join(before, "hostile.mjs"));
    cpSync("test/fixtures/hostile.yaml", join(before, "hostile.yaml"));
    const repro = join(before, "hostile.repro.json");
    const found = await cli(["check", join(before, "hostile.yaml"), "--mitigate", "throw-in-run", "--runs", "2", "--max-faults", "0", "--out", repro]);
    expect(found.code).toBe(3); // a process crashed: the repro is of a crash
    // The same files elsewhere (a colleague's checkout), with the module edited since.
    const after = join(dir, "after");
    cpSync(before, after, { recursive: true });
    writeFileSync(
      join(after, "hostile.mjs"),
      readFileSync(join(after, "hostile.mjs"), "utf8").replace('i === 2) throw new Error("the ticker broke")', 'i === 1) throw new Error("the ticker broke")'),
    );
    const same = await cli(["replay", repro, "--allow-module"]);
    expect(same.code).toBe(3);
    expect(same.stdout).toContain("REPRODUCED");
    const changed = await cli(["replay", join(after, "hostile.repro.json"), "--allow-module"]);
    expect(changed.stdout).toContain("SCENARIO CHANGED since this repro was written");
    expect(changed.stdout).toContain("two reruns agree, so this is not nondeterminism");
    expect(changed.code).toBe(3); // still a crash, one tick earlier: not exit 4
  });
});
