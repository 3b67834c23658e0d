/** `agentsim merge`: the json of every shard of a sweep merges into the json of the whole sweep. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./capture.js";

const FILE = "test/run/fixtures/flaky.yaml";
const SWEEP = ["sweep", FILE, "--seeds", "1..45", "--set", "params.requests=6", "--format", "json", "--workers", "1"];

describe("agentsim merge", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentsim-merge-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("merges the three shards of a sweep into exactly the whole sweep's report, with its exit code", async () => {
    const whole = await cli([...SWEEP, "--workers", "2"]);
    const files: string[] = [];
    for (const i of [1, 2, 3]) {
      const shard = await cli([...SWEEP, "--shard", `${i}/3`]);
      const report = JSON.parse(shard.stdout) as { seeds: { shard: string; count: number } };
      expect(report.seeds).toMatchObject({ shard: `${i}/3`, count: 15 });
      files.push(join(dir, `shard-${i}.json`));
      writeFileSync(files.at(-1)!, shard.stdout);
    }
    const merged = await cli(["merge", ...files.reverse(), "--format", "json"]);
    expect(merged.stderr).toBe("");
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(whole.stdout));
    expect(merged.stdout).toBe(whole.stdout);
    expect(merged.code).toBe(whole.code);
    const text = await cli(["merge", ...files]);
    expect(text.stdout).toContain("agentsim sweep · flaky-service");
    expect(text.stdout).toContain("seeds 1..45 ·");
  });

  it("exits 2 for unreadable files and reports of different sweeps", async () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, (await cli(["sweep", FILE, "--seeds", "1..4", "--format", "json", "--workers", "1"])).stdout);
    writeFileSync(b, (await cli(["sweep", FILE, "--seeds", "1..5", "--format", "json", "--workers", "1"])).stdout);
    const different = await cli(["merge", a, b]);
    expect(different.code).toBe(2);
    expect(different.stderr).toBe(`agentsim merge: ${b} is not part of the same sweep as ${a}: the seed lists differ ("1..5" vs "1..4")\n`);
    const missing = await cli(["merge", a, join(dir, "none.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("none.json: cannot read");
  });
});
