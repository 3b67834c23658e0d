/**
 * Figures of the scenario's own time series (`result.series`): series whose names end in the
 * same unit in parentheses (`spend per 10 s (USD)`, `cache-write spend per 10 s (USD)`) share a
 * chart; each is drawn as steps, since a series' value holds until its next point, except series
 * in milliseconds, which are latency samples (one point per request) and are drawn as dots. The first
 * violation of each invariant is marked, so a spike can be read against the moment it broke.
 */
import type { Violation } from "../../checks/verdict.js";
import type { Series } from "../../scenarios/scenario.js";
import { formatDuration } from "../../sim/duration.js";
import { formatNumber, formatUsd } from "../format-metric.js";
import { lineChart, PALETTE } from "./chart-svg.js";
import { timeLabel, violationMarkers, type Figure } from "./figure.js";

/** Points drawn per series at most; longer series keep the largest value of each stretch. */
export const MAX_SERIES_POINTS = 1_500;

/** The unit a series' name ends with, in parentheses (`USD` in `spend per 10 s (USD)`), if any. */
export function seriesUnit(name: string): string | undefined {
  return /\(([^()]+)\)\s*$/.exec(name)?.[1]?.trim();
}

/** How values of a unit read. */
export function unitFormat(unit: string | undefined): (v: number) => string {
  const u = unit?.toLowerCase();
  if (u === "usd" || u === "$") return formatUsd;
  if (u === "ms") return (v) => (v === 0 ? "0" : formatDuration(v));
  return (v) => formatNumber(Math.abs(v) >= 100 ? Math.round(v) : Number(v.toPrecision(3)));
}

/** One figure per unit, in the order the series are named. */
export function seriesFigures(series: Readonly<Record<string, Series>>, violations: readonly Violation[]): Figure[] {
  const byUnit = new Map<string, string[]>();
  for (const name of Object.keys(series)) {
    if (!series[name]?.length) continue;
    const unit = seriesUnit(name) ?? name;
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), name]);
  }
  return [...byUnit].map(([unit, names], i) => {
    const declared = seriesUnit(names[0] as string);
    const thinned = names.map((n) => ({ name: n, points: thin(series[n] as Series) }));
    const cut = thinned.filter((t, j) => t.points.length < (series[names[j] as string] as Series).length);
    return {
      id: `series-${i + 1}`,
      title: names.length === 1 ? (names[0] as string) : `${names.length} series in ${unit}`,
      caption: `From the scenario's own series: ${names.join("; ")}.${cut.length ? ` Series longer than ${formatNumber(MAX_SERIES_POINTS)} points show the largest value of each stretch.` : ""}`,
      body: lineChart({
        id: `series-${i + 1}`,
        x: { title: "virtual time", format: timeLabel, time: true, include: [0] },
        y: { title: declared ?? "value", format: unitFormat(declared), time: declared?.toLowerCase() === "ms", include: [0] },
        lines: thinned.map((t, j) => ({
          name: t.name,
          color: PALETTE[j % PALETTE.length] as string,
          points: t.points,
          step: true,
          dots: declared?.toLowerCase() === "ms",
        })),
        markers: violationMarkers(violations),
      }),
    };
  });
}

/** At most MAX_SERIES_POINTS points: each stretch of the series is kept as its largest value. */
function thin(s: Series): [number, number][] {
  if (s.length <= MAX_SERIES_POINTS) return s;
  const per = Math.ceil(s.length / MAX_SERIES_POINTS);
  const out: [number, number][] = [];
  for (let i = 0; i < s.length; i += per) {
    const part = s.slice(i, i + per);
    out.push([(part[0] as [number, number])[0], Math.max(...part.map((p) => p[1]))]);
  }
  return out;
}
