/**
 * README.md's "Test your own agent" promises a test file that fails with a shrunk counterexample
 * and passes after a one-line fix. This runs exactly that: the section's test file is written to
 * a scratch folder inside the package (so `from "agentsim"` resolves as it does for users), run
 * with vitest in a child process (fast-check's seed fixed at 1 so the run is repeatable), and the
 * report it prints is compared line by line with the one the README shows; then the README's fix line
 * replaces the agent's call and the same test must pass. Skipped when dist/ has not been built.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { built } from "./built.js";
import { readmeSection, withFixLine } from "./readme-section.js";

/** A scratch folder under tmp/ (git-ignored), inside the package so that its name resolves. */
function scratchFolder(): string {
  mkdirSync("tmp", { recursive: true });
  return mkdtempSync(join("tmp", "readme-"));
}

const scratch = built ? scratchFolder() : "";
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs `testFile` with vitest in a child process; fast-check's seed is fixed by a setup file. */
function runVitest(testFile: string): { code: number | null; output: string } {
  writeFileSync(join(scratch, "refund.test.ts"), testFile);
  writeFileSync(join(scratch, "seed.ts"), `import fc from "fast-check";\nfc.configureGlobal({ seed: 1 });\n`);
  writeFileSync(
    join(scratch, "vitest.config.ts"),
    `export default { test: { root: ${JSON.stringify(resolve("."))}, include: [${JSON.stringify(`${scratch}/*.test.ts`)}], setupFiles: [${JSON.stringify(resolve(scratch, "seed.ts"))}] } };\n`,
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
  const r = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", join(scratch, "vitest.config.ts")], {
    encoding: "utf8",
    env: { ...env, NO_COLOR: "1", CI: "1" },
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe.skipIf(!built)("README: Test your own agent", () => {
  const { testFile, fixLine, report } = built ? readmeSection() : { testFile: "", fixLine: "", report: [] };

  it("fails with the report the README shows: the same search, the same shrunk counterexample", () => {
    const r = runVitest(testFile);
    expect(r.code, r.output).toBe(1);
    expect(report.find((l) => l.startsWith("Counterexample: "))).toBeDefined();
    for (const line of report) expect(r.output, r.output).toContain(line);
  });

  it("passes once the README's fix line replaces the agent's call", () => {
    const fixed = withFixLine(testFile, fixLine);
    expect(fixed).not.toBe(testFile);
    const r = runVitest(fixed);
    expect(r.code, r.output).toBe(0);
  });
});
