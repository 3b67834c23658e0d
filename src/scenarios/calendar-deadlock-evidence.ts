/**
 * calendar-deadlock's evidence, read back from the trace and the queues: each workflow's span, what
 * its approvals waited for (and whom), the wait-for graph split by workflow, the verdicts of
 * `workflow-liveness` and `no-wait-cycle`, the metrics and the series. The scenario module
 * (calendar-deadlock.ts) wires the actors; this module only reads what they left behind.
 */
import type { ApprovalQueue } from "../actors/approval-queue.js";
import { localParts } from "../actors/time-zone.js";
import { quantile } from "../checks/latency.js";
import { finishesWithin, type WorkItem } from "../checks/liveness.js";
import { verdict, type Verdict } from "../checks/verdict.js";
import { noWaitCycle, waitCycles, type WaitEdgeEvent } from "../checks/wait-for-graph.js";
import { formatDuration } from "../sim/duration.js";
import type { RunOutcome, Simulation } from "../sim/simulation.js";
import type { TraceEvent } from "../sim/trace.js";
import type { Metric, Series } from "./scenario.js";

/** Who watches each approval queue (queue name -> reviewer names). */
export type Watchers = ReadonlyMap<string, readonly string[]>;

/**
 * Each workflow from its start to its finish (or to the end of the run), with its latest event:
 * an event belongs to the workflow whose `workflow.start` is among its causes.
 */
function workflowItems(sim: Simulation, zone: string): WorkItem[] {
  const owner = new Map<number, string>();
  const items = new Map<string, WorkItem>();
  for (const e of sim.trace.events) {
    const up = e.phase === "end" && e.span !== undefined ? e.span : e.parent;
    const workflow = e.kind === "workflow.start" ? String(e.attrs?.workflow) : up === undefined ? undefined : owner.get(up);
    if (workflow === undefined) continue;
    owner.set(e.id, workflow);
    const item = items.get(workflow);
    if (!item) {
      const detail = `it started ${localWeekdayTime(sim.epochMs + e.t, zone)} ${zone} time`;
      items.set(workflow, { name: `workflow ${workflow}`, startedAt: e.t, boundMs: Number(e.attrs?.slaMs), startEvent: e.id, lastEvent: e.id, detail });
      continue;
    }
    item.lastEvent = e.id;
    if (e.kind === "workflow.finish") item.finishedAt = e.t;
  }
  return [...items.values()];
}

/** "Mon 13:42": an instant's weekday and wall time in a zone. */
function localWeekdayTime(utcMs: number, zone: string): string {
  const l = localParts(utcMs, zone);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][l.weekday] as string;
  return `${day} ${String(l.hour).padStart(2, "0")}:${String(l.minute).padStart(2, "0")}`;
}

/**
 * workflow-liveness (`workflow.start` to `workflow.finish`, start times told in `zone`); each
 * message first says why the workflow was late, a deadlock apart from a plain approval wait
 * (`lateCause`), then how long its
 * approvals waited and for whom, and an unfinished workflow's also who waited on what when the run
 * ended.
 */
export function workflowLiveness(sim: Simulation, log: readonly WaitEdgeEvent[], watchers: Watchers, zone: string, outcome: RunOutcome): Verdict {
  const parts = byWorkflow(log);
  const humans = new Set([...watchers.values()].flat());
  const waits = approvalWaits(sim, watchers);
  const items = workflowItems(sim, zone).map((item) => {
    const workflow = item.name.slice("workflow ".length);
    const detail = [lateCause(item, parts.get(workflow) ?? [], outcome).text, item.detail, waits.get(workflow)?.join(", ")];
    const starter = sim.trace.get(item.startEvent)?.actor ?? "";
    if (item.finishedAt === undefined) detail.push(`at the end ${waitChain(parts.get(workflow) ?? [], starter, humans)}`);
    return { ...item, detail: detail.filter(Boolean).join("; ") };
  });
  return finishesWithin(items, { invariant: "workflow-liveness", endMs: outcome.now, stalled: outcome.status === "stalled" });
}

/**
 * Why a workflow was late: deadlocked (its time in wait cycles is what put it over its SLA), or
 * approval waits (it would be over its SLA even without any time in a cycle, e.g. a request that
 * waited overnight for a reviewer; with no cycle at all, approval waits alone).
 */
function lateCause(item: WorkItem, part: readonly WaitEdgeEvent[], outcome: RunOutcome): { deadlocked: boolean; text: string } {
  const end = outcome.status === "stalled" ? Infinity : outcome.now;
  const held = waitCycles(part).reduce((s, c) => s + ((c.brokenAt ?? end) - c.formedAt), 0);
  const took = (item.finishedAt ?? end) - item.startedAt;
  if (held === 0) return { deadlocked: false, text: "late on approval waits alone (no wait cycle)" };
  if (!Number.isFinite(held)) return { deadlocked: true, text: "deadlocked: in a wait cycle that never broke" };
  if (took - held > item.boundMs)
    return { deadlocked: false, text: `late on approval waits (over its SLA even without its ${formatDuration(held)} in a wait cycle)` };
  return { deadlocked: true, text: `deadlocked: in a wait cycle for ${formatDuration(held)}` };
}

/** Late workflows by cause (`lateCause`): deadlocked, or late on approval waits. */
function lateByCause(sim: Simulation, log: readonly WaitEdgeEvent[], outcome: RunOutcome): { deadlocked: number; approvalWaits: number } {
  const parts = byWorkflow(log);
  const end = outcome.status === "stalled" ? Infinity : outcome.now;
  const late = workflowItems(sim, "UTC").filter((w) => (w.finishedAt ?? end) - w.startedAt > w.boundMs);
  const deadlocked = late.filter((w) => lateCause(w, parts.get(w.name.slice("workflow ".length)) ?? [], outcome).deadlocked).length;
  return { deadlocked, approvalWaits: late.length - deadlocked };
}

/**
 * For each workflow, what its approvals waited for, from the queues' and reviewers' events:
 * `CHAT-2 waited 1h 1m for Priya (lunch)`, `OPS-1 still waiting (Marcus: after-hours)`. A reviewer's
 * absence counts for every request of their queue whose wait it overlapped.
 */
function approvalWaits(sim: Simulation, watchers: Watchers): Map<string, string[]> {
  const absences: { who: string; from: number; until: number; what: string }[] = [];
  const stories = new Map<string, { workflow: string; queue: string; filedAt: number; endedAt?: number; by?: string; notes: string[] }>();
  for (const e of sim.trace.events) {
    const a = e.attrs ?? {};
    if (e.kind === "reviewer.away") {
      const until = a.until === null ? Infinity : Date.parse(String(a.until)) - sim.epochMs;
      absences.push({ who: e.actor, from: e.t, until, what: String(a.detail ?? a.reason) });
      continue;
    }
    if (e.kind === "approval.request") stories.set(String(a.id), { workflow: workflowOf(String(a.from)), queue: String(a.queue), filedAt: e.t, notes: [] });
    const story = stories.get(String(a.id));
    if (!story) continue;
    if (e.kind === "approval.escalated") story.notes.push(`escalated to ${String(a.to)} after ${formatDuration(Number(a.waitedMs))}`);
    else if ((e.kind === "approval.decided" || e.kind === "approval.withdrawn") && story.endedAt === undefined) {
      story.endedAt = e.t;
      story.by = e.actor;
    }
  }
  const out = new Map<string, string[]>();
  for (const [id, st] of stories) {
    const end = st.endedAt ?? Infinity;
    const reviewers = watchers.get(st.queue) ?? [];
    const absent = absences
      .filter((x) => reviewers.includes(x.who) && x.from < end && x.until > st.filedAt)
      .map((x) => (x.who === st.by ? x.what : `${x.who}: ${x.what}`));
    const reasons = [...new Set(absent), ...st.notes];
    const why = reasons.length ? ` (${reasons.join(", ")})` : "";
    const line = st.endedAt === undefined ? `${id} still waiting${why}` : `${id} waited ${formatDuration(st.endedAt - st.filedAt)} for ${st.by ?? "?"}${why}`;
    out.set(st.workflow, [...(out.get(st.workflow) ?? []), line]);
  }
  return out;
}

/** `wf-3` from an agent instance name (`rollup-agent/wf-3`). */
function workflowOf(agent: string): string {
  return agent.slice(agent.lastIndexOf("/") + 1);
}

/**
 * Who waits on what once the log is replayed, walked from `start`:
 * `rollup-agent/wf-7 -> CHAT-7 (waiting on Priya) -> data-agent/wf-7`.
 */
function waitChain(log: readonly WaitEdgeEvent[], start: string, humans: ReadonlySet<string>): string {
  const out = new Map<string, Set<string>>();
  for (const e of log) {
    if (!out.has(e.from)) out.set(e.from, new Set());
    if (e.op === "add") out.get(e.from)?.add(e.to);
    else out.get(e.from)?.delete(e.to);
  }
  const steps: string[] = [];
  const seen = new Set<string>();
  for (let cur: string | undefined = start; cur !== undefined; ) {
    const targets = [...(out.get(cur) ?? [])].sort();
    const people = targets.filter((t) => humans.has(t));
    steps.push(people.length ? `${cur} (waiting on ${people.join(", ")})` : cur);
    if (seen.has(cur)) break;
    seen.add(cur);
    cur = targets.find((t) => !humans.has(t));
  }
  return steps.join(" -> ");
}

/**
 * no-wait-cycle, judged per workflow (workflows share no agents, so their cycles are disjoint; a
 * cycle still held when the run stalled never breaks); each message adds who the approvals waited for.
 */
export function noCycle(sim: Simulation, log: readonly WaitEdgeEvent[], watchers: Watchers, boundMs: number, outcome: RunOutcome): Verdict {
  const endMs = outcome.status === "stalled" ? Infinity : outcome.now;
  const waits = approvalWaits(sim, watchers);
  const violations = [...byWorkflow(log)].flatMap(([workflow, part]) =>
    noWaitCycle(part, { boundMs, endMs }).violations.map((x) => ({ ...x, message: `${x.message}; ${(waits.get(workflow) ?? []).join(", ")}` })),
  );
  return verdict("no-wait-cycle", violations);
}

/** Splits the edge log by workflow: agent nodes name it (`rollup-agent/wf-3`), request nodes inherit it from their requester. */
function byWorkflow(log: readonly WaitEdgeEvent[]): Map<string, WaitEdgeEvent[]> {
  const ofNode = new Map<string, string>();
  const parts = new Map<string, WaitEdgeEvent[]>();
  for (const e of log) {
    const workflow = /\/(wf-\d+)$/.exec(e.from)?.[1] ?? ofNode.get(e.from) ?? "?";
    if (!ofNode.has(e.to) && !/\/wf-\d+$/.test(e.to)) ofNode.set(e.to, workflow);
    const part = parts.get(workflow) ?? [];
    part.push(e);
    parts.set(workflow, part);
  }
  return parts;
}

/** Workflows, stall hours, the cycle in words, and how long each reviewer took. */
export function deadlockMetrics(sim: Simulation, log: readonly WaitEdgeEvent[], queues: readonly ApprovalQueue[], outcome: RunOutcome): Metric[] {
  const items = workflowItems(sim, "UTC");
  const finished = items.filter((w) => w.finishedAt !== undefined);
  const within = finished.filter((w) => (w.finishedAt as number) - w.startedAt <= w.boundMs);
  const longest = Math.max(0, ...items.map((w) => (w.finishedAt ?? outcome.now) - w.startedAt));
  const cycles = [...byWorkflow(log).values()].flatMap((part) => waitCycles(part));
  const cycleHours = cycles.reduce((s, c) => s + ((c.brokenAt ?? outcome.now) - c.formedAt), 0) / 3_600_000;
  const first = cycles[0];
  const count = (kind: string): number => sim.trace.events.filter((e) => e.kind === kind).length;
  const longestCycle = Math.max(0, ...cycles.map((c) => (c.brokenAt ?? outcome.now) - c.formedAt));
  const late = lateByCause(sim, log, outcome);
  return [
    { name: "workflows started", value: items.length, unit: "count" },
    { name: "workflows finished", value: finished.length, unit: "count" },
    { name: "workflows within SLA", value: within.length, unit: "count", note: "finished within their SLA" },
    { name: "longest workflow", value: round(longest / 3_600_000), unit: "h", note: "start to finish, or to the end of the run if it never finished" },
    { name: "hours in wait cycles", value: round(cycleHours), unit: "h", note: "summed over every cycle, until broken or the end of the run" },
    { name: "wait cycles", value: cycles.length, unit: "count" },
    {
      name: "median wait cycle",
      value: round(
        quantile(
          cycles.map((c) => (c.brokenAt ?? outcome.now) - c.formedAt),
          0.5,
        ) / 3_600_000,
      ),
      unit: "h",
      note: "the typical hang, formed to broken",
    },
    { name: "longest wait cycle", value: round(longestCycle / 3_600_000), unit: "h", note: "the longest hang, formed to broken (the post's: nineteen hours)" },
    { name: "late workflows, deadlocked", value: late.deadlocked, unit: "count", note: "over their SLA because of their time in a wait cycle" },
    {
      name: "late workflows, approval waits",
      value: late.approvalWaits,
      unit: "count",
      note: "over their SLA even without any time in a wait cycle (e.g. a request waiting overnight for a reviewer)",
    },
    { name: "customer escalations", value: count("customer.escalation"), unit: "count", note: "hangs that ended only because a customer escalated" },
    {
      name: "the cycle",
      value: first ? [...first.nodes, first.nodes[0]].join(" -> ") : "none",
      note: first ? `formed ${formatDuration(first.formedAt)} into the run` : "",
    },
    { name: "deadlocks broken by the detector", value: count("deadlock.detected"), unit: "count" },
    { name: "approvals escalated", value: count("approval.escalated"), unit: "count" },
    ...reviewerTimes(queues),
  ];
}

/** p50 and max time from entering a queue to a reviewer's decision, per reviewer. */
function reviewerTimes(queues: readonly ApprovalQueue[]): Metric[] {
  const byReviewer = new Map<string, number[]>();
  for (const q of queues) {
    for (const r of q.records()) {
      if (r.status !== "decided" || r.reviewer === undefined || r.endedAt === undefined) continue;
      const list = byReviewer.get(r.reviewer) ?? [];
      list.push(r.endedAt - r.enqueuedAt);
      byReviewer.set(r.reviewer, list);
    }
  }
  return [...byReviewer].flatMap(([who, times]) => [
    {
      name: `${who} response p50`,
      value: round(quantile(times, 0.5) / 3_600_000),
      unit: "h" as const,
      note: `${times.length} decisions, from the queue to the decision`,
    },
    { name: `${who} response max`, value: round(Math.max(...times) / 3_600_000), unit: "h" as const },
  ]);
}

/** How many workflows had started and not finished, after each start and finish: a hang never comes back down. */
export function inProgress(events: readonly TraceEvent[]): Series {
  const points: Series = [[0, 0]];
  let open = 0;
  for (const e of events) {
    if (e.kind !== "workflow.start" && e.kind !== "workflow.finish") continue;
    open += e.kind === "workflow.start" ? 1 : -1;
    points.push([e.t, open]);
  }
  return points;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
