/**
 * Figures read straight from the trace, for any scenario whose actors record the evidence:
 * spend over time (the running sum of `costUsd` on events, as the LLM provider records it on each
 * call) and the cache's traffic (its hits, misses, writes and expiries per time bin).
 */
import type { Violation } from "../../checks/verdict.js";
import { formatDuration } from "../../sim/duration.js";
import type { Layer, TraceEvent } from "../../sim/trace.js";
import { formatNumber, formatUsd } from "../format-metric.js";
import { lineChart, PALETTE } from "./chart-svg.js";
import { timeLabel, violationMarkers, type Figure } from "./figure.js";
import { tickStep } from "./time-axis.js";

/** Bins of an event-rate chart, about. */
const RATE_BINS = 60;

/** Cumulative spend from events that carry a numeric `costUsd`, or none. */
export function spendFigure(events: readonly TraceEvent[], endMs: number, violations: readonly Violation[]): Figure[] {
  const points: [number, number][] = [[0, 0]];
  let total = 0;
  let charged = 0;
  for (const e of events) {
    const c = e.attrs?.costUsd;
    if (typeof c !== "number" || !Number.isFinite(c)) continue;
    total += c;
    charged++;
    if ((points.at(-1) as [number, number])[0] === e.t) (points.at(-1) as [number, number])[1] = total;
    else points.push([e.t, total]);
  }
  if (charged < 2) return [];
  points.push([Math.max(endMs, (points.at(-1) as [number, number])[0]), total]);
  return [
    {
      id: "spend",
      title: "Spend over time",
      caption: `Running total of costUsd over ${formatNumber(charged)} charged events: ${formatUsd(total)} in all.`,
      body: lineChart({
        id: "spend",
        x: { title: "virtual time", format: timeLabel, time: true, include: [0] },
        y: { title: "USD (cumulative)", format: formatUsd, include: [0] },
        lines: [{ name: "spend", color: "#7c3aed", points: thinSteps(points), step: true }],
        markers: violationMarkers(violations),
      }),
    },
  ];
}

/** Instants of one layer per kind per time bin (for the cache: hits, misses, writes), or none. */
export function layerRateFigure(events: readonly TraceEvent[], layer: Layer, endMs: number, violations: readonly Violation[]): Figure[] {
  const instants = events.filter((e) => e.layer === layer && e.phase === "instant");
  if (!instants.length) return [];
  const bin = tickStep(0, Math.max(endMs, 1), RATE_BINS);
  const n = Math.floor(Math.max(endMs, instants.at(-1)?.t ?? 0) / bin) + 1;
  const counts = new Map<string, number[]>();
  for (const e of instants) {
    const row = counts.get(e.kind) ?? new Array<number>(n).fill(0);
    row[Math.min(n - 1, Math.floor(e.t / bin))]! += 1;
    counts.set(e.kind, row);
  }
  const kinds = [...counts].sort((a, b) => total(b[1]) - total(a[1]) || a[0].localeCompare(b[0]));
  return [
    {
      id: `${layer}-rates`,
      title: `${layer[0]?.toUpperCase()}${layer.slice(1)} events per ${formatDuration(bin)}`,
      caption: `Instants of the ${layer} layer by kind: ${kinds.map(([k, row]) => `${k} ${formatNumber(total(row))}`).join(", ")}.`,
      body: lineChart({
        id: `${layer}-rates`,
        x: { title: "virtual time", format: timeLabel, time: true, include: [0] },
        y: { title: `events per ${formatDuration(bin)}`, format: formatNumber, include: [0] },
        lines: kinds.map(([kind, row], i) => ({
          name: kind,
          color: PALETTE[i % PALETTE.length] as string,
          points: row.map((c, b) => [b * bin, c] as [number, number]),
          step: true,
        })),
        markers: violationMarkers(violations),
      }),
    },
  ];
}

function total(row: readonly number[]): number {
  return row.reduce((a, b) => a + b, 0);
}

/** A long running total kept to at most 1,500 steps (the last value of each stretch). */
function thinSteps(points: [number, number][]): [number, number][] {
  const max = 1_500;
  if (points.length <= max) return points;
  const per = Math.ceil(points.length / max);
  return points.filter((_, i) => i % per === 0 || i === points.length - 1);
}
