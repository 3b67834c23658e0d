/** The Chrome Trace Event JSON that Perfetto and chrome://tracing open. */
import { describe, expect, it } from "vitest";
import { renderChrome, type ChromeEvent, type ChromeTrace } from "../../src/report/render-chrome.js";
import { run } from "./runs.js";

async function chrome(params: Record<string, unknown> = {}): Promise<{ doc: ChromeTrace; result: Awaited<ReturnType<typeof run>> }> {
  const result = await run(params);
  return { doc: JSON.parse(renderChrome(result)) as ChromeTrace, result };
}

describe("renderChrome", () => {
  it("gives every event the fields viewers need: ph, ts in microseconds, pid, tid, name", async () => {
    const { doc } = await chrome();
    expect(Array.isArray(doc.traceEvents)).toBe(true);
    for (const e of doc.traceEvents) {
      expect(typeof e.name).toBe("string");
      expect(["X", "i", "M", "s", "f"]).toContain(e.ph);
      expect(e.pid).toBe(1);
      expect(Number.isInteger(e.tid)).toBe(true);
      expect(Number.isFinite(e.ts)).toBe(true);
    }
  });

  it("turns each span into a complete slice with ts and dur in microseconds", async () => {
    const { doc, result } = await chrome();
    const slices = doc.traceEvents.filter((e) => e.ph === "X");
    const begins = result.trace.events.filter((e) => e.phase === "begin");
    expect(slices).toHaveLength(begins.length);
    for (const s of slices) {
      const begin = result.trace.get(s.args!.id as number)!;
      const end = result.trace.events.find((e) => e.phase === "end" && e.span === begin.id)!;
      expect(s.name).toBe(begin.kind);
      expect(s.ts).toBeCloseTo(begin.t * 1000, 2);
      expect(s.dur).toBeCloseTo((end.t - begin.t) * 1000, 2);
    }
  });

  it("names a track per actor, and gives overlapping spans of one actor tracks of their own so slices nest", async () => {
    const { doc, result } = await chrome();
    const names = new Map(doc.traceEvents.filter((e) => e.name === "thread_name").map((e) => [e.tid, e.args!.name as string]));
    for (const actor of new Set(result.trace.events.map((e) => e.actor))) expect([...names.values()]).toContain(actor);
    // The refund tool runs several calls at once: it needs more than one track.
    expect([...names.values()].filter((n) => n.startsWith("refund-tool")).length).toBeGreaterThan(1);
    for (const e of doc.traceEvents.filter((x) => x.ph === "X" || x.ph === "i")) {
      if (e.ph === "i" && e.s === "g") continue;
      const actor = result.trace.get(e.args!.id as number)!.actor;
      expect(names.get(e.tid)?.replace(/ \(\d+\)$/, "")).toBe(actor);
    }
    for (const tid of names.keys()) expect(properlyNested(doc.traceEvents.filter((e) => e.ph === "X" && e.tid === tid))).toBe(true);
    // Nesting means causation: a slice inside another on one track was caused by it.
    for (const tid of names.keys()) {
      const slices = doc.traceEvents.filter((e) => e.ph === "X" && e.tid === tid);
      for (const inner of slices) {
        for (const outer of slices) {
          if (outer === inner || !(outer.ts < inner.ts && inner.ts < outer.ts + outer.dur!)) continue;
          const chain = result.trace.causalChain(inner.args!.id as number).map((e) => e.id);
          expect(chain).toContain(outer.args!.id);
        }
      }
    }
  });

  it("draws every causal link as a flow from the cause's track to the effect's", async () => {
    const { doc, result } = await chrome();
    const starts = doc.traceEvents.filter((e) => e.ph === "s");
    const finishes = new Map(doc.traceEvents.filter((e) => e.ph === "f").map((e) => [e.id, e]));
    const linked = result.trace.events.filter((e) => e.phase !== "end" && e.parent !== undefined);
    expect(starts).toHaveLength(linked.length);
    for (const s of starts) {
      const f = finishes.get(s.id)!;
      expect(f.bp).toBe("e");
      const effect = result.trace.get(s.id!)!;
      const cause = result.trace.get(effect.parent!)!;
      expect(s.ts).toBeCloseTo(cause.t * 1000, 2);
      expect(f.ts).toBeCloseTo(effect.t * 1000, 2);
    }
  });

  it("marks each violation as a global instant at the time it broke", async () => {
    const { doc, result } = await chrome();
    const marks = doc.traceEvents.filter((e) => e.cat === "violation");
    expect(marks.map((m) => [m.ph, m.s, m.name])).toEqual(result.violations.map((v) => ["i", "g", `violation: ${v.invariant}`]));
    for (const [i, m] of marks.entries()) expect(m.ts).toBeCloseTo(result.violations[i]!.at * 1000, 2);
  });

  it("ends spans still open at the horizon where the run stopped", async () => {
    const result = await run({ tool: { latency: "20m", timeout: "1h" } });
    expect(result.outcome.status).toBe("horizon");
    const doc = JSON.parse(renderChrome(result)) as ChromeTrace;
    const open = doc.traceEvents.filter((e) => e.ph === "X" && e.args?.unfinished);
    expect(open.length).toBeGreaterThan(0);
    for (const s of open) expect(s.ts + s.dur!).toBeCloseTo(result.outcome.now * 1000, 2);
  });
});

/** Slices on one track nest: each starts after the enclosing one starts and ends before it ends. */
function properlyNested(slices: ChromeEvent[]): boolean {
  const sorted = [...slices].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const stack: number[] = [];
  for (const s of sorted) {
    while (stack.length && stack.at(-1)! <= s.ts + 1e-6) stack.pop();
    const end = s.ts + s.dur!;
    if (stack.length && end > stack.at(-1)! + 1e-6) return false;
    stack.push(end);
  }
  return true;
}
