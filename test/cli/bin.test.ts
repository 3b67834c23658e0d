/**
 * The built command, as users run it: `node bin/agentsim.js` (after `npm run build`). Skipped,
 * with a note, when dist/ has not been built.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const built = existsSync("dist/cli.mjs");
if (!built) console.warn("bin.test.ts: dist/cli.mjs is missing; run `npm run build` to test the built command");

function agentsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)("bin/agentsim.js", () => {
  it("runs a plain-JavaScript scenario module: exit 1 when violated, 0 with the mitigation", () => {
    const broken = agentsim("run", "test/fixtures/bin.yaml");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("no-late-answer broke at +00:00:01.200");
    expect(broken.stdout).toContain("no-late-answer at +00:00:01.800: answer 2 came at 1800 ms");
    const fixed = agentsim("run", "test/fixtures/bin.yaml", "--mitigate", "fast-path");
    expect(fixed.code).toBe(0);
  });

  it("prints the same trace hash twice", () => {
    const hash = (): string => (JSON.parse(agentsim("run", "test/fixtures/bin.yaml", "--format", "json").stdout) as { traceHash: string }).traceHash;
    const a = hash();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(hash()).toBe(a);
  });

  it("exits 2 with file:line:col and no stack trace for a bad file", () => {
    const r = agentsim("run", "test/fixtures/bin-broken.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'test/fixtures/bin-broken.yaml:4:1: unknown key "horizn"; did you mean "horizon"? expected one of: scenario, description, seed, horizon, maxEvents, startAt, params, faults, mitigations, invariants\n',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("explains that a .ts scenario module needs a TypeScript loader under plain Node.js", () => {
    const r = agentsim("validate", "test/fixtures/refund.yaml", "--allow-module");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot load scenario module ./fixture-scenario.ts: Node.js cannot import this file type");
  });

  it("exits 2 for usage errors and prints help with no arguments", () => {
    expect(agentsim("run", "--format", "xml", "x.yaml").code).toBe(2);
    const help = agentsim();
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: agentsim");
  });
});
