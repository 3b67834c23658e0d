/**
 * The run as Chrome Trace Event JSON, the format Perfetto (ui.perfetto.dev) and chrome://tracing
 * open: one process; each actor a track (a thread, named with `M` metadata); each span a complete
 * slice (`X`, `ts`/`dur` in microseconds); each instant an `i` event; each causal link a flow
 * (`s` at the cause, `f` with `bp: "e"` at the effect); each violation a global instant.
 *
 * Slices on one track must nest, but an actor's spans may overlap (a tool serving two calls at
 * once), so an actor gets as many tracks as it needs: a span goes on the actor's first track where
 * it nests inside a span that caused it (or on which nothing is open), and the extra tracks are
 * named `actor (2)`, `actor (3)`...
 */
import type { RunResult } from "../run/run-scenario.js";
import type { Trace, TraceEvent } from "../sim/trace.js";
import type { WorldRun } from "../world/run-in-world.js";
import { asRunResult } from "./world-run-result.js";

/** One Chrome trace event. */
export interface ChromeEvent {
  name: string;
  cat?: string;
  ph: "X" | "i" | "M" | "s" | "f";
  /** Microseconds of virtual time. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: "e";
  s?: "t" | "g";
  args?: Record<string, unknown>;
}

/** The document Perfetto and chrome://tracing load. */
export interface ChromeTrace {
  traceEvents: ChromeEvent[];
  displayTimeUnit: "ms";
  otherData: { scenario: string; seed: number; traceHash: string };
}

const PID = 1;

/** Virtual ms as trace microseconds, to the nanosecond (so that a slice's ts + dur lands on its end). */
function us(ms: number): number {
  return Math.round(ms * 1_000_000) / 1000;
}

interface Slice {
  begin: TraceEvent;
  end: TraceEvent | undefined;
  endT: number;
}

/** Converts a run (a scenario's, or a world run of real agent code) to a Chrome trace. */
export function chromeTrace(run: RunResult | WorldRun<unknown>): ChromeTrace {
  const result = asRunResult(run);
  const events = result.trace.events;
  const slices = spanSlices(events, result.outcome.now);
  const tracks = new Tracks(result.trace);
  const tidOf = new Map<number, number>();
  for (const e of events) {
    const slice = slices.get(e.id);
    if (slice) tidOf.set(e.id, tracks.place(slice));
    else if (e.phase === "instant") tidOf.set(e.id, tracks.main(e.actor));
  }
  const out: ChromeEvent[] = [{ name: "process_name", ph: "M", ts: 0, pid: PID, tid: 0, args: { name: `agentsim ${result.scenario} (seed ${result.seed})` } }];
  out.push(...tracks.metadata());
  for (const s of slices.values()) out.push(sliceEvent(s, tidOf.get(s.begin.id) ?? 0));
  for (const e of events) {
    if (e.phase === "instant")
      out.push({
        name: e.kind,
        cat: e.layer,
        ph: "i",
        s: "t",
        ts: us(e.t),
        pid: PID,
        tid: tidOf.get(e.id) ?? 0,
        args: { id: e.id, ...(e.attrs ? { attrs: e.attrs } : {}) },
      });
  }
  for (const e of events) out.push(...flow(e, result, tidOf));
  for (const v of result.violations) {
    const last = v.evidence.at(-1);
    out.push({
      name: `violation: ${v.invariant}`,
      cat: "violation",
      ph: "i",
      s: "g",
      ts: us(v.at),
      pid: PID,
      tid: last === undefined ? 0 : (tidOf.get(last) ?? 0),
      args: { message: v.message, evidence: v.evidence },
    });
  }
  return { traceEvents: out, displayTimeUnit: "ms", otherData: { scenario: result.scenario, seed: result.seed, traceHash: result.traceHash } };
}

/** The Chrome trace as JSON text (ending in a newline). */
export function renderChrome(result: RunResult | WorldRun<unknown>): string {
  return JSON.stringify(chromeTrace(result)) + "\n";
}

/** Every span by its begin id, with its end; spans still open when the run stopped end at the stop time. */
function spanSlices(events: readonly TraceEvent[], stoppedAt: number): Map<number, Slice> {
  const ends = new Map<number, TraceEvent>();
  for (const e of events) if (e.phase === "end" && e.span !== undefined) ends.set(e.span, e);
  const slices = new Map<number, Slice>();
  for (const begin of events) {
    if (begin.phase !== "begin") continue;
    const end = ends.get(begin.id);
    slices.set(begin.id, { begin, end, endT: end ? end.t : Math.max(begin.t, stoppedAt) });
  }
  return slices;
}

function sliceEvent(s: Slice, tid: number): ChromeEvent {
  const args: Record<string, unknown> = { id: s.begin.id, layer: s.begin.layer };
  if (s.begin.attrs) args.attrs = s.begin.attrs;
  if (s.end?.attrs) args.endAttrs = s.end.attrs;
  if (!s.end) args.unfinished = true;
  return {
    name: s.begin.kind,
    cat: s.begin.layer,
    ph: "X",
    ts: us(s.begin.t),
    dur: (Math.round(s.endT * 1_000_000) - Math.round(s.begin.t * 1_000_000)) / 1000,
    pid: PID,
    tid,
    args,
  };
}

/** The flow arrow from an event's cause to it (none for span ends, which share their begin's cause). */
function flow(e: TraceEvent, result: RunResult, tidOf: ReadonlyMap<number, number>): ChromeEvent[] {
  if (e.phase === "end" || e.parent === undefined) return [];
  const cause = result.trace.get(e.parent);
  if (!cause) return [];
  const from = cause.phase === "end" && cause.span !== undefined ? cause.span : cause.id;
  const common = { name: "cause", cat: "causal", pid: PID, id: e.id };
  return [
    { ...common, ph: "s", ts: us(cause.t), tid: tidOf.get(from) ?? 0 },
    { ...common, ph: "f", bp: "e", ts: us(e.t), tid: tidOf.get(e.id) ?? 0 },
  ];
}

interface Lane {
  tid: number;
  /** The slices open at the current time, outermost first. */
  open: Slice[];
}

/**
 * Tracks (thread ids) per actor. A slice nests on a track only inside a slice that caused it, so
 * that nesting on screen always means causation; unrelated overlapping spans get tracks of their own.
 */
class Tracks {
  readonly #byActor = new Map<string, Lane[]>();
  readonly #trace: Trace;
  #nextTid = 1;

  constructor(trace: Trace) {
    this.#trace = trace;
  }

  /** The actor's first track. */
  main(actor: string): number {
    return this.#lanes(actor)[0]?.tid ?? this.#add(actor).tid;
  }

  /** Puts a slice on the actor's first track where it nests, and returns that track's tid. */
  place(s: Slice): number {
    const start = s.begin.t;
    for (const lane of this.#lanes(s.begin.actor)) {
      while (lane.open.length && (lane.open.at(-1) as Slice).endT <= start) lane.open.pop();
      const top = lane.open.at(-1);
      if (top === undefined || (s.endT <= top.endT && this.#causes(top.begin.id, s.begin))) {
        lane.open.push(s);
        return lane.tid;
      }
    }
    const lane = this.#add(s.begin.actor);
    lane.open.push(s);
    return lane.tid;
  }

  /** Whether event `id` is among the causes of `e`. */
  #causes(id: number, e: TraceEvent): boolean {
    return this.#trace.causalChain(e.id).some((c) => c.id === id);
  }

  /** `thread_name` and `thread_sort_index` metadata for every track. */
  metadata(): ChromeEvent[] {
    const out: ChromeEvent[] = [];
    for (const [a, [actor, lanes]] of [...this.#byActor].entries()) {
      for (const [i, lane] of lanes.entries()) {
        out.push({ name: "thread_name", ph: "M", ts: 0, pid: PID, tid: lane.tid, args: { name: i === 0 ? actor : `${actor} (${i + 1})` } });
        out.push({ name: "thread_sort_index", ph: "M", ts: 0, pid: PID, tid: lane.tid, args: { sort_index: a * 1_000_000 + i } });
      }
    }
    return out;
  }

  #lanes(actor: string): Lane[] {
    let lanes = this.#byActor.get(actor);
    if (!lanes) {
      lanes = [];
      this.#byActor.set(actor, lanes);
    }
    return lanes;
  }

  #add(actor: string): Lane {
    const lane: Lane = { tid: this.#nextTid++, open: [] };
    this.#lanes(actor).push(lane);
    return lane;
  }
}
