/**
 * A figure of the HTML report: a chart or a graph with its title and a caption that says what it
 * shows and where its numbers come from. The run's figures are chosen to fit the scenario.
 */
import { formatDuration } from "../../sim/duration.js";
import type { Violation } from "../../checks/verdict.js";
import { esc } from "./html.js";
import { VIOLATION_COLOR } from "./layer-style.js";
import type { ChartMarker } from "./chart-svg.js";

/** One figure. */
export interface Figure {
  /** Stable id (used as the element id and by tests): `latency`, `series-usd`, `cache`... */
  id: string;
  title: string;
  /** What it shows, in words (plain text). */
  caption: string;
  /** The picture and anything under it (HTML). */
  body: string;
}

/** The figure as HTML. */
export function figureHtml(f: Figure): string {
  return `<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}"><figcaption><h3>${esc(f.title)}</h3><p>${esc(f.caption)}</p></figcaption>${f.body}</figure>`;
}

/** A virtual time as an axis label: `0`, `30s`, `1m 30s`. */
export function timeLabel(ms: number): string {
  return ms === 0 ? "0" : formatDuration(ms);
}

/** Red markers at the first violation of each invariant, for charts over virtual time. */
export function violationMarkers(violations: readonly Violation[]): ChartMarker[] {
  const seen = new Set<string>();
  const out: ChartMarker[] = [];
  for (const v of violations) {
    if (seen.has(v.invariant)) continue;
    seen.add(v.invariant);
    out.push({ x: v.at, label: `✗ ${v.invariant}`, color: VIOLATION_COLOR });
  }
  return out;
}
