/** runSweep: worker threads give the same summaries as runs in this thread, in seed order; a dead worker loses no seed. */
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { runSweep, SweepLoadError } from "../../src/run/sweep.js";
import { runSeed } from "../../src/run/sweep-summary.js";

const FILE = "test/run/fixtures/flaky.yaml";
const seeds = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function inThisThread(overrides: string[], list: number[]) {
  const loaded = await loadScenarioFile(FILE, { overrides });
  if (!loaded.ok) throw new Error("fixture did not load");
  const base = toRunConfig(loaded.config);
  return Promise.all(list.map(async (s) => (await runSeed(base, s)).summary));
}

describe("runSweep", () => {
  it("returns, in list order, the summaries that runs in this thread give, whatever the workers and chunks", async () => {
    const list = [...seeds(30, 59), 3, 1, 2];
    const expected = await inThisThread([], list);
    const two = await runSweep({ file: FILE, seeds: list, workers: 2, chunkSize: 4 });
    const one = await runSweep({ file: FILE, seeds: list, workers: 1, chunkSize: 7 });
    expect(two.results).toEqual(expected);
    expect(one.results).toEqual(expected);
    expect(two.results.map((r) => r.seed)).toEqual(list);
    // The fixture fails ~40% of seeds (1 - 0.95^10): both verdicts occur, so the comparison means something.
    expect(new Set(expected.map((r) => r.verdict))).toEqual(new Set(["held", "violated"]));
    expect(two.units).toEqual({ served: "count", failed: "count", "finished at": "ms" });
  });

  it("reports a seed whose worker thread dies as an error, and still runs every other seed", async () => {
    const list = seeds(1, 24);
    const done: number[] = [];
    const r = await runSweep({ file: FILE, seeds: list, workers: 2, chunkSize: 6, overrides: ["params.exitOnSeed=8"], onResult: (s) => done.push(s.seed) });
    const expected = await inThisThread(
      [],
      list.filter((s) => s !== 8),
    );
    expect(r.results.map((s) => s.seed)).toEqual(list);
    expect(r.results[7]).toEqual({ seed: 8, verdict: "error", violated: [], metrics: {}, error: "the worker thread running this seed died (exit code 9)" });
    expect(r.results.filter((s) => s.seed !== 8)).toEqual(expected);
    expect([...done].sort((a, b) => a - b)).toEqual(list);
    // The chunk holding seed 8 was retried in fresh workers: 2 at the start, then replacements.
    expect(r.workersStarted).toBeGreaterThan(2);
  });

  it("reports a seed whose scenario throws while being built as an error, without losing the worker", async () => {
    const r = await runSweep({ file: FILE, seeds: seeds(1, 6), workers: 1, overrides: ["params.throwOnSeed=4"] });
    expect(r.results[3]).toMatchObject({
      seed: 4,
      verdict: "error",
      error: "the scenario threw while being built: Error: cannot build seed 4 (at test/run/fixtures/flaky-service.ts:41:43)",
    });
    expect(r.results.filter((s) => s.verdict === "error")).toHaveLength(1);
    expect(r.workersStarted).toBe(1);
  });

  it("rejects with SweepLoadError when the workers cannot load the file", async () => {
    await expect(runSweep({ file: FILE, seeds: [1, 2], workers: 1, overrides: ["params.requests=0"] })).rejects.toBeInstanceOf(SweepLoadError);
  });

  it("with the determinism check, marks the seeds whose two runs differ", async () => {
    const r = await runSweep({ file: FILE, seeds: seeds(1, 4), workers: 1, overrides: ["params.leak=true"], checkDeterminism: true });
    expect(r.results.every((s) => s.divergence !== undefined)).toBe(true);
    const clean = await runSweep({ file: FILE, seeds: seeds(1, 4), workers: 1, checkDeterminism: true });
    expect(clean.results.some((s) => s.divergence !== undefined)).toBe(false);
  });
});
