/**
 * Latency figures. A scenario's series in milliseconds (`end-to-end latency (ms)`: one point per
 * request) are latency samples: each gets a histogram with its p50 and p99 marked. And every
 * finished span of the trace is a measured duration: spans are grouped by kind (`llm.call`,
 * `tool.call`...); the kind with the longest mean (the end-to-end request when there is one, since
 * it contains the others) gets a histogram with p50 and p99 marked, and every frequent kind gets a
 * line in a CDF and a row in a table. Percentiles are nearest-rank, as the latency checkers
 * compute them.
 */
import { summarize } from "../../checks/latency.js";
import { formatDuration } from "../../sim/duration.js";
import type { Series } from "../../scenarios/scenario.js";
import type { Layer, TraceEvent } from "../../sim/trace.js";
import { formatNumber } from "../format-metric.js";
import { histogram, lineChart, PALETTE, type AxisSpec, type ChartMarker } from "./chart-svg.js";
import type { Figure } from "./figure.js";
import { esc } from "./html.js";
import { layerChip } from "./layer-style.js";
import { seriesUnit } from "./series-figures.js";

/** The durations of one kind of span. */
export interface SpanDurations {
  kind: string;
  layer: Layer;
  /** Durations in ms, ascending. */
  ms: number[];
}

/** Kinds with fewer finished spans than this get no line. */
export const MIN_SPANS = 5;
const MAX_KINDS = 5;
const CDF_POINTS = 300;
const BINS = 32;

/** Finished spans' durations by kind (and layer), the most frequent first. */
export function spanDurations(events: readonly TraceEvent[]): SpanDurations[] {
  const begins = new Map<number, TraceEvent>();
  const groups = new Map<string, SpanDurations>();
  for (const e of events) {
    if (e.phase === "begin") begins.set(e.id, e);
    if (e.phase !== "end" || e.span === undefined) continue;
    const b = begins.get(e.span);
    if (!b) continue;
    const key = `${b.layer}\u0000${b.kind}`;
    const g = groups.get(key) ?? { kind: b.kind, layer: b.layer, ms: [] };
    g.ms.push(e.t - b.t);
    groups.set(key, g);
  }
  for (const g of groups.values()) g.ms.sort((a, b) => a - b);
  return [...groups.values()].sort((a, b) => b.ms.length - a.ms.length || a.kind.localeCompare(b.kind) || a.layer.localeCompare(b.layer));
}

/** The latency figures: of the series in ms, then of the spans; none when nothing was measured. */
export function latencyFigures(events: readonly TraceEvent[], series: Readonly<Record<string, Series>>): Figure[] {
  const sampled = Object.keys(series)
    .filter((name) => seriesUnit(name)?.toLowerCase() === "ms" && (series[name]?.length ?? 0) >= MIN_SPANS)
    .map((name, i) =>
      histogramFigure(
        `latency-series-${i + 1}`,
        `Distribution of ${name}`,
        `${formatNumber((series[name] as Series).length)} samples from the scenario's series`,
        sortedValues(series[name] as Series),
      ),
    );
  return [...sampled, ...spanFigures(events)];
}

function sortedValues(s: Series): number[] {
  return s
    .map((p) => p[1])
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
}

function spanFigures(events: readonly TraceEvent[]): Figure[] {
  const kinds = spanDurations(events)
    .filter((g) => g.ms.length >= MIN_SPANS)
    .slice(0, MAX_KINDS);
  if (!kinds.length) return [];
  const main = [...kinds].sort((a, b) => summarize(b.ms).mean - summarize(a.ms).mean || b.ms.length - a.ms.length)[0] as SpanDurations;
  const hist = histogramFigure(
    "latency-histogram",
    `Latency of ${main.kind} (${main.layer})`,
    `${formatNumber(main.ms.length)} finished ${main.kind} spans`,
    main.ms,
  );
  const log = useLog(kinds.flatMap((k) => [k.ms[0] as number, k.ms.at(-1) as number]));
  const cdf: Figure = {
    id: "latency-cdf",
    title: "Latency CDF by kind of span",
    caption: `The share of spans that finished within a duration; p50 and p99 of ${main.kind} marked. Kinds with at least ${MIN_SPANS} finished spans, the ${MAX_KINDS} most frequent.`,
    body:
      lineChart({
        id: "latency-cdf",
        x: durationAxis(log),
        y: { title: "share of spans", format: (v) => `${Math.round(v * 100)}%`, include: [0, 1] },
        lines: kinds.map((k, i) => ({ name: `${k.kind} (${k.layer})`, color: PALETTE[i % PALETTE.length] as string, points: cdfPoints(k.ms), step: true })),
        markers: percentileMarkers(main.ms),
      }) + latencyTable(kinds),
  };
  return [hist, cdf];
}

/** A histogram of sorted durations with p50 and p99 marked. */
function histogramFigure(id: string, title: string, what: string, ms: readonly number[]): Figure {
  const s = summarize(ms);
  const log = useLog([ms[0] as number, ms.at(-1) as number]);
  return {
    id,
    title,
    caption: `${what}; p50 ${formatDuration(s.p50)}, p90 ${formatDuration(s.p90)}, p99 ${formatDuration(s.p99)}, max ${formatDuration(s.max)}.`,
    body: histogram({
      id,
      x: durationAxis(log),
      y: { title: "count", format: formatNumber, include: [0] },
      bins: bins(ms, log),
      color: "#64748b",
      markers: percentileMarkers(ms),
    }),
  };
}

function durationAxis(log: boolean): AxisSpec {
  return { title: `duration${log ? " (log scale)" : ""}`, format: formatDuration, log, time: !log };
}

function percentileMarkers(ms: readonly number[]): ChartMarker[] {
  const s = summarize(ms);
  return [
    { x: s.p50, label: `p50 ${formatDuration(s.p50)}`, color: "#0f172a" },
    { x: s.p99, label: `p99 ${formatDuration(s.p99)}`, color: "#b45309" },
  ];
}

function useLog(extremes: readonly number[]): boolean {
  const pos = extremes.filter((v) => v > 0);
  return pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 30;
}

function bins(ms: readonly number[], log: boolean): { x0: number; x1: number; count: number }[] {
  const pos = log ? ms.filter((v) => v > 0) : ms;
  const lo = log ? (pos[0] as number) : Math.min(0, ms[0] as number);
  const hi = Math.max(ms.at(-1) as number, lo + 1e-6);
  const edge = (i: number): number => (log ? lo * (hi / lo) ** (i / BINS) : lo + ((hi - lo) * i) / BINS);
  const out = Array.from({ length: BINS }, (_, i) => ({ x0: edge(i), x1: edge(i + 1), count: 0 }));
  for (const v of ms) {
    const f = log ? Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo || 2) : (v - lo) / (hi - lo);
    (out[Math.min(BINS - 1, Math.max(0, Math.floor(f * BINS)))] as { count: number }).count++;
  }
  return out;
}

/** The empirical CDF, thinned to at most CDF_POINTS steps. */
function cdfPoints(ms: readonly number[]): [number, number][] {
  const n = ms.length;
  const step = Math.max(1, Math.ceil(n / CDF_POINTS));
  const out: [number, number][] = [[ms[0] as number, 0]];
  for (let i = step - 1; i < n; i += step) out.push([ms[i] as number, (i + 1) / n]);
  if ((out.at(-1) as [number, number])[1] < 1) out.push([ms[n - 1] as number, 1]);
  return out;
}

function latencyTable(kinds: readonly SpanDurations[]): string {
  const rows = kinds.map((k) => {
    const s = summarize(k.ms);
    return `<tr><td><code>${esc(k.kind)}</code> ${layerChip(k.layer)}</td><td class="num">${formatNumber(s.count)}</td><td class="num">${formatDuration(s.p50)}</td><td class="num">${formatDuration(s.p90)}</td><td class="num">${formatDuration(s.p99)}</td><td class="num">${formatDuration(s.max)}</td></tr>`;
  });
  return `<table class="compact"><thead><tr><th>span kind</th><th class="num">spans</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
