/**
 * Merges sweep reports (json files of `agentsim sweep`, typically the shards of one sweep run on
 * different machines) into one report. The merged report is rebuilt from the seeds' summaries, so
 * the union of all shards of a sweep is the report of the whole sweep, field for field.
 *
 * Reports merge only when they ran the same thing: the same scenario, file, overrides,
 * mitigations and seed list. A seed present in two reports must have the same trace hash (a
 * difference means nondeterminism, or different code on different machines).
 */
import { z } from "zod";
import { parseSeedList } from "./sweep-seeds.js";
import { buildSweepReport, SWEEP_KIND, type SweepReport } from "./sweep-report.js";
import type { SeedSummary } from "./sweep-summary.js";

/** A merged report, or why the reports do not merge. */
export type MergeResult = { ok: true; report: SweepReport } | { ok: false; message: string };

/** Merges reports (at least one). `names` label them in messages (file names). */
export function mergeSweepReports(reports: readonly SweepReport[], names: readonly string[] = reports.map((_, i) => `report ${i + 1}`)): MergeResult {
  const first = reports[0];
  if (!first) return { ok: false, message: "nothing to merge: expected at least one sweep json file" };
  for (const [i, r] of reports.entries()) {
    const differs = sameSweepKeys.find((k) => JSON.stringify(k.of(r)) !== JSON.stringify(k.of(first)));
    if (differs)
      return {
        ok: false,
        message: `${names[i]} is not part of the same sweep as ${names[0]}: the ${differs.what} differ (${JSON.stringify(differs.of(r))} vs ${JSON.stringify(differs.of(first))})`,
      };
  }
  const bySeed = new Map<number, { summary: SeedSummary; from: string }>();
  for (const [i, r] of reports.entries()) {
    for (const s of r.results) {
      const prior = bySeed.get(s.seed);
      if (prior && prior.summary.traceHash !== s.traceHash) {
        return {
          ok: false,
          message: `seed ${s.seed} has trace hash ${s.traceHash ?? "(none)"} in ${names[i]} but ${prior.summary.traceHash ?? "(none)"} in ${prior.from}: the runs differ (nondeterminism, or different code)`,
        };
      }
      if (!prior) bySeed.set(s.seed, { summary: s, from: names[i] ?? "" });
    }
  }
  const parsed = parseSeedList(first.seeds.spec);
  const order = parsed.ok ? new Map(parsed.list.seeds.map((s, p) => [s, p])) : new Map<number, number>();
  const results = [...bySeed.values()].map((v) => v.summary).sort((a, b) => (order.get(a.seed) ?? a.seed) - (order.get(b.seed) ?? b.seed));
  const units = Object.fromEntries(reports.flatMap((r) => r.metrics.flatMap((m) => (m.unit ? [[m.name, m.unit] as const] : []))));
  const shard = mergedShard(reports);
  const report = buildSweepReport(
    {
      scenario: first.scenario,
      file: first.file,
      overrides: first.overrides,
      mitigations: first.mitigations,
      seedSpec: first.seeds.spec,
      checkedDeterminism: reports.every((r) => r.checkedDeterminism),
    },
    first.invariants.map((i) => i.invariant),
    results,
    units,
  );
  return { ok: true, report: shard ? { ...report, seeds: { spec: report.seeds.spec, shard, count: report.seeds.count } } : report };
}

/** The fields that name a sweep; reports merge only when all agree. */
const sameSweepKeys: readonly { what: string; of: (r: SweepReport) => unknown }[] = [
  { what: "scenarios", of: (r) => r.scenario },
  { what: "scenario files", of: (r) => r.file },
  { what: "--set overrides", of: (r) => r.overrides },
  { what: "mitigations", of: (r) => r.mitigations },
  { what: "seed lists", of: (r) => r.seeds.spec },
  { what: "invariants", of: (r) => r.invariants.map((i) => i.invariant) },
];

/**
 * The shard label of the merge: none when the inputs cover the whole list (a whole report among
 * them, or every shard i/n for one n), else the covered shards, e.g. `1,3/4`.
 */
function mergedShard(reports: readonly SweepReport[]): string | undefined {
  const shards = reports.map((r) => r.seeds.shard);
  if (shards.some((s) => s === undefined)) return undefined;
  const parsed = shards.map((s) => /^([\d,]+)\/(\d+)$/.exec(s ?? "")).map((m) => ({ indices: (m?.[1] ?? "").split(",").map(Number), count: Number(m?.[2]) }));
  const counts = new Set(parsed.map((s) => s.count));
  if (counts.size !== 1) return shards.join("+");
  const n = parsed[0]?.count ?? 0;
  const indices = [...new Set(parsed.flatMap((s) => s.indices))].sort((a, b) => a - b);
  return indices.length === n ? undefined : `${indices.join(",")}/${n}`;
}

/** The shape of a sweep json file, checked before merging. */
const reportShape = z.looseObject({
  kind: z.literal(SWEEP_KIND, { error: `expected a sweep json file ("kind": "${SWEEP_KIND}"), as written by agentsim sweep --format json` }),
  scenario: z.string(),
  file: z.string(),
  overrides: z.array(z.string()),
  mitigations: z.array(z.string()),
  seeds: z.looseObject({ spec: z.string(), shard: z.string().optional(), count: z.number() }),
  checkedDeterminism: z.boolean(),
  invariants: z.array(z.looseObject({ invariant: z.string() })),
  metrics: z.array(z.looseObject({ name: z.string(), unit: z.string().optional() })),
  results: z.array(
    z.looseObject({
      seed: z.number(),
      verdict: z.enum(["held", "violated", "crashed", "error"]),
      violated: z.array(z.string()),
      metrics: z.record(z.string(), z.number()),
      traceHash: z.string().optional(),
    }),
  ),
});

/** Parses the text of a sweep json file. */
export function parseSweepReport(text: string): { ok: true; report: SweepReport } | { ok: false; message: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${(e as Error).message}` };
  }
  const checked = reportShape.safeParse(data);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, message: `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "not a sweep report"}` };
  }
  return { ok: true, report: checked.data as unknown as SweepReport };
}
