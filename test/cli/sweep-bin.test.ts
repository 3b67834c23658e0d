/**
 * The built command's sweep (after `npm run build`): worker threads run dist/worker-entry.mjs
 * under plain Node.js, no TypeScript loader. Skipped, with a note, when dist/ lacks the sweep.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const built = existsSync("dist/worker-entry.mjs") && existsSync("dist/cli.mjs");
if (!built) console.warn("sweep-bin.test.ts: dist/ has no sweep yet; run `npm run build` to test the built sweep");

function agentsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)("bin/agentsim.js sweep", () => {
  it("sweeps a plain-JavaScript scenario in two worker threads: exit 1 when violated, 0 with the mitigation", () => {
    const broken = agentsim("sweep", "test/fixtures/bin.yaml", "--seeds", "1..20", "--workers", "2");
    expect(broken.stderr).toBe("");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("VIOLATED on 20 of 20 seeds");
    const fixed = agentsim("sweep", "test/fixtures/bin.yaml", "--seeds", "1..20", "--workers", "2", "--mitigate", "fast-path");
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain("HELD on all 20 seeds");
  });
});
