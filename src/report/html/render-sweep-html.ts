/**
 * The HTML report of a sweep: one self-contained file with what ran, each invariant's violation
 * rate across seeds (a bar with its confidence interval, and the numbers), the failing seeds with
 * the commands that replay them and report them one by one, the seeds that crashed, and each
 * metric's distribution across seeds (min, p50, p90, p99, max on a range bar, and a histogram when
 * the per-seed values are given). A pure function of the summary: the same sweep, the same bytes.
 */
import type { Metric } from "../../scenarios/scenario.js";
import { formatMetricValue, formatNumber } from "../format-metric.js";
import { shellQuote } from "../run-context.js";
import { histogram, linearTicks } from "./chart-svg.js";
import { esc, px } from "./html.js";
import { VIOLATION_COLOR } from "./layer-style.js";
import { htmlPage } from "./page.js";
import type { SweepHtmlSummary, SweepInvariantRate, SweepMetricDistribution } from "./sweep-summary.js";

/** Failing seeds listed by number; the first few also get their commands. */
const SEEDS_LISTED = 500;
const SEEDS_WITH_COMMANDS = 5;

/** Renders a sweep as one HTML document. */
export function renderSweepHtml(summary: SweepHtmlSummary): string {
  const body = [header(summary), ratesSection(summary), failingSection(summary), metricsSection(summary.metrics)].join("\n");
  const failed = summary.totals.violated > 0;
  return htmlPage({ title: `agentsim · sweep of ${summary.scenario} · ${summary.seeds.count} seeds · ${failed ? "violated" : "held"}`, body });
}

function header(s: SweepHtmlSummary): string {
  const t = s.totals;
  const verdict = t.violated ? "violated" : t.crashed || t.error ? "crashed" : "held";
  const facts = [
    `scenario <b>${esc(s.scenario)}</b>`,
    `file <b>${esc(s.file)}</b>`,
    `seeds <b>${esc(s.seeds.spec)}</b>${s.seeds.shard ? ` (shard ${esc(s.seeds.shard)})` : ""}`,
    `mitigations <b>${esc(s.mitigations.length ? s.mitigations.join(", ") : "none")}</b>`,
  ];
  const said = `${formatNumber(s.seeds.count)} seeds: ${formatNumber(t.held)} held, ${formatNumber(t.violated)} violated an invariant${t.crashed ? `, ${formatNumber(t.crashed)} crashed` : ""}${t.error ? `, ${formatNumber(t.error)} produced no run` : ""}.`;
  return [
    `<section class="card" id="header">`,
    `<h1>Sweep · ${esc(s.title ?? s.scenario)}<span class="verdict ${verdict}">${verdict.toUpperCase()}</span></h1>`,
    `<p class="facts">${facts.join(" · ")}</p>`,
    s.overrides?.length ? `<p class="facts">overrides: <code>${esc(s.overrides.join(" "))}</code></p>` : "",
    `<p class="summary">${esc(said)}</p>`,
    `</section>`,
  ].join("\n");
}

function pct(x: number): string {
  const v = x * 100;
  return `${v === 0 || v >= 10 ? formatNumber(Math.round(v * 10) / 10) : formatNumber(Number(v.toPrecision(2)))}%`;
}

/** Violation rates as bars with their intervals, on a scale that fits the largest interval. */
function ratesSection(s: SweepHtmlSummary): string {
  const rows = s.invariants;
  if (!rows.length) return `<section class="card" id="rates"><h2>Violation rate per invariant</h2><p class="muted">No invariant was judged.</p></section>`;
  const top = Math.min(1, niceCeil(Math.max(0.01, ...rows.map((r) => r.ciHigh))));
  const W = 1000;
  const left = 260;
  const right = 24;
  const rowH = 34;
  const H = 30 + rows.length * rowH + 28;
  const x = (v: number): number => left + (Math.min(v, top) / top) * (W - left - right);
  const ticks = linearTicks(0, top, 5).filter((v) => v <= top + 1e-12);
  const parts = [
    `<svg class="chart rates" data-chart="violation-rates" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="violation rate per invariant">`,
  ];
  for (const v of ticks)
    parts.push(
      `<g class="grid"><line x1="${px(x(v))}" x2="${px(x(v))}" y1="20" y2="${H - 28}"></line></g><g class="ticks"><text x="${px(x(v))}" y="${H - 12}" text-anchor="middle">${pct(v)}</text></g>`,
    );
  for (const [i, r] of rows.entries()) parts.push(rateRow(r, 24 + i * rowH, rowH, x, left));
  parts.push(`</svg>`);
  const table = rows.map(
    (r) =>
      `<tr class="${r.violations ? "violated" : "held"}" data-invariant="${esc(r.invariant)}"><td>${r.violations ? `<span class="violated-mark">✗</span>` : `<span class="held-mark">✓</span>`} <code>${esc(r.invariant)}</code>${r.description ? `<div class="muted">${esc(r.description)}</div>` : ""}</td><td class="num">${formatNumber(r.violations)} / ${formatNumber(r.runs)}</td><td class="num">${pct(r.runs ? r.violations / r.runs : 0)}</td><td class="num">${pct(r.ciLow)} – ${pct(r.ciHigh)}</td></tr>`,
  );
  return [
    `<section class="card" id="rates"><h2>Violation rate per invariant</h2>`,
    `<p class="muted">The share of seeds that violated each invariant; the whisker is its 95% interval, so 0 of n seeds still bounds the rate from above.</p>`,
    parts.join(""),
    `<table class="compact"><thead><tr><th>invariant</th><th class="num">seeds violated</th><th class="num">rate</th><th class="num">95% interval</th></tr></thead><tbody>${table.join("")}</tbody></table>`,
    `</section>`,
  ].join("\n");
}

function rateRow(r: SweepInvariantRate, y: number, h: number, x: (v: number) => number, left: number): string {
  const rate = r.runs ? r.violations / r.runs : 0;
  const mid = y + h / 2 - 4;
  const name = r.invariant.length > 34 ? `${r.invariant.slice(0, 33)}…` : r.invariant;
  return [
    `<text class="lane-title" x="${left - 12}" y="${px(mid + 4)}" text-anchor="end"><title>${esc(r.invariant)}</title>${esc(name)}</text>`,
    `<rect class="bar-track" x="${left}" y="${px(mid - 8)}" width="${px(x(1e9) - left)}" height="16" rx="3"></rect>`,
    `<rect class="bar-fill" x="${left}" y="${px(mid - 8)}" width="${px(Math.max(rate > 0 ? 2 : 0, x(rate) - left))}" height="16" rx="3" fill="${VIOLATION_COLOR}"><title>${esc(`${r.invariant}: ${r.violations} of ${r.runs} seeds (${pct(rate)}), 95% interval ${pct(r.ciLow)} – ${pct(r.ciHigh)}`)}</title></rect>`,
    `<path class="bar-ci" d="M${px(x(r.ciLow))} ${px(mid)} H${px(x(r.ciHigh))} M${px(x(r.ciLow))} ${px(mid - 6)} V${px(mid + 6)} M${px(x(r.ciHigh))} ${px(mid - 6)} V${px(mid + 6)}"></path>`,
    `<text class="axis-title" x="${px(x(r.ciHigh) + 8)}" y="${px(mid + 4)}">${esc(`${pct(rate)} (${formatNumber(r.violations)}/${formatNumber(r.runs)})`)}</text>`,
  ].join("");
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `v`. */
function niceCeil(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 2.5, 5, 10].find((m) => m * mag >= v * (1 + 1e-9)) ?? 10) * mag;
}

function failingSection(s: SweepHtmlSummary): string {
  const out = [
    `<section class="card" id="failing"><h2>Failing seeds <span class="muted" style="font-weight:400;font-size:14px">${formatNumber(s.failingSeeds.length)}</span></h2>`,
  ];
  if (!s.failingSeeds.length) out.push(`<p class="muted">No seed violated an invariant.</p>`);
  else {
    const listed = s.failingSeeds.slice(0, SEEDS_LISTED);
    out.push(
      `<p class="mono failing-seeds">${listed.join(", ")}${s.failingSeeds.length > listed.length ? `, … and ${formatNumber(s.failingSeeds.length - listed.length)} more` : ""}</p>`,
    );
    out.push(`<p class="muted">Replay a seed, or write its HTML report:</p>`);
    const cmds = s.failingSeeds
      .slice(0, SEEDS_WITH_COMMANDS)
      .flatMap((seed) => [command(s, "run", seed), `${command(s, "report", seed)} --out ${shellQuote(`${s.scenario}-seed-${seed}.html`)}`]);
    out.push(`<pre class="replay">${cmds.map((c) => `<span>$ </span>${esc(c)}`).join("\n")}</pre>`);
  }
  if (s.errors?.length) {
    const rows = s.errors.slice(0, 50).map((e) => `<tr><td class="num">${e.seed}</td><td>${esc(e.verdict)}</td><td>${esc(e.message)}</td></tr>`);
    out.push(
      `<h3 style="margin-top:16px">Seeds that crashed or produced no run</h3><table class="compact"><thead><tr><th class="num">seed</th><th>verdict</th><th>what went wrong</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    );
    if (s.errors.length > 50) out.push(`<p class="muted">… and ${formatNumber(s.errors.length - 50)} more.</p>`);
  }
  out.push(`</section>`);
  return out.join("\n");
}

function command(s: SweepHtmlSummary, verb: "run" | "report", seed: number): string {
  const args = ["npx", "agentsim", verb, s.file, "--seed", String(seed)];
  if (s.mitigations.length) args.push("--mitigate", s.mitigations.join(","));
  for (const o of s.overrides ?? []) if (!/^\s*seed\s*=/.test(o)) args.push("--set", o);
  return args.map(shellQuote).join(" ");
}

function metricsSection(metrics: readonly SweepMetricDistribution[]): string {
  if (!metrics.length) return "";
  const rows = metrics.map((m) => {
    const f = (v: number): string => esc(valueText(m, v));
    return `<tr data-metric="${esc(m.name)}"><td>${esc(m.name)}</td><td class="num">${f(m.min)}</td><td class="num">${f(m.p50)}</td><td class="num">${f(m.p90)}</td><td class="num">${f(m.p99)}</td><td class="num">${f(m.max)}</td><td style="width:260px">${rangeBar(m)}</td></tr>`;
  });
  const hists = metrics.filter((m) => (m.values?.length ?? 0) >= 2 && m.max > m.min).map(metricHistogram);
  return [
    `<section class="card" id="metrics"><h2>Metrics across seeds</h2>`,
    `<p class="muted">Each metric's spread over the seeds that ran; the bar runs from min to max, the thick part from p50 to p99, the dot is p50.</p>`,
    `<table class="compact metric-spreads" data-chart="metric-spreads"><thead><tr><th>metric</th><th class="num">min</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th><th>spread</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    hists.length ? `<div class="figures" style="margin-top:16px">${hists.join("")}</div>` : "",
    `</section>`,
  ].join("\n");
}

/** A value of the metric with its unit, as the run reports write it. */
function valueText(m: SweepMetricDistribution, value: number): string {
  const metric: Metric = { name: m.name, value };
  if (m.unit) metric.unit = m.unit;
  return formatMetricValue(metric);
}

function rangeBar(m: SweepMetricDistribution): string {
  const span = m.max - m.min;
  const x = (v: number): number => 6 + (span > 0 ? ((v - m.min) / span) * 248 : 124);
  return `<svg class="range" viewBox="0 0 260 22" role="img"><line class="track" x1="${px(x(m.min))}" x2="${px(x(m.max))}" y1="11" y2="11"></line><line class="p" x1="${px(x(m.p50))}" x2="${px(x(m.p99))}" y1="11" y2="11"></line><circle class="mid" cx="${px(x(m.p50))}" cy="11" r="4"></circle></svg>`;
}

function metricHistogram(m: SweepMetricDistribution): string {
  const values = m.values ?? [];
  const n = Math.min(30, Math.max(5, Math.ceil(Math.sqrt(values.length))));
  const w = (m.max - m.min) / n;
  const bins = Array.from({ length: n }, (_, i) => ({ x0: m.min + i * w, x1: m.min + (i + 1) * w, count: 0 }));
  for (const v of values) (bins[Math.min(n - 1, Math.max(0, Math.floor((v - m.min) / w)))] as { count: number }).count++;
  const f = (v: number): string => valueText(m, v);
  const id = `metric-${m.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
  return `<figure class="figure" data-figure="${esc(id)}"><figcaption><h3>${esc(m.name)}</h3><p>${formatNumber(values.length)} seeds; p50 ${esc(f(m.p50))}, p99 ${esc(f(m.p99))}.</p></figcaption>${histogram(
    {
      id,
      x: { title: m.name, format: f, time: m.unit === "ms" },
      y: { title: "seeds", format: formatNumber, include: [0] },
      bins,
      color: "#64748b",
      markers: [
        { x: m.p50, label: `p50 ${f(m.p50)}`, color: "#0f172a" },
        { x: m.p99, label: `p99 ${f(m.p99)}`, color: "#b45309" },
      ],
    },
  )}</figure>`;
}
