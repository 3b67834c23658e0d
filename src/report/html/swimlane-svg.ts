/**
 * The swimlane timeline as SVG: a lane per actor (or group), spans as bars and instants as ticks
 * coloured by layer, causal links as arrows (every cross-lane link in a small trace; the
 * violations' causal chains always, in red), each violation as a red line at the time it broke
 * and a diamond on the event where it broke. Time-placed elements carry their virtual times in
 * `data-a`/`data-b` so that the page's script can re-place them when the user zooms; the static
 * positions below are those of the full view.
 */
import type { Violation } from "../../checks/verdict.js";
import { formatDuration, formatTimestamp } from "../../sim/duration.js";
import type { Trace, TraceEvent } from "../../sim/trace.js";
import { formatAttrs } from "../event-line.js";
import { esc, px } from "./html.js";
import type { Lane, LaneModel, Place } from "./lane-layout.js";
import { layerColor } from "./layer-style.js";
import { timeTicks, xOf, type TimeScale } from "./time-axis.js";

/** The page geometry of the timeline (viewBox units). */
export const SWIMLANE_GEOMETRY = {
  width: 1200,
  plotX: 214,
  plotWidth: 966,
  top: 62,
  rowHeight: 14,
  rowGap: 3,
  lanePad: 7,
  minLaneHeight: 40,
  bottom: 34,
  maxTicks: 10,
} as const;

/** Cross-lane causal links drawn besides the chains; a trace with more draws only the chains. */
export const MAX_CONTEXT_LINKS = 1_500;

/** What the timeline shows. */
export interface SwimlaneInput {
  model: LaneModel;
  trace: Trace;
  /** The violations to mark, each with the causal chain of the event where it broke. */
  violations: readonly { violation: Violation; chain: readonly TraceEvent[] }[];
}

/** The SVG and the hover details of every drawn event (by id: title line, then detail lines). */
export interface SwimlaneSvg {
  svg: string;
  details: Record<string, string[]>;
  /** What the picture leaves out, in words. */
  notes: string[];
}

const G = SWIMLANE_GEOMETRY;

/** Renders the timeline. */
export function swimlaneSvg(input: SwimlaneInput): SwimlaneSvg {
  const { model } = input;
  const scale: TimeScale = { t0: model.t0, t1: model.t1, x0: G.plotX, width: G.plotWidth };
  const tops = laneTops(model.lanes);
  const height = (tops.at(-1) ?? G.top) + G.bottom;
  const yOf = (p: Place): number => (tops[p.lane] as number) + G.lanePad + p.row * (G.rowHeight + G.rowGap) + G.rowHeight / 2;
  const focus = focusIds(input.violations);
  const notes = [...model.notes];
  const links = causalLinks(input, focus, notes);
  const parts: string[] = [
    `<svg class="swimlanes" viewBox="0 0 ${G.width} ${px(height)}" width="100%" role="img" aria-label="swimlane timeline: one lane per actor on the virtual time axis" data-t0="${model.t0}" data-t1="${model.t1}" data-x0="${G.plotX}" data-w="${G.plotWidth}" data-top="${G.top}" data-bottom="${px(height - G.bottom)}" data-ticks="${G.maxTicks}">`,
    defs(height),
    lanesBackground(model.lanes, tops),
    axis(scale, height),
    `<g class="plot" clip-path="url(#plot-clip)">`,
    ...model.lanes.map((lane, i) => laneItems(lane, tops[i] as number, scale, focus)),
    ...links.context.map((l) => linkPath(l, scale, yOf, "link")),
    ...links.chain.map((l) => linkPath(l, scale, yOf, "link chain")),
    ...violationMarks(input, scale, yOf, height),
    `</g>`,
    `<rect class="brush" x="0" y="${G.top}" width="0" height="${px(height - G.top - G.bottom)}" visibility="hidden"></rect>`,
    `<text class="axis-title" x="${G.plotX + G.plotWidth}" y="${px(height - 8)}" text-anchor="end">virtual time since the run began →</text>`,
    `</svg>`,
  ];
  return { svg: parts.join("\n"), details: eventDetails(input.trace, model), notes };
}

/** The y of each lane's top, then the bottom of the last lane. */
function laneTops(lanes: readonly Lane[]): number[] {
  const tops: number[] = [G.top];
  for (const lane of lanes) tops.push((tops.at(-1) as number) + laneHeight(lane));
  return tops;
}

function laneHeight(lane: Lane): number {
  return Math.max(G.minLaneHeight, 2 * G.lanePad + lane.rows * G.rowHeight + (lane.rows - 1) * G.rowGap);
}

function defs(height: number): string {
  const arrow = (id: string, color: string): string =>
    `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 1 L10 5 L0 9 z" fill="${color}"></path></marker>`;
  return `<defs><clipPath id="plot-clip"><rect x="${G.plotX}" y="0" width="${G.plotWidth}" height="${px(height)}"></rect></clipPath>${arrow("arrow", "#64748b")}${arrow("arrow-red", "#dc2626")}</defs>`;
}

function lanesBackground(lanes: readonly Lane[], tops: readonly number[]): string {
  return lanes
    .map((lane, i) => {
      const y = tops[i] as number;
      const h = laneHeight(lane);
      const sub =
        lane.actors > 1
          ? `${lane.actors.toLocaleString("en-US")} actors · ${lane.events.toLocaleString("en-US")} events`
          : `${lane.layer} · ${lane.events.toLocaleString("en-US")} events`;
      const title = lane.title.length > 28 ? `${lane.title.slice(0, 27)}…` : lane.title;
      return [
        `<g class="lane" data-lane="${esc(lane.title)}">`,
        `<rect class="lane-bg${i % 2 ? " odd" : ""}" x="0" y="${px(y)}" width="${G.width}" height="${px(h)}"></rect>`,
        `<rect x="0" y="${px(y + 2)}" width="4" height="${px(h - 4)}" fill="${layerColor(lane.layer)}"></rect>`,
        `<text class="lane-title" x="12" y="${px(y + 17)}"><title>${esc(lane.title)}</title>${esc(title)}</text>`,
        `<text class="lane-sub" x="12" y="${px(y + 31)}">${esc(sub)}</text>`,
        `</g>`,
      ].join("");
    })
    .join("\n");
}

function axis(scale: TimeScale, height: number): string {
  const ticks = timeTicks(scale.t0, scale.t1, G.maxTicks)
    .map((t) => {
      const x = px(xOf(scale, t.t));
      return `<line x1="${x}" x2="${x}" y1="${G.top - 6}" y2="${px(height - G.bottom)}"></line><text x="${x}" y="${G.top - 10}" text-anchor="middle">${esc(t.label)}</text>`;
    })
    .join("");
  return `<g class="axis">${ticks}</g>`;
}

function laneItems(lane: Lane, top: number, scale: TimeScale, focus: ReadonlySet<number>): string {
  const out: string[] = [];
  const rowY = (row: number): number => top + G.lanePad + row * (G.rowHeight + G.rowGap);
  if (lane.density.length) {
    const max = Math.max(...lane.density.map((b) => b.count));
    const h = laneHeight(lane) - 2 * G.lanePad;
    for (const b of lane.density) {
      const bh = Math.max(3, h * Math.sqrt(b.count / max));
      const x = xOf(scale, b.t0);
      out.push(
        `<rect class="tz dens${lane.actors > 1 ? "" : " rest"}" data-a="${b.t0}" data-b="${b.t1}" x="${px(x)}" y="${px(top + G.lanePad + h - bh)}" width="${px(Math.max(1, xOf(scale, b.t1) - x))}" height="${px(bh)}" fill="${layerColor(b.layer)}"><title>${b.count.toLocaleString("en-US")} events ${formatTimestamp(b.t0)} – ${formatTimestamp(b.t1)}</title></rect>`,
      );
    }
  }
  for (const s of lane.spans) {
    const x = xOf(scale, s.t0);
    const cls = `tz span${focus.has(s.id) ? " focus" : ""}${s.open ? " open" : ""}`;
    out.push(
      `<rect class="${cls}" data-id="${s.id}" data-a="${s.t0}" data-b="${s.t1}" x="${px(x)}" y="${px(rowY(s.row))}" width="${px(Math.max(2, xOf(scale, s.t1) - x))}" height="${G.rowHeight}" fill="${layerColor(s.layer)}"></rect>`,
    );
  }
  for (const t of lane.ticks) {
    const x = px(xOf(scale, t.t));
    const y = rowY(t.row);
    out.push(
      `<line class="tz tick${focus.has(t.id) ? " focus" : ""}" data-id="${t.id}" data-a="${t.t}" x1="${x}" x2="${x}" y1="${px(y - 1)}" y2="${px(y + G.rowHeight + 1)}" stroke="${layerColor(t.layer)}"></line>`,
    );
  }
  return out.join("\n");
}

/** A causal link: from the cause's place (at time `from`) to the effect's place. */
interface Link {
  causeId: number;
  effectId: number;
  cause: Place;
  effect: Place;
  from: number;
}

function causalLinks(input: SwimlaneInput, focus: ReadonlySet<number>, notes: string[]): { chain: Link[]; context: Link[] } {
  const { model, trace } = input;
  const seen = new Set<string>();
  const chain: Link[] = [];
  for (const { chain: events } of input.violations) {
    for (const [i, e] of events.entries()) {
      const cause = events[i - 1];
      if (!cause || e.phase === "end") continue;
      const link = linkBetween(cause, e, model);
      const key = `${cause.id}>${e.id}`;
      if (link && !seen.has(key)) {
        seen.add(key);
        chain.push(link);
      }
    }
  }
  const context: Link[] = [];
  for (const e of trace.events) {
    if (e.phase === "end" || e.parent === undefined || focus.has(e.id) || !model.places.has(e.id)) continue;
    const cause = trace.get(e.parent);
    const link = cause && linkBetween(cause, e, model);
    if (link && link.cause.lane !== link.effect.lane) context.push(link);
  }
  if (context.length > MAX_CONTEXT_LINKS) {
    notes.push(
      `causal links: ${context.length.toLocaleString("en-US")} cross-lane links among the drawn events; only those on the violations' causal chains are drawn`,
    );
    return { chain, context: [] };
  }
  return { chain, context };
}

/** The link from `cause` to `e`, leaving a span at the effect's time when the span still runs then. */
function linkBetween(cause: TraceEvent, e: TraceEvent, model: LaneModel): Link | undefined {
  const from = model.places.get(cause.id);
  const to = model.places.get(e.id);
  if (!from || !to) return undefined;
  const t = from.end !== undefined && cause.phase === "begin" ? Math.min(Math.max(e.t, from.t), from.end) : from.t;
  return { causeId: cause.id, effectId: e.id, cause: from, effect: to, from: t };
}

function linkPath(l: Link, scale: TimeScale, yOf: (p: Place) => number, cls: string): string {
  const x1 = xOf(scale, l.from);
  const x2 = xOf(scale, l.effect.t);
  const y1 = yOf(l.cause);
  const y2 = yOf(l.effect);
  return `<path class="tz ${cls}" data-cause="${l.causeId}" data-effect="${l.effectId}" data-a="${l.from}" data-b="${l.effect.t}" data-y1="${px(y1)}" data-y2="${px(y2)}" d="${linkD(x1, y1, x2, y2)}"></path>`;
}

/** A gentle S-curve from (x1, y1) to (x2, y2); the page's script draws the same curve. */
export function linkD(x1: number, y1: number, x2: number, y2: number): string {
  const dx = Math.max(10, Math.abs(x2 - x1) / 2);
  return `M${px(x1)} ${px(y1)} C${px(x1 + dx)} ${px(y1)} ${px(x2 - dx)} ${px(y2)} ${px(x2)} ${px(y2)}`;
}

/** Each violation's line, its label (the first of each invariant), and a diamond where it broke. */
function violationMarks(input: SwimlaneInput, scale: TimeScale, yOf: (p: Place) => number, height: number): string[] {
  const labels = new Map<string, number>();
  return input.violations.map(({ violation: v }) => {
    const x = xOf(scale, v.at);
    const title = `<title>${esc(`✗ ${v.invariant} broke at ${formatTimestamp(v.at)}: ${v.message}`)}</title>`;
    const out = [
      `<g class="violation-marker" data-invariant="${esc(v.invariant)}" data-at="${v.at}">`,
      `<line class="tz vline" data-a="${v.at}" x1="${px(x)}" x2="${px(x)}" y1="4" y2="${px(height - G.bottom)}">${title}</line>`,
    ];
    if (!labels.has(v.invariant)) {
      labels.set(v.invariant, labels.size);
      const right = x > G.plotX + G.plotWidth * 0.7;
      out.push(
        `<text class="tz vlabel" data-a="${v.at}" x="${px(right ? x - 4 : x + 4)}" y="${14 + ((labels.size - 1) % 2) * 15}" text-anchor="${right ? "end" : "start"}">✗ ${esc(v.invariant)}</text>`,
      );
    }
    const where = input.model.places.get(v.evidence.at(-1) ?? -1);
    if (where)
      out.push(`<path class="tz vmark" data-a="${where.t}" data-y="${px(yOf(where))}" d="${diamondD(xOf(scale, where.t), yOf(where))}">${title}</path>`);
    out.push(`</g>`);
    return out.join("");
  });
}

/** The diamond that marks where a violation broke; the page's script draws the same shape. */
export function diamondD(x: number, y: number): string {
  return `M${px(x)} ${px(y - 8)} L${px(x + 8)} ${px(y)} L${px(x)} ${px(y + 8)} L${px(x - 8)} ${px(y)} Z`;
}

/** The ids drawn as part of a causal chain (a span's end counts as its span). */
function focusIds(violations: SwimlaneInput["violations"]): Set<number> {
  const ids = new Set<number>();
  for (const { chain } of violations) for (const e of chain) ids.add(e.phase === "end" && e.span !== undefined ? e.span : e.id);
  return ids;
}

/** Hover text for every drawn span and instant: kind and layer, actor, time, attributes, cause. */
function eventDetails(trace: Trace, model: LaneModel): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const describe = (e: TraceEvent, endId: number | undefined): string[] => {
    const end = endId === undefined ? undefined : trace.get(endId);
    const lines = [
      `${e.kind} · ${e.layer}`,
      `${e.actor} · #${e.id}`,
      end ? `${formatTimestamp(e.t)} for ${formatDuration(end.t - e.t)}` : formatTimestamp(e.t),
    ];
    if (e.phase === "begin" && !end) lines[2] += " (still open when the run stopped)";
    if (e.attrs) lines.push(formatAttrs(e.attrs));
    if (end?.attrs) lines.push(`→ ${formatAttrs(end.attrs)}`);
    const cause = e.parent === undefined ? undefined : trace.get(e.parent);
    if (cause) lines.push(`caused by #${cause.id} ${cause.kind} (${cause.actor})`);
    return lines;
  };
  for (const lane of model.lanes) {
    for (const s of lane.spans) out[s.id] = describe(trace.get(s.id) as TraceEvent, s.endId);
    for (const t of lane.ticks) out[t.id] = describe(trace.get(t.id) as TraceEvent, undefined);
  }
  return out;
}
