/** Merging sweep reports: the shards of a sweep merge into exactly the whole sweep's report; unrelated reports do not merge. */
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { mergeSweepReports, parseSweepReport } from "../../src/run/merge.js";
import { buildSweepReport, type SweepMeta, type SweepReport } from "../../src/run/sweep-report.js";
import { parseSeedList, shardSeeds, type Shard } from "../../src/run/sweep-seeds.js";
import { metricUnits, runSeed, type SeedSummary } from "../../src/run/sweep-summary.js";

const FILE = "test/run/fixtures/flaky.yaml";
const SPEC = "1..40,90..99";

/** Summaries of every seed of SPEC, run in this thread. */
async function summaries(): Promise<{ all: SeedSummary[]; units: ReturnType<typeof metricUnits> }> {
  const loaded = await loadScenarioFile(FILE);
  if (!loaded.ok) throw new Error("fixture did not load");
  const list = parseSeedList(SPEC);
  if (!list.ok) throw new Error(list.message);
  const runs = await Promise.all(list.list.seeds.map((s) => runSeed(toRunConfig(loaded.config), s)));
  return { all: runs.map((r) => r.summary), units: metricUnits(runs[0]!.result!.metrics) };
}

function report(all: SeedSummary[], units: ReturnType<typeof metricUnits>, shard?: Shard, meta: Partial<SweepMeta> = {}): SweepReport {
  const seeds = shardSeeds(
    all.map((s) => s.seed),
    shard,
  );
  const results = all.filter((s) => seeds.includes(s.seed));
  const base: SweepMeta = {
    scenario: "flaky-service",
    file: FILE,
    overrides: [],
    mitigations: [],
    seedSpec: SPEC,
    checkedDeterminism: false,
    ...(shard ? { shard } : {}),
    ...meta,
  };
  return buildSweepReport(base, ["every-request-served"], results, units);
}

/** Through JSON and back, as files travel between machines. */
const viaJson = (r: SweepReport): SweepReport => {
  const parsed = parseSweepReport(JSON.stringify(r));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.report;
};

describe("mergeSweepReports", () => {
  it("merges every shard of a sweep, in any order, into the whole sweep's report", async () => {
    const { all, units } = await summaries();
    const whole = report(all, units);
    expect(whole.totals.violated).toBeGreaterThan(0);
    expect(whole.totals.held).toBeGreaterThan(0);
    for (const n of [1, 2, 3, 7]) {
      const shards = Array.from({ length: n }, (_, i) => viaJson(report(all, units, { index: i + 1, count: n }))).reverse();
      const merged = mergeSweepReports(shards);
      expect(merged).toEqual({ ok: true, report: whole });
    }
  });

  it("labels a merge of some shards with the shards it covers, and completes it later", async () => {
    const { all, units } = await summaries();
    const [a, b, c] = [1, 2, 3].map((i) => report(all, units, { index: i, count: 3 }));
    const partial = mergeSweepReports([a!, c!]);
    expect(partial.ok && partial.report.seeds).toEqual({ spec: SPEC, shard: "1,3/3", count: a!.seeds.count + c!.seeds.count });
    const full = mergeSweepReports([partial.ok ? partial.report : a!, b!]);
    expect(full).toEqual({ ok: true, report: report(all, units) });
  });

  it("refuses reports of different sweeps, and seeds whose runs differ", async () => {
    const { all, units } = await summaries();
    const plain = report(all, units, { index: 1, count: 2 });
    const mitigated = report(all, units, { index: 2, count: 2 }, { mitigations: ["retry"] });
    expect(mergeSweepReports([plain, mitigated], ["a.json", "b.json"])).toEqual({
      ok: false,
      message: expect.stringContaining("b.json is not part of the same sweep as a.json: the mitigations differ"),
    });
    const tampered = { ...plain, results: plain.results.map((r, i) => (i === 0 ? { ...r, traceHash: "f".repeat(64) } : r)) };
    expect(mergeSweepReports([plain, tampered], ["a.json", "b.json"])).toEqual({
      ok: false,
      message: expect.stringContaining(`seed ${plain.results[0]!.seed} has trace hash`),
    });
    expect(mergeSweepReports([])).toMatchObject({ ok: false });
  });

  it("refuses a shard with results missing, overlapping shards, and reports of another file or version, naming what is wrong", async () => {
    const { all, units } = await summaries();
    const [a, b] = [1, 2].map((i) => report(all, units, { index: i, count: 2 }));
    const cut = { ...b!, results: b!.results.filter((_, i) => i !== 3 && i !== 5) };
    expect(mergeSweepReports([a!, cut], ["a.json", "b.json"])).toEqual({
      ok: false,
      message: `b.json is incomplete: 2 of the 25 seeds of shard 2/2 of ${SPEC} are missing (seeds ${b!.results[3]!.seed}, ${b!.results[5]!.seed}); run them (agentsim sweep --stream <file> --resume continues a killed sweep)`,
    });
    expect(mergeSweepReports([a!, b!, a!], ["a.json", "b.json", "a-again.json"])).toEqual({
      ok: false,
      message: expect.stringContaining("a-again.json and a.json overlap: both hold seed 1 (shards 1/2 and 1/2)"),
    });
    const newer = report(all, units, { index: 2, count: 2 }, { version: "9.9.9" });
    expect(mergeSweepReports([{ ...a!, version: "0.1.0" }, newer], ["a.json", "b.json"])).toEqual({
      ok: false,
      message: expect.stringContaining("b.json is not part of the same sweep as a.json: the agentsim versions differ"),
    });
    const edited = report(all, units, { index: 2, count: 2 }, { fileHash: "b".repeat(64) });
    expect(mergeSweepReports([{ ...a!, fileHash: "a".repeat(64) }, edited], ["a.json", "b.json"])).toEqual({
      ok: false,
      message: expect.stringContaining("the scenario file contents (sha256) differ"),
    });
  });

  it("rejects files that are not sweep reports", () => {
    expect(parseSweepReport("[]")).toMatchObject({ ok: false });
    expect(parseSweepReport(JSON.stringify({ kind: "agentsim.repro/1" }))).toMatchObject({
      ok: false,
      message: expect.stringContaining("expected a sweep json file"),
    });
  });
});
