/** A seed over its wall-clock budget is stopped, whatever it does, and reported with its phase; the sweep goes on. */
import { describe, expect, it } from "vitest";
import { runSeedWithBudget, runSweep } from "../../src/run/sweep.js";
import { cli } from "../cli/capture.js";

const HOSTILE = "test/fixtures/hostile.yaml";

describe("the time budget of a sweep's seeds", () => {
  it("stops a seed in a synchronous infinite loop, reports it with its phase, and runs every other seed", async () => {
    const r = await runSweep({ file: HOSTILE, seeds: [1, 2, 3, 4, 5, 6], workers: 2, mitigate: ["loop-on-seed-3"], budgetMs: 500 });
    expect(r.results.map((s) => s.seed)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.results[2]).toEqual({
      seed: 3,
      verdict: "error",
      violated: [],
      metrics: {},
      error: "exceeded the time budget of 500ms (wall clock) while in phase run; it was stopped",
    });
    expect(r.results.filter((s) => s.seed !== 3).every((s) => s.verdict === "held")).toBe(true);
    expect(r.workersStarted).toBeGreaterThan(2);
  });

  it("is in the library as runSeedWithBudget, and on the command line as --budget", async () => {
    const stuck = await runSeedWithBudget({ file: HOSTILE, seed: 9, mitigate: ["loop-in-build"], budgetMs: 300 });
    expect(stuck).toMatchObject({ seed: 9, verdict: "error", error: expect.stringContaining("while in phase build") });
    const fine = await runSeedWithBudget({ file: HOSTILE, seed: 9, budgetMs: 10_000 });
    expect(fine).toMatchObject({ seed: 9, verdict: "held", metrics: { ticks: 5 } });
    const c = await cli(["sweep", HOSTILE, "--seeds", "2..4", "--workers", "1", "--mitigate", "loop-on-seed-3", "--budget", "400ms", "--format", "json"]);
    expect(c.code).toBe(3);
    expect(JSON.parse(c.stdout).errors).toEqual([
      { seed: 3, verdict: "error", message: "exceeded the time budget of 400ms (wall clock) while in phase run; it was stopped" },
    ]);
    expect((await cli(["sweep", HOSTILE, "--budget", "soon"])).code).toBe(2);
  });
});
