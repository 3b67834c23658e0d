/**
 * The swimlane layout of a trace: one lane per actor, spans packed into rows so that overlapping
 * spans of one actor stay apart, instants placed on the row of the span that caused them.
 *
 * Large traces are capped, and the layout says what it left out:
 * - more actors than `maxLanes`: actors on the violations' causal chains keep lanes of their own,
 *   the others are grouped by name with digits masked (`worker-17` -> `worker-#`) and each group
 *   becomes one density lane (events per time bin); past the cap the rest share one lane;
 * - more events in a lane than its budget: the events on the causal chains are drawn, then those
 *   nearest in time to the violations (longer spans first), and the rest become the lane's density
 *   strip; so the moments a reader zooms into are drawn event by event.
 */
import type { Layer, TraceEvent } from "../../sim/trace.js";

/** How much of a trace to draw one by one. */
export interface LaneLimits {
  maxLanes: number;
  /** Rows a lane may use for overlapping spans; more overlap shares the least busy row. */
  maxRows: number;
  maxItemsPerLane: number;
  maxItems: number;
  /** Time bins of a density strip. */
  densityBins: number;
}

/** Enough for a screenful of lanes and a file of a few megabytes. */
export const DEFAULT_LANE_LIMITS: LaneLimits = { maxLanes: 28, maxRows: 6, maxItemsPerLane: 1_500, maxItems: 6_000, densityBins: 600 };

/** A span drawn as a bar. */
export interface SpanBar {
  id: number;
  /** Id of its end event, if it ended. */
  endId?: number;
  t0: number;
  t1: number;
  row: number;
  layer: Layer;
  kind: string;
  /** Still open when the run stopped. */
  open: boolean;
}

/** An instant drawn as a tick. */
export interface Tick {
  id: number;
  t: number;
  row: number;
  layer: Layer;
  kind: string;
}

/** Events counted in one time bin of a density strip. */
export interface DensityBin {
  t0: number;
  t1: number;
  count: number;
  /** The layer most of them belong to. */
  layer: Layer;
}

/** One lane: an actor, or a group of actors drawn as density. */
export interface Lane {
  title: string;
  /** How many actors it stands for. */
  actors: number;
  /** How many events those actors recorded. */
  events: number;
  /** The layer most of its events belong to. */
  layer: Layer;
  rows: number;
  spans: SpanBar[];
  ticks: Tick[];
  density: DensityBin[];
  /** Spans and instants counted in the density strip instead of drawn one by one. */
  elided: number;
}

/** Where a drawn event sits: its lane, its row and its time. */
export interface Place {
  lane: number;
  row: number;
  t: number;
  /** For a span's begin: when the span ends. */
  end?: number;
}

/** The whole layout. */
export interface LaneModel {
  t0: number;
  t1: number;
  lanes: Lane[];
  /** Drawn events by id (a span's begin and end ids both map to its bar). */
  places: Map<number, Place>;
  /** Spans and instants drawn one by one. */
  drawn: number;
  /** Spans and instants in the trace. */
  total: number;
  /** What was left out or grouped, in words. */
  notes: string[];
}

interface SpanRec {
  begin: TraceEvent;
  end: TraceEvent | undefined;
  t1: number;
}

interface ActorRec {
  name: string;
  first: number;
  spans: SpanRec[];
  instants: TraceEvent[];
  events: number;
  layers: Map<Layer, number>;
}

/** A lane before layout: one actor, or several drawn as density. */
interface LaneGroup {
  title: string;
  members: ActorRec[];
  aggregate: boolean;
}

/** What the reader will look at: events that must be drawn, and times to draw densely around. */
export interface LaneFocus {
  /** Ids that must be drawn one by one (the violations' causal chains; spans by begin id). */
  ids: ReadonlySet<number>;
  /** Times (the violations') near which events are drawn first when a lane is over budget. */
  times: readonly number[];
}

/** Lays out a trace; `stoppedAt` is when the run stopped (spans still open end there). */
export function layoutLanes(events: readonly TraceEvent[], focus: LaneFocus, stoppedAt: number, limits: LaneLimits = DEFAULT_LANE_LIMITS): LaneModel {
  const actors = collectActors(events, stoppedAt);
  const t1 = Math.max(1, stoppedAt, events.at(-1)?.t ?? 0, ...focus.times);
  const groups = groupActors([...actors.values()], focus.ids, limits.maxLanes);
  const model: LaneModel = { t0: 0, t1, lanes: [], places: new Map(), drawn: 0, total: 0, notes: [] };
  for (const a of actors.values()) model.total += a.spans.length + a.instants.length;
  for (const g of groups) {
    const index = model.lanes.length;
    const lane = g.aggregate ? densityLane(g, model, limits) : actorLane(g.members[0] as ActorRec, index, focus, model, limits);
    model.lanes.push(lane);
  }
  return model;
}

function collectActors(events: readonly TraceEvent[], stoppedAt: number): Map<string, ActorRec> {
  const ends = new Map<number, TraceEvent>();
  for (const e of events) if (e.phase === "end" && e.span !== undefined) ends.set(e.span, e);
  const actors = new Map<string, ActorRec>();
  for (const [i, e] of events.entries()) {
    let a = actors.get(e.actor);
    if (!a) {
      a = { name: e.actor, first: i, spans: [], instants: [], events: 0, layers: new Map() };
      actors.set(e.actor, a);
    }
    a.events++;
    a.layers.set(e.layer, (a.layers.get(e.layer) ?? 0) + 1);
    if (e.phase === "instant") a.instants.push(e);
    else if (e.phase === "begin") {
      const end = ends.get(e.id);
      a.spans.push({ begin: e, end, t1: end ? end.t : Math.max(e.t, stoppedAt) });
    }
  }
  return actors;
}

/** Which actors get lanes of their own and which share a density lane, in order of first event. */
function groupActors(actors: readonly ActorRec[], focus: ReadonlySet<number>, maxLanes: number): LaneGroup[] {
  if (actors.length <= maxLanes) return actors.map((a) => ({ title: a.name, members: [a], aggregate: false }));
  const isFocus = (a: ActorRec): boolean => a.spans.some((s) => focus.has(s.begin.id)) || a.instants.some((e) => focus.has(e.id));
  const own = actors.filter(isFocus).slice(0, Math.max(1, maxLanes - 2));
  const byPattern = new Map<string, ActorRec[]>();
  for (const a of actors) {
    if (own.includes(a)) continue;
    const key = a.name.replace(/\d+/g, "#");
    byPattern.set(key, [...(byPattern.get(key) ?? []), a]);
  }
  const groups: LaneGroup[] = [...byPattern].map(([key, members]) =>
    members.length === 1 ? { title: (members[0] as ActorRec).name, members, aggregate: false } : { title: key, members, aggregate: true },
  );
  const room = maxLanes - own.length;
  const ranked = [...groups].sort((a, b) => eventsOf(b) - eventsOf(a) || firstOf(a) - firstOf(b));
  const kept = groups.length <= room ? groups : ranked.slice(0, room - 1);
  const rest = groups.filter((g) => !kept.includes(g)).flatMap((g) => g.members);
  const lanes: LaneGroup[] = [...own.map((a) => ({ title: a.name, members: [a], aggregate: false })), ...kept];
  lanes.sort((a, b) => firstOf(a) - firstOf(b));
  if (rest.length) lanes.push({ title: `${rest.length} other actors`, members: rest.sort((a, b) => a.first - b.first), aggregate: true });
  return lanes;
}

function eventsOf(g: LaneGroup): number {
  return g.members.reduce((n, a) => n + a.events, 0);
}

function firstOf(g: LaneGroup): number {
  return Math.min(...g.members.map((a) => a.first));
}

/** A group of actors drawn as one density strip. */
function densityLane(g: LaneGroup, model: LaneModel, limits: LaneLimits): Lane {
  const items = g.members.flatMap((a) => [...a.spans.map((s) => s.begin), ...a.instants]);
  model.notes.push(`${g.title}: ${g.members.length} actors drawn as one lane of event density (${items.length.toLocaleString("en-US")} spans and instants)`);
  return {
    title: g.title,
    actors: g.members.length,
    events: eventsOf(g),
    layer: mainLayer(g.members),
    rows: 2,
    spans: [],
    ticks: [],
    density: densityBins(items, model, limits.densityBins),
    elided: items.length,
  };
}

/** One actor's lane: its spans packed into rows and its instants, within the budget. */
function actorLane(a: ActorRec, index: number, focus: LaneFocus, model: LaneModel, limits: LaneLimits): Lane {
  const budget = Math.max(0, Math.min(limits.maxItemsPerLane, limits.maxItems - model.drawn));
  const { spans, instants, rest } = withinBudget(a, focus, budget);
  const rows: number[] = [];
  const bars: SpanBar[] = [];
  const rowOf = new Map<number, number>();
  for (const s of spans) {
    const row = pickRow(rows, s.begin.t, s.t1, limits.maxRows);
    rowOf.set(s.begin.id, row);
    bars.push({ id: s.begin.id, ...(s.end ? { endId: s.end.id } : {}), t0: s.begin.t, t1: s.t1, row, layer: s.begin.layer, kind: s.begin.kind, open: !s.end });
    model.places.set(s.begin.id, { lane: index, row, t: s.begin.t, end: s.t1 });
    if (s.end) model.places.set(s.end.id, { lane: index, row, t: s.t1 });
  }
  const ticks: Tick[] = instants.map((e) => {
    const row = (e.parent !== undefined ? rowOf.get(e.parent) : undefined) ?? 0;
    model.places.set(e.id, { lane: index, row, t: e.t });
    return { id: e.id, t: e.t, row, layer: e.layer, kind: e.kind };
  });
  model.drawn += bars.length + ticks.length;
  if (rest.length)
    model.notes.push(
      `${a.name}: ${rest.length.toLocaleString("en-US")} of ${(a.spans.length + a.instants.length).toLocaleString("en-US")} spans and instants drawn as density; drawn one by one: the causal chains and the events nearest the violations`,
    );
  return {
    title: a.name,
    actors: 1,
    events: a.events,
    layer: mainLayer([a]),
    rows: Math.max(1, rows.length),
    spans: bars,
    ticks,
    density: rest.length ? densityBins(rest, model, limits.densityBins) : [],
    elided: rest.length,
  };
}

/** The spans and instants to draw (in time order) and the events left to the density strip. */
function withinBudget(a: ActorRec, focus: LaneFocus, budget: number): { spans: SpanRec[]; instants: TraceEvent[]; rest: TraceEvent[] } {
  if (a.spans.length + a.instants.length <= budget) return { spans: a.spans, instants: a.instants, rest: [] };
  const times = [...focus.times].sort((x, y) => x - y);
  const items = [...a.spans.map((s) => ({ id: s.begin.id, t0: s.begin.t, t1: s.t1 })), ...a.instants.map((e) => ({ id: e.id, t0: e.t, t1: e.t }))];
  const ranked = items
    .map((it) => ({ ...it, must: focus.ids.has(it.id), dist: distance(times, it.t0, it.t1) }))
    .sort((x, y) => Number(y.must) - Number(x.must) || x.dist - y.dist || y.t1 - y.t0 - (x.t1 - x.t0) || x.id - y.id);
  const keep = new Set(ranked.slice(0, Math.max(budget, ranked.filter((r) => r.must).length)).map((r) => r.id));
  const spans = a.spans.filter((s) => keep.has(s.begin.id));
  const instants = a.instants.filter((e) => keep.has(e.id));
  const rest = [...a.spans.map((s) => s.begin), ...a.instants].filter((e) => !keep.has(e.id)).sort((x, y) => x.id - y.id);
  return { spans, instants, rest };
}

/** How far [t0, t1] lies from the nearest of the sorted times (0 when it covers one; 0 with no times). */
function distance(sorted: readonly number[], t0: number, t1: number): number {
  if (!sorted.length) return 0;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < t0) lo = mid + 1;
    else hi = mid;
  }
  const after = sorted[lo];
  const before = sorted[lo - 1];
  const toAfter = after === undefined ? Infinity : Math.max(0, after - t1);
  const toBefore = before === undefined ? Infinity : t0 - before;
  return Math.min(toAfter, toBefore);
}

/** The first row free at `t0` (opening a new one while allowed), else the row that frees first. */
function pickRow(rows: number[], t0: number, t1: number, maxRows: number): number {
  let row = rows.findIndex((end) => end <= t0);
  if (row < 0 && rows.length < maxRows) row = rows.length;
  if (row < 0) row = rows.indexOf(Math.min(...rows));
  rows[row] = Math.max(rows[row] ?? t1, t1);
  return row;
}

function densityBins(items: readonly TraceEvent[], model: LaneModel, bins: number): DensityBin[] {
  const width = (model.t1 - model.t0) / bins;
  const counts = new Map<number, Map<Layer, number>>();
  for (const e of items) {
    const b = Math.min(bins - 1, Math.floor((e.t - model.t0) / width));
    const layers = counts.get(b) ?? new Map<Layer, number>();
    layers.set(e.layer, (layers.get(e.layer) ?? 0) + 1);
    counts.set(b, layers);
  }
  return [...counts]
    .sort((x, y) => x[0] - y[0])
    .map(([b, layers]) => ({ t0: model.t0 + b * width, t1: model.t0 + (b + 1) * width, count: sum(layers), layer: topLayer(layers) }));
}

function mainLayer(actors: readonly ActorRec[]): Layer {
  const all = new Map<Layer, number>();
  for (const a of actors) for (const [l, n] of a.layers) all.set(l, (all.get(l) ?? 0) + n);
  return topLayer(all);
}

/** The most frequent layer; ties go to the first in the legend's order of insertion. */
function topLayer(layers: ReadonlyMap<Layer, number>): Layer {
  let best: Layer = "sim";
  let n = -1;
  for (const [l, c] of layers) if (c > n) [best, n] = [l, c];
  return best;
}

function sum(m: ReadonlyMap<unknown, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}
