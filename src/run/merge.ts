/**
 * Merges sweep reports (json files of `agentsim sweep`, typically the shards of one sweep run on
 * different machines) into one report. The merged report is rebuilt from the seeds' summaries, so
 * the union of all shards of a sweep is the report of the whole sweep, field for field.
 *
 * Reports merge only when they ran the same thing: the same scenario, file (and file contents),
 * agentsim version, overrides, mitigations and seed list. Each report must hold every seed of its
 * shard and no other (a shard with results deleted, or a killed sweep's stream, is refused, naming
 * the missing seeds), and no seed may be in two reports (overlapping shards are refused; a seed
 * with two different trace hashes is named as such: nondeterminism, or different code).
 */
import { z } from "zod";
import { parseSeedList } from "./sweep-seeds.js";
import { buildSweepReport, SWEEP_KIND, type SweepReport } from "./sweep-report.js";
import type { SeedSummary } from "./sweep-summary.js";
import { parseJsonData } from "./json-data.js";
import { parseSweepStream, STREAM_KIND, type StreamContents } from "./sweep-stream.js";

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
  for (const [i, r] of reports.entries()) {
    const gap = incompleteness(r);
    if (gap) return { ok: false, message: `${names[i]} ${gap}` };
  }
  const bySeed = new Map<number, { summary: SeedSummary; from: string }>();
  let overlap: string | undefined;
  for (const [i, r] of reports.entries()) {
    for (const s of r.results) {
      const prior = bySeed.get(s.seed);
      if (prior && prior.summary.traceHash !== s.traceHash) {
        return {
          ok: false,
          message: `seed ${s.seed} has trace hash ${s.traceHash ?? "(none)"} in ${names[i]} but ${prior.summary.traceHash ?? "(none)"} in ${prior.from}: the runs differ (nondeterminism, or different code)`,
        };
      }
      if (prior)
        overlap ??= `${names[i]} and ${prior.from} overlap: both hold seed ${s.seed} (shards ${r.seeds.shard ?? "all"} and ${reports[names.indexOf(prior.from)]?.seeds.shard ?? "all"}); merge each shard once`;
      else bySeed.set(s.seed, { summary: s, from: names[i] ?? "" });
    }
  }
  if (overlap) return { ok: false, message: overlap };
  const parsed = parseSeedList(first.seeds.spec);
  const order = parsed.ok ? new Map(parsed.list.seeds.map((s, p) => [s, p])) : new Map<number, number>();
  const results = [...bySeed.values()].map((v) => v.summary).sort((a, b) => (order.get(a.seed) ?? a.seed) - (order.get(b.seed) ?? b.seed));
  const units = Object.fromEntries(reports.flatMap((r) => r.metrics.flatMap((m) => (m.unit ? [[m.name, m.unit] as const] : []))));
  const shard = mergedShard(reports);
  const report = buildSweepReport(
    {
      scenario: first.scenario,
      file: first.file,
      ...(first.fileHash !== undefined ? { fileHash: first.fileHash } : {}),
      ...(first.version !== undefined ? { version: first.version } : {}),
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
  { what: "scenario file contents (sha256)", of: (r) => r.fileHash },
  { what: "agentsim versions", of: (r) => r.version },
  { what: "--set overrides", of: (r) => r.overrides },
  { what: "mitigations", of: (r) => r.mitigations },
  { what: "seed lists", of: (r) => r.seeds.spec },
  { what: "invariants", of: (r) => r.invariants.map((i) => i.invariant) },
];

/** The seeds a report's list and shard label (`2/4`, `1,3/4`) stand for, in list order; undefined if unreadable. */
export function expectedSeeds(spec: string, shard: string | undefined): number[] | undefined {
  const list = parseSeedList(spec);
  if (!list.ok) return undefined;
  if (shard === undefined) return list.list.seeds;
  const m = /^([\d,]+)\/(\d+)$/.exec(shard);
  if (!m) return undefined;
  const n = Number(m[2]);
  const indices = new Set((m[1] as string).split(",").map(Number));
  return list.list.seeds.filter((_, p) => indices.has((p % n) + 1));
}

/** Why a report does not hold exactly the seeds of its shard, or undefined when it does. */
function incompleteness(r: SweepReport): string | undefined {
  const expected = expectedSeeds(r.seeds.spec, r.seeds.shard);
  const what = r.seeds.shard ? `shard ${r.seeds.shard} of ${r.seeds.spec}` : `the seed list ${r.seeds.spec}`;
  if (!expected) return `names a seed list or shard that cannot be read (${JSON.stringify(r.seeds.spec)}, shard ${JSON.stringify(r.seeds.shard ?? null)})`;
  const present = new Set(r.results.map((s) => s.seed));
  const wanted = new Set(expected);
  const missing = expected.filter((s) => !present.has(s));
  const foreign = [...present].filter((s) => !wanted.has(s));
  if (missing.length)
    return `is incomplete: ${missing.length.toLocaleString("en-US")} of the ${expected.length.toLocaleString("en-US")} seeds of ${what} are missing (seeds ${sample(missing)}); run them (agentsim sweep --stream <file> --resume continues a killed sweep)`;
  if (foreign.length) return `holds ${foreign.length} seeds that are not in ${what} (seeds ${sample(foreign)})`;
  if (r.seeds.count !== r.results.length) return `says it holds ${r.seeds.count} seeds but lists ${r.results.length}`;
  return undefined;
}

function sample(seeds: readonly number[]): string {
  return seeds.length > 8 ? `${seeds.slice(0, 8).join(", ")}, …` : seeds.join(", ");
}

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
  fileHash: z.string().optional(),
  version: z.string().optional(),
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
  if (text.startsWith('{"kind":"' + STREAM_KIND)) {
    const stream = parseSweepStream(text, "");
    if (!stream.ok) return { ok: false, message: stream.message.replace(/^:/, "line ") };
    return { ok: true, report: reportOfStream(stream.contents) };
  }
  const parsed = parseJsonData(text);
  if (!parsed.ok) return { ok: false, message: `${parsed.line}:${parsed.col}: ${parsed.message}` };
  const data = parsed.value;
  const checked = reportShape.safeParse(data);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, message: `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "not a sweep report"}` };
  }
  return { ok: true, report: checked.data as unknown as SweepReport };
}

/** The report a sweep stream stands for (its seeds in list order). */
export function reportOfStream(c: StreamContents): SweepReport {
  const h = c.header;
  const order = new Map((expectedSeeds(h.seedSpec, h.shard) ?? []).map((s, p) => [s, p]));
  const results = [...c.results].sort((a, b) => (order.get(a.seed) ?? Infinity) - (order.get(b.seed) ?? Infinity) || a.seed - b.seed);
  const report = buildSweepReport(
    {
      scenario: h.scenario,
      file: h.file,
      fileHash: h.fileHash,
      version: h.version,
      overrides: h.overrides,
      mitigations: h.mitigations,
      seedSpec: h.seedSpec,
      checkedDeterminism: h.checkedDeterminism,
    },
    h.invariants,
    results,
    c.units,
  );
  return h.shard ? { ...report, seeds: { ...report.seeds, shard: h.shard } } : report;
}
