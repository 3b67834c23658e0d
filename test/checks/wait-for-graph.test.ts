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

  it("reads a cycle from the node that began waiting first", () => {
    // The requester's edge and its request's edge come from one event: log order breaks the tie.
    const log = [add(0, "rollup", "CHAT-1", 1), add(0, "CHAT-1", "data", 1), add(5, "data", "OPS-1", 3), add(5, "OPS-1", "rollup", 3)];
    expect(waitCycles(log)[0]?.nodes).toEqual(["rollup", "CHAT-1", "data", "OPS-1"]);
  });

  it("says how long a cycle held, and that it never broke when the run stalled with it", () => {
    const log = [add(0, "A", "B", 1), add(60_000, "B", "A", 2)];
    expect(noWaitCycle(log, { boundMs: 3_600_000, endMs: 19 * 3_600_000 + 60_000 }).violations[0]?.message).toContain(
      "held for 19h, still held at the end of the run (bound 1h)",
    );
    expect(noWaitCycle(log, { boundMs: 3_600_000, endMs: Infinity }).violations[0]?.message).toContain("never broke");
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
