/**
 * The unified trace: one clock, one id space, causal links across every layer of an agent system.
 *
 * Every event carries virtual time, actor, layer, kind, phase, and the id of its causal parent.
 * A span is a `begin` event and its `end`; the span's id is its begin event's id, so causal links
 * point at events whatever their phase. The trace serializes to canonical JSON lines (fixed key
 * order, attribute keys sorted).
 *
 * In memory the trace is compact (issue 17): numeric columns in typed arrays, actor, layer and kind
 * strings interned, and attributes encoded as they are recorded into one byte log (a canonical
 * binary form: attribute keys sorted at every depth, keys interned, integers as varints). Events
 * are decoded back into `TraceEvent` objects only when read. A run's trace hash is the sha256 of
 * that encoding (its string table, its columns and its attribute log), so it covers every field of
 * every event without re-serializing the trace to JSON.
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
  readonly #time: TimeSource;
  #nextId = 0;
  /** Events stored (equals `#nextId` when enabled). */
  #n = 0;
  /** The columns, in chunks (see `ColumnChunk`): growing copies nothing, and at most one chunk is spare. */
  readonly #chunks: ColumnChunk[] = [columnChunk(INITIAL)];
  /** The last chunk, where events are recorded, and the index of its first event. */
  #cur = this.#chunks[0] as ColumnChunk;
  #base = 0;
  /** The attribute log: every event's attributes, encoded, one after another. */
  readonly #log = new AttrLog();
  /** Interned strings (actors, kinds, attribute keys), in order of first use. */
  readonly #strings: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #layers: string[] = [];
  readonly #layerIds = new Map<string, number>();
  /** Decoded events, kept while a reader holds them (decoded again after a collection, identical in content). */
  #decoded: WeakRef<TraceEvent[]> | undefined;
  #hashed = -1;
  #hash = "";

  constructor(time: TimeSource, enabled = true) {
    this.#time = time;
    this.enabled = enabled;
  }

  /**
   * All events recorded so far, in order, decoded from the compact store. The array is shared
   * while someone holds it (and grows as events are recorded); once nobody does, it is collected
   * and the next read decodes afresh (equal events, new objects).
   */
  get events(): readonly TraceEvent[] {
    let arr = this.#decoded?.deref();
    if (arr === undefined) {
      arr = [];
      this.#decoded = new WeakRef(arr);
    }
    for (let i = arr.length; i < this.#n; i++) arr.push(this.#decode(i));
    return arr;
  }

  /** The number of events recorded (or, when disabled, that would have been). */
  get length(): number {
    return this.#nextId;
  }

  /** Records a point event and returns its id. */
  instant(e: EventInput): number {
    return this.#push(e.actor, e.layer, e.kind, 2, -1, e.parent, e.attrs);
  }

  /** Opens a span and returns its id. */
  begin(e: EventInput): number {
    return this.#push(e.actor, e.layer, e.kind, 0, -1, e.parent, e.attrs);
  }

  /** Closes span `span`; actor, layer and kind are those of its begin event. */
  end(span: number, attrs?: Attrs, kind?: string): number {
    if (!this.enabled || !(span >= 0 && span < this.#n)) return this.#nextId++;
    const c = chunkOf(span);
    const k = this.#chunks[c] as ColumnChunk;
    const j = span - chunkStart(c);
    const parent = k.parent[j] as number;
    const kindName = kind ?? (this.#strings[k.kind[j] as number] as string);
    const actor = this.#strings[k.actor[j] as number] as string;
    const layer = this.#layers[(k.lp[j] as number) >> 2] as Layer;
    return this.#push(actor, layer, kindName, 1, span, parent, attrs);
  }

  /** The event with id `id`, if recorded. */
  get(id: number): TraceEvent | undefined {
    if (!(id >= 0 && id < this.#n) || !Number.isInteger(id)) return undefined;
    const cached = this.#decoded?.deref();
    return cached !== undefined && id < cached.length ? cached[id] : this.#decode(id);
  }

  /** The chain of causes of event `id`, from the root cause to the event itself. */
  causalChain(id: number): TraceEvent[] {
    const chain: TraceEvent[] = [];
    const seen = new Set<number>();
    let cur = this.get(id);
    while (cur && !seen.has(cur.id)) {
      chain.push(cur);
      seen.add(cur.id);
      const up = cur.phase === "end" && cur.span !== undefined ? cur.span : cur.parent;
      cur = up === undefined ? undefined : this.get(up);
    }
    return chain.reverse();
  }

  /** The canonical JSON text of the trace: one event a line, each line ending in `\n`. */
  toJsonl(): string {
    let out = "";
    for (let i = 0; i < this.#n; i++) out += canonicalEvent(this.#decode(i)) + "\n";
    return out;
  }

  /**
   * sha256 (hex) of the trace's canonical binary encoding: its string tables, every column of every
   * event and the attribute log. Same events, same hash; any field of any event changed, a new hash.
   */
  hash(): string {
    if (this.#hashed === this.#n) return this.#hash;
    const n = this.#n;
    const h = createHash("sha256");
    const head = new ByteLog();
    head.ascii(HASH_VERSION);
    head.varint(n);
    head.varint(this.#strings.length);
    for (const s of this.#strings) head.string(s);
    head.varint(this.#layers.length);
    for (const s of this.#layers) head.string(s);
    h.update(head.view());
    // Each column whole, one after another (its chunks in order), as when each was one array.
    for (const column of COLUMNS) {
      for (let c = 0, start = 0; start < n; start += (this.#chunks[c] as ColumnChunk).t.length, c++) {
        const k = this.#chunks[c] as ColumnChunk;
        h.update(bytesOf(k[column], Math.min(k.t.length, n - start)));
      }
    }
    this.#log.forEachChunk((c) => h.update(c));
    this.#hash = h.digest("hex");
    this.#hashed = n;
    return this.#hash;
  }

  /**
   * The trace hash of events read back (from `toJsonl`'s lines, say): equal to the hash of the
   * trace they came from, so an exported trace can be checked against a run's hash.
   */
  static hashOf(events: Iterable<TraceEvent>): string {
    const clock = { now: 0 };
    const t = new Trace(clock);
    for (const e of events) {
      if (e.id !== t.#n) throw new Error(`Trace.hashOf: event ids must run 0, 1, 2, ...; got ${e.id} at position ${t.#n}`);
      clock.now = e.t;
      const phase = PHASES.indexOf(e.phase);
      if (phase < 0) throw new Error(`Trace.hashOf: event ${e.id} has unknown phase ${JSON.stringify(e.phase)}`);
      t.#push(e.actor, e.layer, e.kind, phase, e.span ?? -1, e.parent, e.attrs);
    }
    return t.hash();
  }

  /** Bytes the compact store holds (columns at capacity, the attribute log, string tables aside). */
  get storedBytes(): number {
    return (this.#base + this.#cur.t.length) * BYTES_PER_EVENT + this.#log.capacity;
  }

  #push(actor: string, layer: Layer, kind: string, phase: number, span: number, parent: number | undefined, attrs: Attrs | undefined): number {
    const id = this.#nextId++;
    if (!this.enabled) return id;
    const i = this.#n++;
    if (i === this.#base + this.#cur.t.length) this.#grow();
    const k = this.#cur;
    const j = i - this.#base;
    k.t[j] = this.#time.now;
    k.actor[j] = this.#intern(actor);
    k.kind[j] = this.#intern(kind);
    let l = this.#layerIds.get(layer);
    if (l === undefined) {
      l = this.#layers.length;
      if (l >= 1 << 14) throw new Error("trace: too many distinct layers");
      this.#layers.push(layer);
      this.#layerIds.set(layer, l);
    }
    k.lp[j] = l * 4 + phase;
    k.span[j] = span;
    k.parent[j] = parent !== undefined && parent >= 0 ? parent : -1;
    if (attrs !== undefined) {
      this.#log.beginEvent();
      this.#writeValue(attrs);
    }
    k.attrEnd[j] = this.#log.end;
    // A reader holding the events array sees it grow, as it did when the trace was that array.
    if (this.#decoded !== undefined) {
      const held = this.#decoded.deref();
      if (held !== undefined && held.length === i) held.push(this.#decode(i));
    }
    return id;
  }

  #intern(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#strings.length;
      this.#strings.push(s);
      this.#ids.set(s, id);
    }
    return id;
  }

  /** Appends a value's canonical encoding to the attribute log (as `canonicalJson` reads it: object keys sorted, undefined members dropped). */
  #writeValue(v: unknown): void {
    const log = this.#log;
    if (v === null || v === undefined) log.byte(TAG_NULL);
    else if (typeof v === "number") log.number(v);
    else if (typeof v === "string") log.string(v, TAG_STRING);
    else if (typeof v === "boolean") log.byte(v ? TAG_TRUE : TAG_FALSE);
    else if (Array.isArray(v)) {
      log.byte(TAG_ARRAY);
      log.varint(v.length);
      for (let k = 0; k < v.length; k++) this.#writeValue(v[k]);
    } else if (typeof v === "object") {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      // Insertion sort: attribute objects have a handful of keys.
      let count = 0;
      for (let a = 0; a < keys.length; a++) {
        const key = keys[a] as string;
        if (o[key] === undefined) continue;
        let b = count++;
        while (b > 0 && (keys[b - 1] as string) > key) {
          keys[b] = keys[b - 1] as string;
          b--;
        }
        keys[b] = key;
      }
      log.byte(TAG_OBJECT);
      log.varint(count);
      for (let k = 0; k < count; k++) {
        const key = keys[k] as string;
        log.varint(this.#intern(key));
        this.#writeValue(o[key]);
      }
    } else log.string(String(v), TAG_STRING);
  }

  #decode(i: number): TraceEvent {
    const c = chunkOf(i);
    const k = this.#chunks[c] as ColumnChunk;
    const j = i - chunkStart(c);
    const lp = k.lp[j] as number;
    const ev: Mutable<TraceEvent> = {
      id: i,
      t: k.t[j] as number,
      actor: this.#strings[k.actor[j] as number] as string,
      layer: this.#layers[lp >> 2] as Layer,
      kind: this.#strings[k.kind[j] as number] as string,
      phase: PHASES[lp & 3] as Phase,
    };
    const span = k.span[j] as number;
    if (span >= 0) ev.span = span;
    const parent = k.parent[j] as number;
    if (parent >= 0) ev.parent = parent;
    const from =
      i === 0 ? 0 : j > 0 ? (k.attrEnd[j - 1] as number) : ((this.#chunks[c - 1] as ColumnChunk).attrEnd[chunkStart(c) - chunkStart(c - 1) - 1] as number);
    const to = k.attrEnd[j] as number;
    if (to > from) {
      const r = new ByteReader(this.#log.range(from, to), 0, this.#strings);
      ev.attrs = r.value() as Attrs;
    }
    return ev;
  }

  #grow(): void {
    this.#base += this.#cur.t.length;
    this.#cur = columnChunk(Math.min(MAX_COLUMN_CHUNK, this.#cur.t.length * 2));
    this.#chunks.push(this.#cur);
  }
}

/** Changes whenever the encoding does, so hashes of two encodings never compare equal by accident. */
const HASH_VERSION = "agentsim-trace/2\n";
const INITIAL = 256;
/** Bytes per event in the columns: t 8, actor 4, kind 4, layer+phase 2, span 4, parent 4, attribute end 8. */
const BYTES_PER_EVENT = 34;
const PHASES: readonly Phase[] = ["begin", "end", "instant"];

const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_INT = 3;
const TAG_FLOAT = 4;
const TAG_STRING = 5;
const TAG_ARRAY = 6;
const TAG_OBJECT = 7;
/** A string whose code units all fit a byte (one byte each); TAG_STRING holds two bytes a unit. */
const TAG_LATIN1 = 8;

/**
 * A run of events' columns: time, intern ids of actor and kind, layer index times 4 plus phase
 * index, span of an end event (or -1), causal parent (or -1), and the end offset of each event's
 * attributes in the attribute log (its start: the previous event's end; equal ends, no attributes).
 * The first chunk holds `INITIAL` events, each next one twice the last, up to `MAX_COLUMN_CHUNK`.
 */
interface ColumnChunk {
  t: Float64Array;
  actor: Int32Array;
  kind: Int32Array;
  lp: Uint16Array;
  span: Int32Array;
  parent: Int32Array;
  attrEnd: Float64Array;
}

/** The columns in the order the hash covers them. */
const COLUMNS = ["t", "actor", "kind", "lp", "span", "parent", "attrEnd"] as const;

/** Events in the largest column chunk. */
const MAX_COLUMN_CHUNK = 1 << 16;
/** How many column chunks double (INITIAL to MAX_COLUMN_CHUNK), and the first event after them. */
const DOUBLING_COLUMN_CHUNKS = Math.log2(MAX_COLUMN_CHUNK / INITIAL) + 1;
const DOUBLING_COLUMNS_END = INITIAL * (2 ** DOUBLING_COLUMN_CHUNKS - 1);

function columnChunk(n: number): ColumnChunk {
  return {
    t: new Float64Array(n),
    actor: new Int32Array(n),
    kind: new Int32Array(n),
    lp: new Uint16Array(n),
    span: new Int32Array(n),
    parent: new Int32Array(n),
    attrEnd: new Float64Array(n),
  };
}

/** The chunk that holds event `i`. */
function chunkOf(i: number): number {
  // Chunk c < DOUBLING_COLUMN_CHUNKS starts at INITIAL * (2^c - 1): floor(i / INITIAL) + 1 is in [2^c, 2^(c+1)).
  if (i < DOUBLING_COLUMNS_END) return 31 - Math.clz32(Math.floor(i / INITIAL) + 1);
  return DOUBLING_COLUMN_CHUNKS + Math.floor((i - DOUBLING_COLUMNS_END) / MAX_COLUMN_CHUNK);
}

/** The first event of chunk `c`. */
function chunkStart(c: number): number {
  if (c < DOUBLING_COLUMN_CHUNKS) return INITIAL * (2 ** c - 1);
  return DOUBLING_COLUMNS_END + (c - DOUBLING_COLUMN_CHUNKS) * MAX_COLUMN_CHUNK;
}

function bytesOf(a: Float64Array | Int32Array | Uint16Array, n: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
}

/** The attribute log's first chunk (bytes), and its largest (unless one event needs more). */
const FIRST_CHUNK = 1 << 10;
const MAX_CHUNK = 1 << 20;

/** A growable byte buffer with the encoding's writers (little-endian; varints are LEB128). */
class ByteLog {
  /** 1 KiB to start with (the attribute log's first chunk too). */
  bytes = new Uint8Array(FIRST_CHUNK);
  #view = new DataView(this.bytes.buffer);
  length = 0;

  get capacity(): number {
    return this.bytes.length;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  #ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    this.grow(need);
  }

  /** Makes room for `need` bytes in all: a buffer twice as large, or larger, with the bytes so far. */
  protected grow(need: number): void {
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.length));
    this.replace(b, this.length);
  }

  /** Writes on in `b`, from `length`. */
  protected replace(b: Uint8Array<ArrayBuffer>, length: number): void {
    this.bytes = b;
    this.#view = new DataView(b.buffer);
    this.length = length;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) this.#ensure(1);
    this.bytes[this.length++] = b;
  }

  /** A non-negative integer below 2^53. */
  varint(x: number): void {
    this.#ensure(8);
    const bytes = this.bytes;
    let p = this.length;
    while (x >= 0x80) {
      bytes[p++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    bytes[p++] = x;
    this.length = p;
  }

  /** A number as canonical JSON reads it: -0 is 0, and a non-finite number is null. */
  number(x: number): void {
    if (!Number.isFinite(x)) this.byte(TAG_NULL);
    else if (Number.isInteger(x) && x <= 0x7fffffff && x >= -0x80000000) {
      if (x === 0) x = 0;
      this.byte(TAG_INT);
      this.varint(x >= 0 ? x * 2 : -x * 2 - 1);
    } else {
      this.#ensure(9);
      this.bytes[this.length] = TAG_FLOAT;
      this.#view.setFloat64(this.length + 1, x, true);
      this.length += 9;
    }
  }

  /** A string: a tag (`TAG_LATIN1` when every code unit fits a byte), its length in code units, the units. */
  string(s: string, wide: number = TAG_STRING): void {
    const n = s.length;
    let narrow = true;
    for (let k = 0; k < n; k++) {
      if (s.charCodeAt(k) > 0xff) {
        narrow = false;
        break;
      }
    }
    this.byte(narrow ? TAG_LATIN1 : wide);
    this.varint(n);
    this.#ensure(narrow ? n : 2 * n);
    const bytes = this.bytes;
    let p = this.length;
    if (narrow) {
      for (let k = 0; k < n; k++) bytes[p++] = s.charCodeAt(k);
    } else {
      for (let k = 0; k < n; k++) {
        const c = s.charCodeAt(k);
        bytes[p++] = c & 0xff;
        bytes[p++] = c >> 8;
      }
    }
    this.length = p;
  }

  ascii(s: string): void {
    this.string(s);
  }
}

/**
 * The attribute log: events' encoded attributes, one after another, at offsets that run on
 * without gaps (`end`), stored in chunks (1 KiB doubling to 1 MiB). An event's bytes always lie in
 * one chunk: one that does not fit where it began moves, whole, to the next chunk (the rest of the
 * old chunk stays unused). So growing copies at most one event, the spare capacity is at most one
 * chunk (a doubling buffer holds up to as much as it uses, and needs both copies while it grows),
 * and reading an event's bytes is a view.
 */
class AttrLog extends ByteLog {
  /** Full chunks, each cut to the bytes it holds, and the offset of each one's first byte. */
  readonly #full: Uint8Array[] = [];
  readonly #fullStarts: number[] = [];
  /** The offset of the current chunk's first byte, and where in it the event being written began. */
  #base = 0;
  #eventStart = 0;
  #fullCapacity = 0;

  /** The offset after the last byte written. */
  get end(): number {
    return this.#base + this.length;
  }

  override get capacity(): number {
    return this.#fullCapacity + this.bytes.length;
  }

  /** Marks the start of an event's bytes, which stay together in one chunk. */
  beginEvent(): void {
    this.#eventStart = this.length;
  }

  protected override grow(need: number): void {
    const moving = this.length - this.#eventStart;
    const old = this.bytes;
    // A chunk that one event outgrew from its first byte holds nothing: it is dropped.
    if (this.#eventStart > 0) {
      this.#full.push(old.subarray(0, this.#eventStart));
      this.#fullStarts.push(this.#base);
      this.#fullCapacity += old.length;
      this.#base += this.#eventStart;
    }
    let cap = Math.min(MAX_CHUNK, old.length * 2);
    while (cap < need - this.#eventStart) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(old.subarray(this.#eventStart, this.length));
    this.#eventStart = 0;
    this.replace(b, moving);
  }

  /** The bytes from offset `from` to `to`, which one event wrote (a view). */
  range(from: number, to: number): Uint8Array {
    if (from >= this.#base) return this.bytes.subarray(from - this.#base, to - this.#base);
    const starts = this.#fullStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= from) lo = mid;
      else hi = mid - 1;
    }
    const start = starts[lo] as number;
    return (this.#full[lo] as Uint8Array).subarray(from - start, to - start);
  }

  /** Calls `f` with each chunk's bytes, in order: together, the whole log. */
  forEachChunk(f: (bytes: Uint8Array) => void): void {
    for (const c of this.#full) f(c);
    f(this.bytes.subarray(0, this.length));
  }
}

/** Reads values back from the attribute log. */
class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #strings: readonly string[];
  #p: number;

  constructor(bytes: Uint8Array, at: number, strings: readonly string[]) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#strings = strings;
    this.#p = at;
  }

  #varint(): number {
    const bytes = this.#bytes;
    let x = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[this.#p++] as number;
      x += (b & 0x7f) * scale;
      if (b < 0x80) return x;
      scale *= 0x80;
    }
  }

  value(): AttrValue {
    const tag = this.#bytes[this.#p++] as number;
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT: {
        const z = this.#varint();
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      case TAG_FLOAT: {
        const x = this.#view.getFloat64(this.#p, true);
        this.#p += 8;
        return x;
      }
      case TAG_LATIN1:
      case TAG_STRING: {
        const n = this.#varint();
        const from = this.#p;
        let s = "";
        if (tag === TAG_LATIN1) {
          for (let k = 0; k < n; k += 4096)
            s += String.fromCharCode.apply(null, this.#bytes.subarray(from + k, from + Math.min(n, k + 4096)) as unknown as number[]);
          this.#p += n;
        } else {
          const units = new Uint16Array(n);
          for (let k = 0; k < n; k++) units[k] = (this.#bytes[from + 2 * k] as number) | ((this.#bytes[from + 2 * k + 1] as number) << 8);
          for (let k = 0; k < n; k += 4096) s += String.fromCharCode.apply(null, units.subarray(k, Math.min(n, k + 4096)) as unknown as number[]);
          this.#p += 2 * n;
        }
        return s;
      }
      case TAG_ARRAY: {
        const n = this.#varint();
        const out: AttrValue[] = new Array(n);
        for (let k = 0; k < n; k++) out[k] = this.value();
        return out;
      }
      case TAG_OBJECT: {
        const n = this.#varint();
        const out: { [key: string]: AttrValue } = {};
        for (let k = 0; k < n; k++) {
          const key = this.#strings[this.#varint()] as string;
          out[key] = this.value();
        }
        return out;
      }
      default:
        throw new Error(`trace: corrupt attribute log (tag ${tag})`);
    }
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
