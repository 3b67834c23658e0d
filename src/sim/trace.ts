/**
 * The unified trace: one clock, one id space, causal links across every layer of an agent system.
 *
 * Every event carries virtual time, actor, layer, kind, phase, and the id of its causal parent.
 * A span is a `begin` event and its `end`; the span's id is its begin event's id, so causal links
 * point at events whatever their phase. The trace serializes to canonical JSON lines (fixed key
 * order, attribute keys sorted) and a run's trace hash is the sha256 of that text.
 */
import { createHash } from "node:crypto";

/** The layers of an agent system that the catalog's failures cross. */
export type Layer = "model" | "tool" | "harness" | "cache" | "human" | "user" | "clock" | "store" | "gateway" | "sim";

/** `begin`/`end` bracket a span; `instant` is a point event. */
export type Phase = "begin" | "end" | "instant";

/** Attribute values: JSON-safe scalars, arrays and objects. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
/** An event's attributes: JSON-safe values by name. */
export type Attrs = Record<string, AttrValue>;

/** One event of the trace. */
export interface TraceEvent {
  /** Position in the trace, from 0; the id causal links refer to. */
  readonly id: number;
  /** Virtual time in milliseconds since the run began. */
  readonly t: number;
  readonly actor: string;
  readonly layer: Layer;
  /** What happened, dotted: `tool.call`, `cache.write`, `effect.commit`. */
  readonly kind: string;
  readonly phase: Phase;
  /** For `end` events, the id of the span's `begin` event. */
  readonly span?: number;
  /** The id of the event that caused this one. */
  readonly parent?: number;
  readonly attrs?: Attrs;
}

/** What an actor says when it records an event. */
export interface EventInput {
  actor: string;
  layer: Layer;
  kind: string;
  attrs?: Attrs;
  parent?: number | undefined;
}

/** A source of the current virtual time. */
export interface TimeSource {
  readonly now: number;
}

/**
 * Records events. With `enabled: false` it still hands out ids (so causal bookkeeping in actors
 * is unchanged) but stores nothing: the benchmark's trace-off mode.
 */
export class Trace {
  readonly enabled: boolean;
  readonly #events: TraceEvent[] = [];
  readonly #time: TimeSource;
  #nextId = 0;

  constructor(time: TimeSource, enabled = true) {
    this.#time = time;
    this.enabled = enabled;
  }

  /** All events recorded so far, in order. */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** The number of events recorded (or, when disabled, that would have been). */
  get length(): number {
    return this.#nextId;
  }

  /** Records a point event and returns its id. */
  instant(e: EventInput): number {
    return this.#push(e, "instant", undefined);
  }

  /** Opens a span and returns its id. */
  begin(e: EventInput): number {
    return this.#push(e, "begin", undefined);
  }

  /** Closes span `span`; actor, layer and kind are those of its begin event. */
  end(span: number, attrs?: Attrs, kind?: string): number {
    const b = this.#events[span];
    if (!this.enabled || !b) return this.#nextId++;
    return this.#push({ actor: b.actor, layer: b.layer, kind: kind ?? b.kind, attrs, parent: b.parent }, "end", span);
  }

  /** The event with id `id`, if recorded. */
  get(id: number): TraceEvent | undefined {
    return this.#events[id];
  }

  /** The chain of causes of event `id`, from the root cause to the event itself. */
  causalChain(id: number): TraceEvent[] {
    const chain: TraceEvent[] = [];
    const seen = new Set<number>();
    let cur = this.#events[id];
    while (cur && !seen.has(cur.id)) {
      chain.push(cur);
      seen.add(cur.id);
      const up = cur.phase === "end" && cur.span !== undefined ? cur.span : cur.parent;
      cur = up === undefined ? undefined : this.#events[up];
    }
    return chain.reverse();
  }

  /** The canonical JSON text of the trace: one event a line, each line ending in `\n`. */
  toJsonl(): string {
    let out = "";
    for (const e of this.#events) out += canonicalEvent(e) + "\n";
    return out;
  }

  /** sha256 (hex) of the canonical JSON lines. */
  hash(): string {
    const h = createHash("sha256");
    for (const e of this.#events) h.update(canonicalEvent(e) + "\n");
    return h.digest("hex");
  }

  #push(e: EventInput, phase: Phase, span: number | undefined): number {
    const id = this.#nextId++;
    if (!this.enabled) return id;
    // Optional fields are added in a fixed order, not spread: no temporary objects per event and
    // few object shapes, with the same keys in the same order.
    const ev: Mutable<TraceEvent> = { id, t: this.#time.now, actor: e.actor, layer: e.layer, kind: e.kind, phase };
    if (span !== undefined) ev.span = span;
    if (e.parent !== undefined && e.parent >= 0) ev.parent = e.parent;
    if (e.attrs !== undefined) ev.attrs = e.attrs;
    this.#events.push(ev);
    return id;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One event as canonical JSON: fixed field order, attribute keys sorted at every depth. */
export function canonicalEvent(e: TraceEvent): string {
  let s = `{"id":${e.id},"t":${num(e.t)},"actor":${JSON.stringify(e.actor)},"layer":"${e.layer}","kind":${JSON.stringify(e.kind)},"phase":"${e.phase}"`;
  if (e.span !== undefined) s += `,"span":${e.span}`;
  if (e.parent !== undefined) s += `,"parent":${e.parent}`;
  if (e.attrs !== undefined) s += `,"attrs":${canonicalJson(e.attrs)}`;
  return s + "}";
}

/** JSON with object keys sorted at every depth; non-finite numbers become null. */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return num(v);
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(String(v));
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Object.is(x, -0) ? 0 : x) : "null";
}
