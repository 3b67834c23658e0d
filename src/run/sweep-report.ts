/**
 * The result of a sweep, as data: what ran (scenario, file, overrides, mitigations, seeds, shard),
 * the violation rate of each invariant with its 95% Wilson interval, the failing seeds, the seeds
 * that crashed or errored, metric distributions across seeds, and every seed's summary (so that
 * shards merge into exactly the report of the whole sweep).
 *
 * The report holds no wall-clock time: the same sweep gives the same report, byte for byte.
 */
import type { Metric, ScenarioDefinition } from "../scenarios/scenario.js";
import type { Divergence } from "./determinism.js";
import { formatShard, type Shard } from "./sweep-seeds.js";
import { spreadOf, wilson, type Rate, type Spread } from "./sweep-stats.js";
import type { SeedSummary } from "./sweep-summary.js";

/** The `kind` tag of sweep json files. */
export const SWEEP_KIND = "agentsim.sweep/1";

/** What a sweep ran. */
export interface SweepMeta {
  scenario: string;
  /** The scenario file as the user named it. */
  file: string;
  /** sha256 of the scenario file's bytes (shards of one sweep ran the same file). */
  fileHash?: string;
  /** agentsim's version. */
  version?: string;
  /** `--set` expressions, in order. */
  overrides: string[];
  /** Every mitigation switched on (the file's and `--mitigate`'s). */
  mitigations: string[];
  /** The seed list as written, e.g. `1..10000`. */
  seedSpec: string;
  /** The shard this report covers; absent for a whole sweep. */
  shard?: Shard;
  /** Whether each seed ran twice (`--check-determinism`). */
  checkedDeterminism: boolean;
}

/** One invariant's violation rate across the judged seeds. */
export interface InvariantRate extends Rate {
  invariant: string;
}

/** A metric's spread across seeds. */
export interface MetricSpread extends Spread {
  name: string;
  unit?: NonNullable<Metric["unit"]>;
}

/** A sweep's report (the json format of `agentsim sweep`). */
export interface SweepReport {
  kind: typeof SWEEP_KIND;
  scenario: string;
  file: string;
  /** sha256 of the scenario file's bytes. */
  fileHash?: string;
  /** agentsim's version. */
  version?: string;
  overrides: string[];
  mitigations: string[];
  seeds: {
    /** The seed list as written. */
    spec: string;
    /** `i/n` when the report covers one shard of the list (round-robin by position). */
    shard?: string;
    /** Seeds in this report. */
    count: number;
  };
  checkedDeterminism: boolean;
  totals: { held: number; violated: number; crashed: number; error: number };
  /**
   * Per invariant, the share of judged seeds (every seed but `error` ones) that violated it, with
   * a 95% Wilson interval; in the scenario's order.
   */
  invariants: InvariantRate[];
  /** Every seed that violated an invariant, in list order. */
  failingSeeds: number[];
  /** Seeds that crashed or produced no run, with what went wrong. */
  errors: { seed: number; verdict: "crashed" | "error"; message: string }[];
  /** With the determinism check: seeds whose two runs differed, and where. */
  nondeterministic: { seed: number; divergence: Divergence }[];
  /** Numeric metrics across the seeds that ran, in the scenario's order. */
  metrics: MetricSpread[];
  /** Every seed's summary, in list order. */
  results: SeedSummary[];
}

/**
 * Builds the report from seed summaries (in list order). `invariants` are the names judged, in
 * the scenario's order; `units` gives metric units by name.
 */
export function buildSweepReport(
  meta: SweepMeta,
  invariants: readonly string[],
  results: readonly SeedSummary[],
  units: Readonly<Record<string, NonNullable<Metric["unit"]>>>,
): SweepReport {
  const totals = { held: 0, violated: 0, crashed: 0, error: 0 };
  for (const r of results) totals[r.verdict]++;
  const judged = results.filter((r) => r.verdict !== "error");
  return {
    kind: SWEEP_KIND,
    scenario: meta.scenario,
    file: meta.file,
    ...(meta.fileHash !== undefined ? { fileHash: meta.fileHash } : {}),
    ...(meta.version !== undefined ? { version: meta.version } : {}),
    overrides: meta.overrides,
    mitigations: meta.mitigations,
    seeds: { spec: meta.seedSpec, ...(meta.shard ? { shard: formatShard(meta.shard) } : {}), count: results.length },
    checkedDeterminism: meta.checkedDeterminism,
    totals,
    invariants: invariants.map((invariant) => ({ invariant, ...wilson(judged.filter((r) => r.violated.includes(invariant)).length, judged.length) })),
    failingSeeds: results.filter((r) => r.verdict === "violated").map((r) => r.seed),
    errors: results.flatMap((r) => (r.verdict === "crashed" || r.verdict === "error" ? [{ seed: r.seed, verdict: r.verdict, message: r.error ?? "" }] : [])),
    nondeterministic: results.flatMap((r) => (r.divergence ? [{ seed: r.seed, divergence: r.divergence }] : [])),
    metrics: metricSpreads(judged, units),
    results: [...results],
  };
}

/** The invariants a sweep of `def` judges: those named, else all the scenario declares, in its order. */
export function judgedInvariants(def: ScenarioDefinition, named: readonly string[] | undefined): string[] {
  return def.invariants.map((i) => i.name).filter((n) => !named || named.includes(n));
}

/** Each metric's spread, metrics in order of first appearance. */
function metricSpreads(results: readonly SeedSummary[], units: Readonly<Record<string, NonNullable<Metric["unit"]>>>): MetricSpread[] {
  const values = new Map<string, number[]>();
  for (const r of results) {
    for (const [name, v] of Object.entries(r.metrics)) {
      if (!values.has(name)) values.set(name, []);
      values.get(name)?.push(v);
    }
  }
  return [...values].map(([name, vs]) => ({ name, ...(units[name] ? { unit: units[name] } : {}), ...spreadOf(vs) }));
}
