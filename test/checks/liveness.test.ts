import { describe, expect, it } from "vitest";
import { finishesWithin, type WorkItem } from "../../src/checks/liveness.js";

const HOUR = 3_600_000;
const item = (name: string, startedAt: number, finishedAt?: number): WorkItem => ({
  name,
  startedAt,
  ...(finishedAt !== undefined ? { finishedAt } : {}),
  boundMs: 4 * HOUR,
  startEvent: startedAt,
  lastEvent: finishedAt ?? startedAt + 1,
});

describe("finishesWithin", () => {
  it("passes work that finished in time and flags work that finished late, dated at start + bound", () => {
    const v = finishesWithin([item("wf-1", 0, 3 * HOUR), item("wf-2", HOUR, 7 * HOUR)], { invariant: "workflow-liveness", endMs: 10 * HOUR, stalled: false });
    expect(v.invariant).toBe("workflow-liveness");
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]).toMatchObject({ at: 5 * HOUR, message: "wf-2 took 6h, over its 4h SLA", evidence: [HOUR, 7 * HOUR] });
  });

  it("counts unfinished work to the end of the run: young work is not yet late", () => {
    const v = finishesWithin([item("wf-1", 0), item("wf-2", 8 * HOUR)], { endMs: 10 * HOUR, stalled: false });
    expect(v.violations.map((x) => x.message)).toEqual(["wf-1 had not finished after 10h, at the end of the run, over its 4h SLA"]);
  });

  it("flags all unfinished work when the run stalled, however young: it can never finish", () => {
    const v = finishesWithin([item("wf-2", 8 * HOUR)], { endMs: 10 * HOUR, stalled: true });
    expect(v.violations[0]?.message).toMatch(/^wf-2 never finished: stuck for 2h when the run stalled at \+10:00:00\.000/);
    expect(v.violations[0]?.at).toBe(12 * HOUR);
  });

  it("appends the item's detail", () => {
    const v = finishesWithin([{ ...item("wf-1", 0, 5 * HOUR), detail: "CHAT-1 waited 4h for Priya" }], { endMs: 10 * HOUR, stalled: false });
    expect(v.violations[0]?.message).toBe("wf-1 took 5h, over its 4h SLA; CHAT-1 waited 4h for Priya");
  });
});
