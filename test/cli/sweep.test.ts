/** `agentsim sweep`: reports, exit codes, bad input, dead workers, and --check-determinism (also on run). */
import { describe, expect, it } from "vitest";
import type { SweepReport } from "../../src/run/sweep-report.js";
import { cli } from "./capture.js";

const FILE = "test/run/fixtures/flaky.yaml";

describe("agentsim sweep", () => {
  it("reports the violation rate with its interval, the failing seeds and a replay command, and exits 1", async () => {
    const r = await cli(["sweep", FILE, "--seeds", "1..60", "--workers", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("agentsim sweep · flaky-service");
    expect(r.stdout).toMatch(/✗ every-request-served +\d+ of 60 +[\d.]+% +[\d.]+% – [\d.]+%/);
    const first = /Failing seeds {2}(\d+),/.exec(r.stdout)?.[1];
    expect(r.stdout).toContain(`Replay         npx agentsim run ${FILE} --seed ${first}\n`);
    expect(r.stdout).toMatch(/Metrics across 60 seeds/);
    expect(r.stdout).toMatch(/VIOLATED on \d+ of 60 seeds\n$/);
    // The replay command really fails.
    expect((await cli(["run", FILE, "--seed", first!, "--quiet"])).code).toBe(1);
  });

  it("holds on every seed with the mitigation, and exits 0", async () => {
    const r = await cli(["sweep", FILE, "--seeds", "1..60", "--workers", "1", "--mitigate", "retry"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ every-request-served +0 of 60 +0% +0% – [\d.]+%/);
    expect(r.stdout).toContain("HELD on all 60 seeds");
  });

  it("--format json lists every seed, and its counts agree with them", async () => {
    const r = await cli(["sweep", FILE, "--seeds", "5..30,40", "--workers", "1", "--format", "json", "--set", "params.requests=4"]);
    const report = JSON.parse(r.stdout) as SweepReport;
    expect(report.seeds).toEqual({ spec: "5..30,40", count: 27 });
    expect(report.overrides).toEqual(["params.requests=4"]);
    expect(report.results.map((s) => s.seed)).toEqual([...Array.from({ length: 26 }, (_, i) => i + 5), 40]);
    const violated = report.results.filter((s) => s.verdict === "violated").map((s) => s.seed);
    expect(report.failingSeeds).toEqual(violated);
    expect(report.invariants[0]).toMatchObject({ invariant: "every-request-served", k: violated.length, n: 27 });
    expect(report.metrics.map((m) => m.name)).toEqual(["served", "failed", "finished at"]);
    expect(report.metrics[0]).toMatchObject({ unit: "count", max: 4 });
    expect(r.code).toBe(violated.length ? 1 : 0);
  });

  it("reports the seed of a dead worker as an error and exits 3 when nothing was violated", async () => {
    const r = await cli(["sweep", FILE, "--seeds", "1..12", "--workers", "1", "--set", "params.errorRate=0", "--set", "params.exitOnSeed=3"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("Crashed or errored seeds (1)\n  seed 3 error: the worker thread running this seed died (exit code 9)");
    expect(r.stdout).toContain("12 seeds, 11 held, 0 violated, 0 crashed, 1 errors");
  });

  it("exits 2 with a message for bad input", async () => {
    const badSeeds = await cli(["sweep", FILE, "--seeds", "9..1"]);
    expect(badSeeds.code).toBe(2);
    expect(badSeeds.stderr).toContain(`"9..1" is an empty range`);
    expect((await cli(["sweep", FILE, "--shard", "5/4"])).stderr).toContain(`"5/4" is not a shard`);
    expect((await cli(["sweep", FILE, "--workers", "0"])).code).toBe(2);
    const badSet = await cli(["sweep", FILE, "--set", "params.requests=0"]);
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toContain(`${FILE}: --set params.requests=0: 0 is below the minimum 1`);
    expect((await cli(["sweep", "no-such.yaml"])).stderr).toBe("no-such.yaml: no such file\n");
  });

  it("--check-determinism names the first event where two runs of a seed part, and exits 4", async () => {
    const r = await cli(["sweep", FILE, "--seeds", "1..3", "--workers", "1", "--set", "params.leak=true", "--check-determinism"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain("3 nondeterministic (each seed ran twice)");
    expect(r.stdout).toMatch(/seed 1: the traces part at event #\d+:\n {4}first run: {2}\{.*"build":\d+.*\}\n {4}second run: \{.*"build":\d+/);
    const clean = await cli(["sweep", FILE, "--seeds", "1..3", "--workers", "1", "--check-determinism"]);
    expect(clean.stdout).toContain("0 nondeterministic (each seed ran twice)");
    expect(clean.code).not.toBe(4);
  });
});

describe("agentsim run --check-determinism", () => {
  it("runs the seed twice: the usual exit code when the traces agree, 4 naming the diverging event when not", async () => {
    const same = await cli(["run", FILE, "--check-determinism", "--quiet", "--seed", "5"]);
    const plain = await cli(["run", FILE, "--quiet", "--seed", "5"]);
    expect(same.code).toBe(plain.code);
    expect(same.stdout).toContain("Determinism deterministic: a second run of seed 5 gave the same trace hash\n");
    expect(same.stdout.replace(/^Determinism .*\n/m, "")).toBe(plain.stdout);
    const leaky = await cli(["run", FILE, "--check-determinism", "--quiet", "--set", "params.leak=true"]);
    expect(leaky.code).toBe(4);
    expect(leaky.stderr).toMatch(
      new RegExp(`^${FILE}: nondeterministic: two runs of seed 1 gave trace hashes [0-9a-f]{64} and [0-9a-f]{64}; the traces part at event #\\d+:`),
    );
  });
});

describe("agentsim sweep --stream and --resume", () => {
  it("refuses --resume without a stream, and a stream of another sweep", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "agentsim-resume-"));
    try {
      expect((await cli(["sweep", "test/fixtures/hostile.yaml", "--resume"])).stderr).toBe(
        "agentsim sweep: --resume continues a --stream file; name it with --stream <file.jsonl>\n",
      );
      const stream = join(dir, "s.jsonl");
      const first = await cli(["sweep", "test/fixtures/hostile.yaml", "--seeds", "1..3", "--workers", "1", "--stream", stream]);
      expect(first.code).toBe(0);
      const other = await cli(["sweep", "test/fixtures/hostile.yaml", "--seeds", "1..4", "--workers", "1", "--stream", stream, "--resume"]);
      expect(other.code).toBe(2);
      expect(other.stderr).toBe(
        `${stream}: cannot resume: the stream is of another sweep (seedSpec: "1..3" there, "1..4" now); start a new stream file or drop --resume\n`,
      );
      // Resuming a finished stream runs nothing more and gives the same report.
      const again = await cli(["sweep", "test/fixtures/hostile.yaml", "--seeds", "1..3", "--workers", "1", "--stream", stream, "--resume"]);
      expect(again.stdout).toBe(first.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
