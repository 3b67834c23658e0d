/**
 * Start-up proportional to the command: `agentsim run` loads its own scenario, not the catalog;
 * neither zod nor fast-check; not the sweep, check or HTML report modules. Observed through a
 * module resolve hook on the built command (`npm run build` first; skipped without dist/). The
 * build is flat (tsdown): each lazily imported module is a chunk named after it (`four-clocks.mjs`,
 * or `four-clocks2.mjs` when two share a name). The time it takes is measured by
 * bench/startup.bench.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const built = existsSync("dist/cli.mjs");
const dir = mkdtempSync(join(tmpdir(), "agentsim-startup-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file URLs a command resolves while it runs. */
function loaded(args: readonly string[]): string[] {
  const hook = join(dir, "hook.mjs");
  const register = join(dir, "register.mjs");
  writeFileSync(hook, `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`);
  writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, "bin/agentsim.js", ...args], { encoding: "utf8" });
  expect([0, 1]).toContain(r.status);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("LOADED "))
    .map((l) => l.slice(7));
}

describe.skipIf(!built)("what a command loads", () => {
  it("a plain run loads its scenario only, and neither zod nor fast-check", () => {
    const urls = loaded(["run", "scenarios/four-clocks.yaml"]);
    expect(urls.some((u) => /\/dist\/four-clocks\d*\.mjs$/.test(u))).toBe(true);
    expect(urls.filter((u) => /node_modules\/(zod|fast-check)\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /\/dist\/(stampede|double-refund|latency-tail|catalog)\d*\.mjs$/.test(u))).toEqual([]);
    expect(urls.filter((u) => /\/dist\/(sweep|check|merge|replay|report|explore|render-html)\d*\.mjs$/.test(u))).toEqual([]);
  });

  it("check, which searches with fast-check, loads it", () => {
    const urls = loaded(["check", "--help"]);
    expect(urls.some((u) => /\/dist\/check\d*\.mjs$/.test(u))).toBe(true);
    expect(urls.some((u) => /node_modules\/fast-check\//.test(u))).toBe(true); // the hook would see it in a run
  });
});
