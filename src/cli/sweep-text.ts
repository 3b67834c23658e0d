/**
 * The text report of a sweep (and of merged sweeps): what ran, each invariant's violation rate
 * with its 95% Wilson interval, the first failing seeds with the command that replays the first,
 * seeds that crashed, errored or ran nondeterministically, and how each metric spread across
 * seeds. A pure function of the report.
 */
import { Chalk, type ChalkInstance } from "chalk";
import { formatMetricValue, formatNumber } from "../report/format-metric.js";
import { replayCommand } from "../report/run-context.js";
import { describeDivergence } from "../run/determinism.js";
import type { MetricSpread, SweepReport } from "../run/sweep-report.js";

/** How to render. */
export interface SweepTextOptions {
  color: boolean;
  /** Failing seeds listed (default 10; json lists them all). */
  seedsShown?: number;
  /** Errors and divergences listed (default 3). */
  problemsShown?: number;
}

/** Renders a sweep report as text (ending in a newline). */
export function renderSweepText(report: SweepReport, options: SweepTextOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [...header(report, c), "", ...rates(report, c), ""];
  const failing = failingSeeds(report, options.seedsShown ?? 10, c);
  if (failing.length) lines.push(...failing, "");
  const problems = problemSeeds(report, options.problemsShown ?? 3, c);
  if (problems.length) lines.push(...problems, "");
  if (report.metrics.length) lines.push(...metricTable(report, c), "");
  lines.push(verdictLine(report, c));
  return lines.join("\n") + "\n";
}

function header(r: SweepReport, c: ChalkInstance): string[] {
  const t = r.totals;
  const seeds = `seeds ${r.seeds.spec}${r.seeds.shard ? ` (shard ${r.seeds.shard}, round-robin)` : ""}`;
  const facts = [`file ${r.file}`, seeds, `mitigations: ${r.mitigations.length ? r.mitigations.join(", ") : "none"}`];
  if (r.overrides.length) facts.push(`--set ${r.overrides.join(" --set ")}`);
  const counts = [`${n(r.seeds.count)} seeds`, `${n(t.held)} held`, `${n(t.violated)} violated`, `${n(t.crashed)} crashed`, `${n(t.error)} errors`];
  if (r.checkedDeterminism) counts.push(`${n(r.nondeterministic.length)} nondeterministic (each seed ran twice)`);
  return [c.bold(`agentsim sweep · ${r.scenario}`), c.dim(`  ${facts.join(" · ")}`), `  ${counts.join(", ")}`];
}

function rates(r: SweepReport, c: ChalkInstance): string[] {
  const width = Math.max(9, ...r.invariants.map((i) => i.invariant.length));
  const rows = r.invariants.map((i) => {
    const mark = i.k > 0 ? c.red("✗") : c.green("✓");
    const share = `${n(i.k)} of ${n(i.n)}`.padEnd(18);
    return `  ${mark} ${i.invariant.padEnd(width)}  ${share}  ${pct(i.rate).padStart(7)}   ${pct(i.ci95[0])} – ${pct(i.ci95[1])}`;
  });
  return [c.bold("Violation rate"), c.dim(`    ${"invariant".padEnd(width)}  ${"seeds".padEnd(18)}  ${"rate".padStart(7)}   95% CI (Wilson)`), ...rows];
}

function failingSeeds(r: SweepReport, shown: number, c: ChalkInstance): string[] {
  const seeds = r.failingSeeds;
  const first = seeds[0];
  if (first === undefined) return [];
  const more = seeds.length > shown ? ` … and ${n(seeds.length - shown)} more (--format json lists them all)` : "";
  const replay = replayCommand({ seed: first }, { file: r.file, overrides: r.overrides, mitigate: r.mitigations });
  return [`${c.bold("Failing seeds")}  ${seeds.slice(0, shown).join(", ")}${more}`, `${c.bold("Replay")}         ${replay}`];
}

function problemSeeds(r: SweepReport, shown: number, c: ChalkInstance): string[] {
  const out: string[] = [];
  if (r.errors.length) {
    out.push(c.bold(`Crashed or errored seeds (${n(r.errors.length)})`));
    for (const e of r.errors.slice(0, shown)) out.push(`  seed ${e.seed} ${e.verdict}: ${e.message}`);
    if (r.errors.length > shown) out.push(c.dim(`  … and ${n(r.errors.length - shown)} more`));
  }
  if (r.nondeterministic.length) {
    out.push(c.bold(c.red(`Nondeterministic seeds (${n(r.nondeterministic.length)}): two runs of one seed gave different traces`)));
    for (const d of r.nondeterministic.slice(0, shown)) out.push(`  seed ${d.seed}: ${describeDivergence(d.divergence).split("\n").join("\n  ")}`);
  }
  return out;
}

function metricTable(r: SweepReport, c: ChalkInstance): string[] {
  const width = Math.max(6, ...r.metrics.map((m) => m.name.length));
  const cols = ["min", "p50", "p90", "p99", "max"] as const;
  const cells = r.metrics.map((m) => cols.map((k) => value(m, m[k])));
  const colWidth = Math.max(8, ...cells.flat().map((s) => s.length));
  const rows = r.metrics.map((m, i) => `  ${m.name.padEnd(width)}  ${(cells[i] ?? []).map((s) => s.padStart(colWidth)).join("  ")}`);
  const seeds = r.totals.held + r.totals.violated + r.totals.crashed;
  return [c.bold(`Metrics across ${n(seeds)} seeds`), c.dim(`  ${"".padEnd(width)}  ${cols.map((k) => k.padStart(colWidth)).join("  ")}`), ...rows];
}

function verdictLine(r: SweepReport, c: ChalkInstance): string {
  if (r.nondeterministic.length) return c.bold(c.red(`NONDETERMINISTIC: ${n(r.nondeterministic.length)} seeds ran differently twice`));
  if (r.failingSeeds.length) return c.bold(c.red(`VIOLATED on ${n(r.failingSeeds.length)} of ${n(r.seeds.count)} seeds`));
  if (r.errors.length) return c.bold(c.yellow(`CRASHED or errored on ${n(r.errors.length)} of ${n(r.seeds.count)} seeds; no invariant violated`));
  return c.bold(c.green(`HELD on all ${n(r.seeds.count)} seeds`));
}

function value(m: MetricSpread, v: number): string {
  return formatMetricValue({ name: m.name, value: v, ...(m.unit ? { unit: m.unit } : {}) });
}

function pct(x: number): string {
  return `${formatNumber(Math.round(x * 1000) / 10)}%`;
}

function n(x: number): string {
  return formatNumber(x);
}
