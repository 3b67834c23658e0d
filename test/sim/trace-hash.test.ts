/**
 * The trace hash covers every field of every event (issue 15): a change to any field of any event
 * (its time, actor, layer, kind, phase, span, parent, or any attribute key or value at any depth)
 * gives a new hash; the same events give the same hash, whatever order attribute keys were
 * written in. Checked on synthetic events of every phase and on one event of every kind the
 * catalog records.
 */
import { describe, expect, it } from "vitest";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { catalog } from "../../src/scenarios/catalog.js";
import { Simulation } from "../../src/sim/simulation.js";
import { Trace, canonicalEvent, type AttrValue, type TraceEvent } from "../../src/sim/trace.js";

type MutableEvent = { -readonly [K in keyof TraceEvent]: TraceEvent[K] };

/** Every way to change one field of `events[i]`, as (label, changed copy of the events). */
function mutations(events: readonly TraceEvent[], i: number): { label: string; events: TraceEvent[] }[] {
  const e = events[i] as TraceEvent;
  const out: { label: string; events: TraceEvent[] }[] = [];
  const withEvent = (label: string, change: (m: MutableEvent) => void): void => {
    const copy = structuredClone(e) as MutableEvent;
    change(copy);
    const all = events.slice();
    all[i] = copy;
    out.push({ label: `event ${i} (${e.kind}/${e.phase}): ${label}`, events: all });
  };
  withEvent("t", (m) => (m.t = m.t + 0.5));
  withEvent("t by one ulp", (m) => (m.t = m.t === 0 ? Number.MIN_VALUE : m.t * (1 + Number.EPSILON)));
  withEvent("actor", (m) => (m.actor = `${m.actor}'`));
  withEvent("layer", (m) => (m.layer = m.layer === "tool" ? "model" : "tool"));
  withEvent("kind", (m) => (m.kind = `${m.kind}.x`));
  withEvent("phase", (m) => (m.phase = m.phase === "instant" ? "begin" : "instant"));
  withEvent(e.span === undefined ? "span added" : "span", (m) => (m.span = e.span === undefined ? 0 : e.span + 1));
  if (e.span !== undefined) withEvent("span dropped", (m) => delete m.span);
  withEvent(e.parent === undefined ? "parent added" : "parent", (m) => (m.parent = e.parent === undefined ? 0 : e.parent + 1));
  if (e.parent !== undefined) withEvent("parent dropped", (m) => delete m.parent);
  if (e.attrs === undefined) withEvent("attrs added", (m) => (m.attrs = {}));
  else {
    withEvent("attrs dropped", (m) => delete m.attrs);
    withEvent("attrs emptied", (m) => (m.attrs = {}));
    withEvent("attr added", (m) => ((m.attrs as Record<string, AttrValue>)["zz-added"] = 1));
    for (const path of leafPaths(e.attrs)) {
      const at = path.join(".");
      withEvent(`attrs.${at} changed`, (m) => setAt(m.attrs as AttrValue, path, changed(getAt(e.attrs as AttrValue, path))));
      if (typeof path.at(-1) === "string") withEvent(`attrs.${at} key renamed`, (m) => renameAt(m.attrs as AttrValue, path));
    }
  }
  return out;
}

/** Paths to every leaf (and every empty container) of a value. */
function leafPaths(v: AttrValue, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length === 0 ? [prefix] : v.flatMap((x, k) => leafPaths(x, [...prefix, k]));
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    return keys.length === 0 ? [prefix] : keys.flatMap((k) => leafPaths(v[k] as AttrValue, [...prefix, k]));
  }
  return [prefix];
}

function getAt(v: AttrValue, path: readonly (string | number)[]): AttrValue {
  let cur: unknown = v;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur as AttrValue;
}

function setAt(root: AttrValue, path: readonly (string | number)[], value: AttrValue): void {
  if (path.length === 0) throw new Error("setAt: empty path");
  const parent = getAt(root, path.slice(0, -1)) as unknown as Record<string | number, AttrValue>;
  parent[path.at(-1) as string | number] = value;
}

function renameAt(root: AttrValue, path: readonly (string | number)[]): void {
  const parent = getAt(root, path.slice(0, -1)) as unknown as Record<string, AttrValue>;
  const key = path.at(-1) as string;
  const value = parent[key] as AttrValue;
  delete parent[key];
  parent[`${key}'`] = value;
}

/** A different value of the same type where there is one (and of another type otherwise). */
function changed(v: AttrValue): AttrValue {
  if (typeof v === "number") return Number.isInteger(v) ? v + 1 : v * (1 + Number.EPSILON) + (v === 0 ? 1e-300 : 0);
  if (typeof v === "string") return v === "" ? " " : v.slice(0, -1) + String.fromCharCode(v.charCodeAt(v.length - 1) ^ 1);
  if (typeof v === "boolean") return !v;
  if (v === null) return 0;
  if (Array.isArray(v)) return [null];
  return { added: null };
}

function expectAllDistinct(events: readonly TraceEvent[], indices: readonly number[]): number {
  const base = Trace.hashOf(events);
  let checked = 0;
  for (const i of indices) {
    for (const m of mutations(events, i)) {
      // A mutation that leaves the canonical form unchanged is no change (e.g. -0 for 0): skip it.
      if (canonicalEvent(m.events[i] as TraceEvent) === canonicalEvent(events[i] as TraceEvent)) continue;
      expect(Trace.hashOf(m.events), m.label).not.toBe(base);
      checked++;
    }
  }
  return checked;
}

describe("the trace hash", () => {
  it("is the same for the same run and for the same events read back, whatever the attribute key order", () => {
    const record = (flip: boolean): Trace => {
      const sim = new Simulation({ seed: 1 });
      const t = sim.trace;
      const a = t.begin({
        actor: "agent",
        layer: "harness",
        kind: "turn",
        attrs: flip ? { b: [1, { y: 2, x: "é" }], a: 0.5 } : { a: 0.5, b: [1, { x: "é", y: 2 }] },
      });
      t.instant({ actor: "tool", layer: "tool", kind: "tool.call", parent: a, attrs: { big: 2 ** 40, neg: -7, s: "日本", none: null } });
      t.end(a, { ok: true });
      return t;
    };
    const one = record(false);
    expect(record(false).hash()).toBe(one.hash());
    expect(record(true).hash()).toBe(one.hash());
    expect(Trace.hashOf(one.events)).toBe(one.hash());
    expect(
      Trace.hashOf(
        one
          .toJsonl()
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l) as TraceEvent),
      ),
    ).toBe(one.hash());
    expect(one.hash()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps an events array a reader holds growing, and decodes equal events once it is dropped", () => {
    const t = new Simulation({ seed: 1 }).trace;
    const held = t.events;
    t.instant({ actor: "a", layer: "sim", kind: "k", attrs: { n: 1 } });
    expect(held).toHaveLength(1);
    expect(t.events).toBe(held);
    expect(t.get(0)).toBe(held[0]);
    expect(held[0]).toEqual({ id: 0, t: 0, actor: "a", layer: "sim", kind: "k", phase: "instant", attrs: { n: 1 } });
  });

  it("reads back attributes across the attribute log's chunks, a 3 MB string among them, and holds at most one spare chunk", () => {
    const t = new Simulation({ seed: 1 }).trace;
    const written: Record<string, AttrValue>[] = [];
    for (let i = 0; i < 40_000; i++) {
      // Sizes that do not divide a chunk, so that some events start in one chunk and end in the next.
      const attrs = { n: i, s: "x".repeat(i % 97), f: i / 7, w: i % 1_000 === 0 ? `ünï€${i}` : "n", ...(i === 20_000 ? { big: "y".repeat(3_000_000) } : {}) };
      written.push(attrs);
      t.instant({ actor: "a", layer: "sim", kind: "k", attrs });
    }
    const events = t.events;
    for (let i = 0; i < written.length; i++) expect(events[i]?.attrs, `event ${i}`).toEqual(written[i]);
    expect(Trace.hashOf(events)).toBe(t.hash());
    const logBytes = written.reduce((n, a) => n + JSON.stringify(a).length, 0);
    // Columns at their doubled capacity, plus a log no larger than its content (under its JSON) and one 1 MiB chunk.
    expect(t.storedBytes).toBeLessThan(65_536 * 34 + logBytes + (1 << 20));
  });

  it("moves an event's attributes whole to a new chunk when they outgrow the one they began in, first event included", () => {
    const t = new Simulation({ seed: 1 }).trace;
    const written: Record<string, AttrValue>[] = [{ s: "a".repeat(2_500_000) }, { n: 1 }, { s: "b".repeat(1_500_000) }, { s: "c".repeat(900) }, { n: 2 }];
    for (const attrs of written) t.instant({ actor: "a", layer: "sim", kind: "k", attrs });
    expect(t.events.map((e) => e.attrs)).toEqual(written);
    expect(Trace.hashOf(t.events)).toBe(t.hash());
    // The strings (one byte a character), columns of one 256-event chunk, and at most one 4 MiB chunk spare.
    expect(t.storedBytes).toBeLessThan(4_000_000 + 256 * 34 + (4 << 20));
  });

  it("closes a span begun many column chunks earlier with its begin event's actor, layer, kind and parent", () => {
    const t = new Simulation({ seed: 1 }).trace;
    const root = t.instant({ actor: "user", layer: "user", kind: "request" });
    const span = t.begin({ actor: "search", layer: "tool", kind: "tool.call", parent: root });
    for (let i = 0; i < 200_000; i++) t.instant({ actor: "a", layer: "sim", kind: "k", attrs: i % 3 ? { i } : undefined });
    const end = t.end(span, { ok: true });
    expect(t.get(end)).toEqual({ id: end, t: 0, actor: "search", layer: "tool", kind: "tool.call", phase: "end", span, parent: root, attrs: { ok: true } });
    expect(t.get(131_001)).toEqual({ id: 131_001, t: 0, actor: "a", layer: "sim", kind: "k", phase: "instant", attrs: { i: 130_999 } });
    expect(Trace.hashOf(t.events)).toBe(t.hash());
  });

  it("can be read mid-run and goes on covering later events", () => {
    const t = new Simulation({ seed: 1 }).trace;
    t.instant({ actor: "a", layer: "sim", kind: "k" });
    const first = t.hash();
    t.instant({ actor: "a", layer: "sim", kind: "k" });
    expect(t.hash()).not.toBe(first);
    expect(Trace.hashOf(t.events)).toBe(t.hash());
  });

  it("changes with every field of every phase of event, attributes at any depth included", () => {
    const sim = new Simulation({ seed: 1 });
    const t = sim.trace;
    const span = t.begin({
      actor: "agent",
      layer: "harness",
      kind: "turn",
      attrs: { id: "r-1", n: 3, x: 0.25, nested: { list: [1, "two", false, null, []], obj: {} } },
    });
    t.instant({ actor: "tool", layer: "tool", kind: "tool.call", parent: span });
    t.instant({ actor: "tool", layer: "tool", kind: "tool.result", parent: span, attrs: { big: 2 ** 40, neg: -5, wide: "日本語", empty: "" } });
    t.end(span, { ok: true });
    const events = t.events;
    const checked = expectAllDistinct(
      events,
      events.map((e) => e.id),
    );
    expect(checked).toBeGreaterThan(60);
  });

  it("changes with every field of one event of every kind the catalog records", async () => {
    let checked = 0;
    const kinds = new Set<string>();
    for (const def of catalog) {
      const loaded = await loadScenarioFile(`scenarios/${def.name}.yaml`);
      if (!loaded.ok) throw new Error(`scenarios/${def.name}.yaml: ${loaded.problems.map((p) => p.message).join("; ")}`);
      const result = await runScenario(toRunConfig(loaded.config));
      const events = result.trace.events;
      expect(Trace.hashOf(events), def.name).toBe(result.traceHash);
      const picked: number[] = [];
      for (const e of events) {
        const key = `${e.kind}/${e.phase}`;
        if (kinds.has(key)) continue;
        kinds.add(key);
        picked.push(e.id);
      }
      // Hash a window around each picked event, not the whole run: the same coverage, a fraction of the time.
      for (const id of picked) {
        const from = Math.max(0, id - 3);
        const window = events
          .slice(0, id + 4)
          .slice(from)
          .map((e, k) => ({ ...e, id: k }) as TraceEvent);
        checked += expectAllDistinct(window, [id - from]);
      }
    }
    expect(kinds.size).toBeGreaterThan(40);
    expect(checked).toBeGreaterThan(500);
  }, 120_000);
});
