import { describe, it, expect } from "vitest";
import { ApprovalQueue, type ApprovalDecision } from "../../src/actors/approval-queue.js";
import { APPROVAL_QUEUE_DEFAULTS } from "../../src/actors/defaults.js";
import { Reviewer } from "../../src/actors/reviewer.js";
import { parseDuration } from "../../src/sim/duration.js";
import { Simulation } from "../../src/sim/simulation.js";

const MIN = 60_000;

/** A requester process that files one request at `at` and records the decision it gets. */
function requester(sim: Simulation, queue: ApprovalQueue, at = 0): { decision?: ApprovalDecision } {
  const got: { decision?: ApprovalDecision } = {};
  sim.spawn("agent-a", async (ctx) => {
    await ctx.sleep(at);
    const root = sim.trace.instant({ actor: "agent-a", layer: "harness", kind: "step.needs-approval" });
    got.decision = await queue.request(ctx, { from: "agent-a", subject: "share rollup data", waitsFor: "agent-b", parent: root });
  });
  return got;
}

const kinds = (sim: Simulation): string[] => sim.trace.events.filter((e) => e.layer === "human").map((e) => e.kind);

describe("ApprovalQueue", () => {
  it("holds a request, with its enqueue time and what the requester waits for, until someone acts", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "slack-approvals", kind: "chat" });
    const got = requester(sim, queue, 5 * MIN);
    const outcome = await sim.run();
    expect(outcome.status).toBe("stalled");
    expect(outcome.waiting[0]?.waitingOn[0]).toMatch(/approval slack-approvals-1 in chat "slack-approvals"/);
    expect(got.decision).toBeUndefined();
    expect(queue.pending()).toEqual([
      expect.objectContaining({ id: "slack-approvals-1", from: "agent-a", waitsFor: "agent-b", enqueuedAt: 5 * MIN, status: "pending" }),
    ]);
  });

  it("delivers a reviewer's decision to the requester, traced request -> seen -> decided", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "jira", kind: "ticket" });
    const got = requester(sim, queue);
    sim.schedule(10 * MIN, () => queue.take("jira-1", "marcus"));
    sim.schedule(12 * MIN, () => queue.decide("jira-1", "marcus", false));
    await sim.run();
    expect(got.decision).toMatchObject({ requestId: "jira-1", outcome: "rejected", by: "marcus", at: 12 * MIN, escalated: false });
    const chain = sim.trace.causalChain(got.decision?.eventId as number).map((e) => `${e.actor}:${e.kind}`);
    expect(chain).toEqual(["agent-a:step.needs-approval", "jira:approval.request", "marcus:approval.seen", "marcus:approval.decided"]);
    expect(queue.records()[0]).toMatchObject({ status: "decided", seenAt: 10 * MIN, endedAt: 12 * MIN, outcome: "rejected" });
    expect(queue.pending()).toEqual([]);
  });

  it("lets a request be taken once only", () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "q", kind: "chat" });
    const { id } = queue.submit({ from: "a", subject: "s" });
    expect(queue.take(id, "priya")).toBe(true);
    expect(queue.take(id, "marcus")).toBe(false);
    expect(() => queue.decide(id, "marcus", true)).toThrow(/not taken by marcus/);
  });

  it("escalates a request still undecided after the bound to the fallback queue, same decision signal", async () => {
    const sim = new Simulation({ seed: 1 });
    const onCall = new ApprovalQueue(sim, { name: "on-call", kind: "chat" });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat", escalation: { to: onCall } });
    const got = requester(sim, queue);
    const bound = parseDuration(APPROVAL_QUEUE_DEFAULTS.escalationAfter);
    sim.schedule(bound + 1, () => onCall.take("slack-1", "sam"));
    sim.schedule(bound + 2 * MIN, () => onCall.decide("slack-1", "sam", true));
    await sim.run();
    const escalated = sim.trace.events.find((e) => e.kind === "approval.escalated");
    expect(escalated).toMatchObject({ t: bound, actor: "slack", attrs: { to: "on-call", waitedMs: bound } });
    expect(got.decision).toMatchObject({ outcome: "approved", by: "sam", queue: "on-call", escalated: true, at: bound + 2 * MIN });
    expect(queue.records()[0]).toMatchObject({ status: "escalated", endedAt: bound });
    expect(onCall.records()[0]).toMatchObject({ status: "decided", enqueuedAt: bound, submittedAt: 0, escalatedFrom: "slack" });
  });

  it("escalates to a fixed decision when the policy says so", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat", escalation: { after: "10m", to: "reject" } });
    const got = requester(sim, queue);
    await sim.run();
    expect(got.decision).toMatchObject({ outcome: "rejected", by: "slack:escalation", at: 10 * MIN, escalated: true });
  });

  it("does not escalate a request decided within the bound", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat", escalation: { after: "10m", to: "reject" } });
    const got = requester(sim, queue);
    sim.schedule(1 * MIN, () => queue.take("slack-1", "priya"));
    sim.schedule(9 * MIN, () => queue.decide("slack-1", "priya", true));
    await sim.run();
    expect(got.decision).toMatchObject({ outcome: "approved", by: "priya" });
    expect(kinds(sim)).toEqual(["approval.request", "approval.seen", "approval.decided"]);
  });

  it("discards the decision of a reviewer still working when the request escalated", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat", escalation: { after: "10m", to: "approve" } });
    const got = requester(sim, queue);
    sim.schedule(5 * MIN, () => queue.take("slack-1", "priya"));
    let late: ApprovalDecision | undefined | "unset" = "unset";
    sim.schedule(15 * MIN, () => (late = queue.decide("slack-1", "priya", false)));
    await sim.run();
    expect(late).toBeUndefined();
    expect(got.decision).toMatchObject({ outcome: "approved", by: "slack:escalation", at: 10 * MIN });
    expect(kinds(sim)).toEqual(["approval.request", "approval.seen", "approval.escalated", "approval.discarded"]);
  });

  it("lets a request be withdrawn (preempted) with a reason", async () => {
    const sim = new Simulation({ seed: 1 });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat" });
    const got = requester(sim, queue);
    sim.schedule(3 * MIN, () => queue.withdraw("slack-1", "deadlock-detector", "wait-for cycle"));
    await sim.run();
    expect(got.decision).toMatchObject({ outcome: "withdrawn", by: "deadlock-detector", at: 3 * MIN });
    expect(sim.trace.events.find((e) => e.kind === "approval.withdrawn")?.attrs).toMatchObject({ reason: "wait-for cycle" });
    expect(queue.withdraw("slack-1", "x", "again")).toBeUndefined();
  });

  it("escalation bounds the wait when the primary reviewer is away for the weekend", async () => {
    // Friday 2026-03-06 18:00 in New York: Priya is gone until Monday; Sam is on call around the clock.
    const sim = new Simulation({ seed: 3, epochMs: Date.UTC(2026, 2, 6, 23, 0) });
    const onCall = new ApprovalQueue(sim, { name: "on-call", kind: "chat" });
    const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat", escalation: { after: "30m", to: onCall } });
    new Reviewer(sim, { name: "priya", calendar: { timeZone: "America/New_York" }, queues: [queue], responseTime: "5m" }).start();
    new Reviewer(sim, {
      name: "sam",
      calendar: { timeZone: "UTC", workingHours: { start: "00:00", end: "24:00" }, workDays: [0, 1, 2, 3, 4, 5, 6], lunch: null },
      queues: [onCall],
      responseTime: "5m",
      rejectProbability: 0,
    }).start();
    const got = requester(sim, queue);
    await sim.run();
    expect(got.decision).toMatchObject({ by: "sam", escalated: true, at: 35 * MIN, outcome: "approved" });
  });
});
