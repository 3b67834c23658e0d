import { describe, expect, it } from "vitest";
import { ApprovalQueue } from "../../src/actors/approval-queue.js";
import { approvalWaitEdges } from "../../src/checks/approval-wait-edges.js";
import { noWaitCycle, waitCycles, type WaitEdgeEvent } from "../../src/checks/wait-for-graph.js";
import { Simulation } from "../../src/sim/simulation.js";

/** Two queues with their watchers registered (no reviewer processes: the test drives them). */
function world(escalate = false) {
  const sim = new Simulation({ seed: 1 });
  const onCall = new ApprovalQueue(sim, { name: "on-call", kind: "ticket" });
  const chat = new ApprovalQueue(sim, { name: "chat", kind: "chat", ...(escalate ? { escalation: { after: "30m", to: onCall } } : {}) });
  const tickets = new ApprovalQueue(sim, { name: "tickets", kind: "ticket" });
  chat.watch("Priya", () => {});
  tickets.watch("Marcus", () => {});
  onCall.watch("Sam", () => {});
  const watchers = new Map([chat, tickets, onCall].map((q) => [q.name, q.watchers] as const));
  const edges = (): string[] => approvalWaitEdges(sim.trace.events, { watchers }).map(show);
  return { sim, chat, tickets, onCall, watchers, edges };
}

const show = (e: WaitEdgeEvent): string => `${e.op === "add" ? "+" : "-"} ${e.from} -> ${e.to}`;

describe("approvalWaitEdges", () => {
  it("a request waits on its target and its queue's watchers; the taker alone once seen; its target alone once approved; nothing once answered", () => {
    const { sim, chat, edges } = world();
    chat.submit({ id: "CHAT-1", from: "A", waitsFor: "B", subject: "data" });
    chat.take("CHAT-1", "Priya");
    const decided = chat.decide("CHAT-1", "Priya", true);
    sim.trace.instant({ actor: "B", layer: "harness", kind: "request.answered", parent: decided?.eventId, attrs: { request: "CHAT-1" } });
    expect(edges()).toEqual(["+ A -> CHAT-1", "+ CHAT-1 -> B", "+ CHAT-1 -> Priya", "- CHAT-1 -> Priya", "- CHAT-1 -> B", "- A -> CHAT-1"]);
  });

  it("a rejected or withdrawn request ends its requester's wait at once", () => {
    const { chat, tickets, edges } = world();
    chat.submit({ id: "CHAT-1", from: "A", waitsFor: "B", subject: "data" });
    chat.take("CHAT-1", "Priya");
    chat.decide("CHAT-1", "Priya", false);
    tickets.submit({ id: "OPS-1", from: "B", waitsFor: "A", subject: "context" });
    tickets.withdraw("OPS-1", "detector", "deadlock");
    expect(edges().slice(3)).toEqual([
      "- CHAT-1 -> Priya",
      "- CHAT-1 -> B",
      "- A -> CHAT-1",
      "+ B -> OPS-1",
      "+ OPS-1 -> A",
      "+ OPS-1 -> Marcus",
      "- OPS-1 -> Marcus",
      "- OPS-1 -> A",
      "- B -> OPS-1",
    ]);
  });

  it("an escalated request waits on the fallback queue's watchers instead", async () => {
    const { sim, chat, edges } = world(true);
    chat.submit({ id: "CHAT-1", from: "A", waitsFor: "B", subject: "data" });
    await sim.run();
    expect(edges()).toEqual(["+ A -> CHAT-1", "+ CHAT-1 -> B", "+ CHAT-1 -> Priya", "- CHAT-1 -> Priya", "+ CHAT-1 -> Sam"]);
  });

  it("two agents asking each other through two queues form the cycle A -> CHAT-1 -> B -> OPS-1 -> A as the second request is filed", () => {
    const { sim, chat, tickets, watchers } = world();
    chat.submit({ id: "CHAT-1", from: "A", waitsFor: "B", subject: "data" });
    chat.take("CHAT-1", "Priya");
    chat.decide("CHAT-1", "Priya", true);
    const filed = tickets.submit({ id: "OPS-1", from: "B", waitsFor: "A", subject: "context" });
    const log = approvalWaitEdges(sim.trace.events, { watchers });
    const [cycle] = waitCycles(log);
    expect(cycle?.nodes).toEqual(["A", "CHAT-1", "B", "OPS-1"]);
    expect(cycle?.evidence.at(-1)).toBe(filed.eventId);
    expect(noWaitCycle(log, { boundMs: 1, endMs: Infinity }).held).toBe(false);
  });
});
