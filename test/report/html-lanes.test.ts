/** The swimlane layout: rows for overlapping spans, lanes per actor, grouping and budgets for large traces. */
import { describe, expect, it } from "vitest";
import { DEFAULT_LANE_LIMITS, layoutLanes, type LaneFocus } from "../../src/report/html/lane-layout.js";
import { handRun } from "./html-fixtures.js";

const none: LaneFocus = { ids: new Set(), times: [] };

describe("layoutLanes", () => {
  it("puts overlapping spans of one actor on separate rows and reuses a row once it is free", () => {
    let commit = -1;
    const { trace, outcome } = handRun((t, clock) => {
      const a = t.begin({ actor: "tool", layer: "tool", kind: "call" }); // 0..100
      clock.now = 10;
      const b = t.begin({ actor: "tool", layer: "tool", kind: "call" }); // 10..50
      clock.now = 50;
      t.end(b);
      clock.now = 60;
      const c = t.begin({ actor: "tool", layer: "tool", kind: "call" }); // 60..70, fits where b was
      commit = t.instant({ actor: "tool", layer: "store", kind: "commit", parent: c });
      clock.now = 70;
      t.end(c);
      clock.now = 100;
      t.end(a);
    });
    const lane = layoutLanes(trace.events, none, outcome.now).lanes[0]!;
    expect(lane.spans.map((s) => [s.t0, s.t1, s.row])).toEqual([
      [0, 100, 0],
      [10, 50, 1],
      [60, 70, 1],
    ]);
    expect(lane.rows).toBe(2);
    expect(lane.ticks).toEqual([{ id: commit, t: 60, row: 1, layer: "store", kind: "commit" }]);
  });

  it("ends a span still open when the run stopped at the stop time, marked open", () => {
    const { trace } = handRun((t, clock) => {
      t.begin({ actor: "human", layer: "human", kind: "review" });
      clock.now = 5;
    });
    const [bar] = layoutLanes(trace.events, none, 3_600_000).lanes[0]!.spans;
    expect(bar).toMatchObject({ t0: 0, t1: 3_600_000, open: true });
  });

  it("gives actors on the causal chains lanes of their own and groups the rest by name with digits masked", () => {
    let focusId = -1;
    const { trace, outcome } = handRun((t, clock) => {
      for (let w = 0; w < 60; w++) {
        clock.now = w;
        const s = t.begin({ actor: `worker-${w}`, layer: "harness", kind: "task" });
        if (w === 17) focusId = s;
        t.end(s);
      }
      t.instant({ actor: "provider", layer: "model", kind: "overloaded" });
    });
    const model = layoutLanes(trace.events, { ids: new Set([focusId]), times: [17] }, outcome.now, { ...DEFAULT_LANE_LIMITS, maxLanes: 10 });
    expect(model.lanes.map((l) => [l.title, l.actors])).toEqual([
      ["worker-#", 59],
      ["worker-17", 1],
      ["provider", 1],
    ]);
    const group = model.lanes[0]!;
    expect(group.spans).toEqual([]);
    expect(group.density.reduce((n, b) => n + b.count, 0)).toBe(59);
    expect(model.places.has(focusId)).toBe(true);
    expect(model.notes).toContain("worker-#: 59 actors drawn as one lane of event density (59 spans and instants)");
  });

  it("past a lane's budget draws the causal chain and the events nearest the violation, and counts the rest as density", () => {
    let chainId = -1;
    const { trace, outcome } = handRun((t, clock) => {
      for (let i = 0; i < 1_000; i++) {
        clock.now = i * 10;
        const s = t.begin({ actor: "llm", layer: "model", kind: "call" });
        if (i === 3) chainId = s;
        clock.now = i * 10 + 5;
        t.end(s);
      }
    });
    const limits = { ...DEFAULT_LANE_LIMITS, maxItemsPerLane: 100 };
    const lane = layoutLanes(trace.events, { ids: new Set([chainId]), times: [8_000] }, outcome.now, limits).lanes[0]!;
    expect(lane.spans.length).toBe(100);
    expect(lane.spans.some((s) => s.id === chainId)).toBe(true);
    const others = lane.spans.filter((s) => s.id !== chainId).map((s) => s.t0);
    expect(Math.max(...others.map((t) => Math.abs(t - 8_000)))).toBeLessThanOrEqual(500);
    expect(lane.elided).toBe(900);
    expect(lane.density.reduce((n, b) => n + b.count, 0)).toBe(900);
  });

  it("keeps within the total budget across lanes and says so", () => {
    const { trace, outcome } = handRun((t, clock) => {
      for (const actor of ["a", "b", "c"]) {
        for (let i = 0; i < 50; i++) {
          clock.now += 1;
          t.instant({ actor, layer: "tool", kind: "ping" });
        }
      }
    });
    const model = layoutLanes(trace.events, none, outcome.now, { ...DEFAULT_LANE_LIMITS, maxItems: 120 });
    expect(model.drawn).toBe(120);
    expect(model.total).toBe(150);
    expect(model.lanes.map((l) => l.ticks.length)).toEqual([50, 50, 20]);
    expect(model.notes).toEqual(["c: 30 of 50 spans and instants drawn as density; drawn one by one: the causal chains and the events nearest the violations"]);
  });
});
