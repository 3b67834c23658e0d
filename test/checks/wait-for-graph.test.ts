import { describe, expect, it } from "vitest";
import { findCycle, noWaitCycle, waitCycles, type WaitEdgeEvent } from "../../src/checks/wait-for-graph.js";

const add = (t: number, from: string, to: string, eventId: number): WaitEdgeEvent => ({ t, op: "add", from, to, eventId });
const remove = (t: number, from: string, to: string, eventId: number): WaitEdgeEvent => ({ t, op: "remove", from, to, eventId });

describe("wait-for graph", () => {
  it("finds a cycle through humans and none in a chain", () => {
    const g = new Map([
      ["agent-A", new Set(["alice"])],
      ["alice", new Set(["agent-B"])],
      ["agent-B", new Set(["bob"])],
      ["bob", new Set(["agent-A"])],
    ]);
    expect(findCycle(g)).toEqual(["agent-A", "alice", "agent-B", "bob"]);
    g.get("bob")?.delete("agent-A");
    expect(findCycle(g)).toBeUndefined();
  });

  it("records when a cycle formed and broke", () => {
    const log = [add(10, "A", "B", 1), add(20, "B", "A", 2), remove(50, "A", "B", 3)];
    const cycles = waitCycles(log);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ formedAt: 20, brokenAt: 50 });
    expect(cycles[0]?.evidence).toEqual([1, 2, 3]);
  });

  it("flags a cycle held past the bound, and not one broken in time", () => {
    const log = [add(0, "A", "B", 1), add(60_000, "B", "A", 2)];
    const held = noWaitCycle(log, { boundMs: 3_600_000, endMs: 19 * 3_600_000 });
    expect(held.held).toBe(false);
    expect(held.violations[0]?.at).toBe(60_000 + 3_600_000);
    expect(held.violations[0]?.message).toContain("A -> B -> A");
    const broken = noWaitCycle([...log, remove(120_000, "B", "A", 3)], { boundMs: 3_600_000, endMs: 19 * 3_600_000 });
    expect(broken.held).toBe(true);
  });
});
