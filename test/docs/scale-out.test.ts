/**
 * docs/SCALE-OUT.md's commands, run as written (with `npx agentsim` as the command line in this
 * process, the shell variables of each engine filled in, and a short seed list): the matrix
 * shards and the Indexed Job's pods merge into the whole sweep's report, and merge refuses a set
 * of shards with one missing seed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../cli/capture.js";

const doc = readFileSync("docs/SCALE-OUT.md", "utf8");
const dir = mkdtempSync(join(tmpdir(), "agentsim-scale-out-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The arguments of a documented `npx agentsim …` command line, its `|| test …` tail dropped, the seed list shortened. */
function argv(line: string, vars: Record<string, string>): string[] {
  let text = line.replace(/^.*?npx agentsim /, "").replace(/\s*\|\|.*$/, "");
  for (const [k, v] of Object.entries(vars)) text = text.split(k).join(v);
  return text
    .trim()
    .split(/\s+/)
    .map((a) => (a === "1..100000" ? "1..60" : a))
    .concat(text.startsWith("sweep") ? ["--workers", "1"] : []); // one worker thread a shard keeps the test quick
}

/** The documented lines that start the given command. */
function commands(name: string): string[] {
  return doc.split("\n").filter((l) => l.includes(`npx agentsim ${name} `) && !l.trimStart().startsWith("`"));
}

async function globbed(args: string[]): Promise<string[]> {
  const { readdirSync } = await import("node:fs");
  return args.flatMap((a) => {
    if (!a.includes("*")) return [a];
    const slash = a.lastIndexOf("/");
    const folder = a.slice(0, slash);
    const re = new RegExp(
      `^${a
        .slice(slash + 1)
        .replace(/\./g, "\\.")
        .replace("*", ".*")}$`,
    );
    return readdirSync(folder)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => `${folder}/${f}`);
  });
}

let whole: Awaited<ReturnType<typeof cli>> | undefined;
const wholeSweep = async (): Promise<Awaited<ReturnType<typeof cli>>> =>
  (whole ??= await cli(["sweep", "scenarios/double-refund.yaml", "--seeds", "1..60", "--format", "json", "--workers", "1"]));

describe("docs/SCALE-OUT.md", () => {
  const [actionsSweep, k8sSweep] = commands("sweep");
  const [actionsMerge, k8sMerge] = commands("merge");

  it("documents a matrix job and an Indexed Job, each with merge as the join", () => {
    expect(actionsSweep).toContain("--shard ${{ matrix.shard }}/4");
    expect(k8sSweep).toContain("--shard $((JOB_COMPLETION_INDEX + 1))/4");
    expect(actionsMerge).toBeDefined();
    expect(k8sMerge).toBeDefined();
  });

  it("the GitHub Actions shards merge into the whole sweep's report", async () => {
    const whole = await wholeSweep();
    for (const shard of ["1", "2", "3", "4"]) {
      const r = await cli(argv(actionsSweep as string, { "${{ matrix.shard }}": shard, "shard-": join(dir, "gh-shard-") }));
      expect(r.code).toBeLessThanOrEqual(1);
    }
    const merge = await cli(
      await globbed(argv(actionsMerge as string, { "shard-*.json": join(dir, "gh-shard-*.json"), "sweep.json": join(dir, "gh-sweep.json") })),
    );
    expect(merge.stderr).toBe("");
    expect(merge.code).toBe(whole.code);
    expect(JSON.parse(readFileSync(join(dir, "gh-sweep.json"), "utf8"))).toEqual(JSON.parse(whole.stdout));
  });

  it("the Kubernetes Indexed Job's pods merge into the whole sweep's report, and a shard missing a seed is refused", async () => {
    const whole = await wholeSweep();
    for (const index of ["0", "1", "2", "3"]) {
      const r = await cli(
        argv(k8sSweep as string, { "$((JOB_COMPLETION_INDEX + 1))": String(Number(index) + 1), $JOB_COMPLETION_INDEX: index, "/results/": `${dir}/k8s-` }),
      );
      expect(r.code).toBeLessThanOrEqual(1);
    }
    const mergeArgs = await globbed(argv(k8sMerge as string, { "/results/": `${dir}/k8s-` }));
    const merge = await cli(mergeArgs);
    expect(merge.stderr).toBe("");
    expect(JSON.parse(readFileSync(`${dir}/k8s-sweep.json`, "utf8"))).toEqual(JSON.parse(whole.stdout));
    // A shard with a result deleted does not pass for a complete sweep.
    const shard = JSON.parse(readFileSync(`${dir}/k8s-shard-2.json`, "utf8"));
    writeFileSync(`${dir}/k8s-shard-2.json`, JSON.stringify({ ...shard, results: shard.results.slice(1) }));
    const refused = await cli(mergeArgs);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`k8s-shard-2.json is incomplete: 1 of the 15 seeds of shard 3/4 of 1..60 are missing (seeds ${shard.results[0].seed})`);
  });
});
