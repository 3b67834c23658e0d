/** Which events a text timeline shows. */
import { describe, expect, it } from "vitest";
import { selectTimeline, type TimelineRow } from "../../src/report/timeline.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const events = (n: number): TraceEvent[] => Array.from({ length: n }, (_, id) => ({ id, t: id, actor: "a", layer: "tool", kind: "k", phase: "instant" }));
const ids = (rows: TimelineRow[]): (number | string)[] => rows.map((r) => ("event" in r ? r.event.id : `…${r.elided}`));

describe("selectTimeline", () => {
  it("shows a short trace whole", () => {
    expect(ids(selectTimeline(events(5), new Set(), { limit: 5, head: 1, tail: 1 }))).toEqual([0, 1, 2, 3, 4]);
  });

  it("shows the head, the tail and the focus of a long trace, counting the gaps", () => {
    const rows = selectTimeline(events(20), new Set([7, 8, 15]), { limit: 10, head: 3, tail: 2 });
    expect(ids(rows)).toEqual([0, 1, 2, "…4", 7, 8, "…6", 15, "…2", 18, 19]);
  });

  it("accounts for every event exactly once", () => {
    const rows = selectTimeline(events(1000), new Set([500, 501, 999]), { limit: 80, head: 25, tail: 10 });
    const total = rows.reduce((n, r) => n + ("event" in r ? 1 : r.elided), 0);
    expect(total).toBe(1000);
  });
});
