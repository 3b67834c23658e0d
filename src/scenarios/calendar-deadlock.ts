/**
 * calendar-deadlock (SCENARIOS.md #5): "The Multi-Agent Deadlock That Hangs on Two Calendars".
 *
 * Several rollup workflows start each day, whenever upstream data lands. In each, rollup-agent
 * needs data from data-agent, and asks through a chat channel (#data-access) where Priya (New York)
 * approves such requests. data-agent, before answering, always asks rollup-agent for context (as in
 * the post), through a ticket queue (OPS) that Marcus (Los Angeles) works. Both reviewers keep office hours, lunch
 * and a daily meeting (Marcus's is a customer call); neither knows the other exists. All four
 * Coffman conditions hold: each agent instance serves one workflow (mutual exclusion), holds its
 * work while it waits (hold and wait), and a blocked agent does not serve the requests that reach
 * it (no preemption); the context request closes the cycle rollup-agent -> CHAT-n -> data-agent ->
 * OPS-m -> rollup-agent (circular wait) the moment it is filed, whatever the reviewers do next.
 * Only a rejection of the context request would break it. Nobody watches the workflows: the hang
 * ends when a customer escalates the missing rollup (`customer.escalatesAfter` after the workflow
 * started, nineteen hours at the median as in the post) and an engineer, forced to look, withdraws
 * data-agent's context request so that it answers with the context it has.
 *
 * - Invariants: `workflow-liveness` (each workflow finishes within its SLA; judged from the trace's
 *   `workflow.start` / `workflow.finish`, an unfinished one counts; each message says whether the
 *   workflow was caught in a wait cycle or only waited for approvals, e.g. overnight, with no cycle
 *   at all) and `no-wait-cycle` (the
 *   wait-for graph, rebuilt from the approval queues' and agents' trace events, humans included,
 *   never holds a cycle longer than a bound).
 * - Mitigations: `deadlock-detection` (like PostgreSQL's `deadlock_timeout`: once a request has
 *   waited the timeout, a detector looks for a cycle through it in the live wait-for graph and
 *   preempts the youngest holder that can do without: data-agent's context request is withdrawn and
 *   data-agent answers with the context it has); `approval-timeouts` (an approval still undecided
 *   after its bound escalates to an on-call approver, who works around the clock and resolves the
 *   request end to end: she has the target serve it, even a blocked agent, whose owner runs the
 *   export by hand). Each fixes one half: detection breaks cycles but cannot make a reviewer who is
 *   off shift answer sooner; timeouts bound human latency but a request that a quick reviewer
 *   approves in time is delivered straight into the deadlock. Both together hold.
 *
 * The judgement and the metrics, read back from the trace, are in calendar-deadlock-evidence.ts.
 */
import { approvalWaitEdges } from "../checks/approval-wait-edges.js";
import type { WaitEdgeEvent } from "../checks/wait-for-graph.js";
import { ApprovalQueue, type ApprovalOutcome, type ApprovalTicket } from "../actors/approval-queue.js";
import { Calendar } from "../actors/calendar.js";
import { Reviewer } from "../actors/reviewer.js";
import type { Signal } from "../sim/process.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { deadlockMetrics, inProgress, noCycle, workflowLiveness } from "./calendar-deadlock-evidence.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario } from "./scenario.js";

const DAY_MS = 86_400_000;
const ROLLUP = "rollup-agent";
const DATA = "data-agent";
const DETECTOR = "deadlock-detector";

/** A reviewer's calendar and habits, as parameters. */
function reviewer(o: { zone: string; lunch: [string, string]; meeting: [string, string, string]; source: string }) {
  return {
    timeZone: p.string(o.zone, { doc: "the reviewer's IANA time zone", source: o.source }),
    workStart: p.string("09:00", { doc: "start of the working day, local HH:MM", source: "CALENDAR_DEFAULTS.workingHours (defaults.ts)" }),
    workEnd: p.string("17:30", { doc: "end of the working day, local HH:MM", source: "CALENDAR_DEFAULTS.workingHours (defaults.ts)" }),
    lunchStart: p.string(o.lunch[0], { doc: "lunch break start, local HH:MM", source: 'the post ("Priya is at lunch"); the hour is an assumption' }),
    lunchEnd: p.string(o.lunch[1], { doc: "lunch break end, local HH:MM", source: "assumption: an hour" }),
    meetingTitle: p.string(o.meeting[0], { doc: "the reviewer's daily meeting", source: 'the post ("Marcus is in a customer call")' }),
    meetingStart: p.string(o.meeting[1], { doc: "daily meeting start, local HH:MM", source: "assumption" }),
    meetingEnd: p.string(o.meeting[2], { doc: "daily meeting end, local HH:MM", source: "assumption" }),
    responseTime: p.distribution(
      { lognormal: { p50: "4m", p99: "45m" } },
      { doc: "at-the-desk time from picking a request up to deciding it", source: "REVIEWER_DEFAULTS.responseTime (defaults.ts)" },
    ),
    rejectProbability: p.probability(0.05, {
      explore: [0, 0.1],
      doc: "chance a decision is a rejection",
      source: "REVIEWER_DEFAULTS.rejectProbability (defaults.ts)",
    }),
  };
}

const params = {
  workflows: {
    perDay: p.int(4, {
      min: 1,
      max: 48,
      explore: [1, 8],
      doc: "rollup workflows started per day, at uniformly random times (upstream data lands at any hour)",
      source: "assumption: a handful of rollups a day",
    }),
    days: p.int(3, {
      min: 1,
      max: 30,
      explore: [1, 5],
      doc: "days on which workflows start",
      source: "assumption: enough days for the post's nineteen-hour hang to show",
    }),
    sla: p.duration("4h", {
      min: "1m",
      doc: "how long a workflow may take, start to finish (not explored: it is the invariant's bound)",
      source: "assumption: a rollup is due within half a working day",
    }),
    dataWork: p.distribution(
      { lognormal: { p50: "5m", p99: "30m" } },
      { doc: "data-agent's work to prepare the data once it can", source: "assumption: minutes of queries" },
    ),
    rollupWork: p.distribution({ lognormal: { p50: "2m", p99: "10m" } }, { doc: "rollup-agent's work once it has the data", source: "assumption" }),
  },
  customer: {
    escalatesAfter: p.distribution(
      { lognormal: { p50: "19h", p99: "40h" } },
      {
        doc: "how long after a workflow starts a customer escalates its missing rollup, forcing an engineer to look and break the hang (only if it has not finished by then)",
        source: "the post: the workflow hangs for nineteen hours, and nobody notices until a customer escalation",
      },
    ),
  },
  context: {
    exportTime: p.distribution(
      { lognormal: { p50: "2m", p99: "10m" } },
      { doc: "time to produce rollup-agent's context for data-agent", source: "assumption" },
    ),
  },
  priya: reviewer({
    zone: "America/New_York",
    lunch: ["12:00", "13:00"],
    meeting: ["team sync", "10:00", "10:30"],
    source: "the post (Priya watches the Slack approval channel); the zone is an assumption",
  }),
  marcus: reviewer({
    zone: "America/Los_Angeles",
    lunch: ["12:00", "13:00"],
    meeting: ["customer call", "10:00", "11:30"],
    source: "the post (Marcus watches the Jira queue); the zone is an assumption",
  }),
  onCall: {
    responseTime: p.distribution(
      { lognormal: { p50: "5m", p99: "30m" } },
      { doc: "the on-call approver's time from a page to resolving the request (24/7 rota)", source: "assumption: a paging rota's acknowledgement time" },
    ),
    rejectProbability: p.probability(0, {
      explore: [0, 0.05],
      doc: "chance the on-call approver rejects an escalated request",
      source: "assumption: escalations are urgent and get approved",
    }),
  },
  approvals: {
    escalateAfter: p.duration("30m", {
      min: "1m",
      explore: ["10m", "1h"],
      doc: "approval-timeouts: an approval undecided this long escalates to on-call",
      source: "APPROVAL_QUEUE_DEFAULTS.escalationAfter (defaults.ts)",
    }),
  },
  detector: {
    deadlockTimeout: p.duration("5m", {
      min: "1s",
      explore: ["1m", "15m"],
      doc: "deadlock-detection: how long a request waits before the detector looks for a cycle through it",
      source: 'FACTS.md "Deadlock" (PostgreSQL checks only after deadlock_timeout, default 1 s); minutes suit waits measured in human time',
    }),
  },
  cycleBound: p.duration("1h", {
    min: "1s",
    doc: "no-wait-cycle: how long a wait cycle may hold before it is a violation (not explored: the invariant's bound)",
    source: "assumption: an hour, far under the post's nineteen",
  }),
};

type Values = ParamValues<typeof params>;

/** How a request's wait ended once approved: its target answered, or the detector preempted it. */
type Answer = { kind: "answered" | "preempted"; eventId: number };

/** A request from one agent to another, gated by an approval queue: the desk's record. */
interface Request {
  id: string;
  from: string;
  to: string;
  /** Whether the requester can proceed without an answer (a deadlock victim may be chosen among these). */
  optional: boolean;
  filedAt: number;
  queue: ApprovalQueue;
  ticket: ApprovalTicket;
  answer: Signal<Answer>;
}

/** The end of a request as its requester sees it. */
type Outcome = { kind: Exclude<ApprovalOutcome, "approved"> | Answer["kind"]; eventId: number };

/** The world of one run: queues, the open requests and the mitigations. */
interface World {
  sim: Simulation;
  v: Values;
  chat: ApprovalQueue;
  tickets: ApprovalQueue;
  onCallQueue: ApprovalQueue;
  /** Open requests by id: the live wait-for graph the detector reads. */
  open: Map<string, Request>;
  seq: { chat: number; tickets: number };
  detect: boolean;
}

/** calendar-deadlock: two agents waiting on each other through two reviewers' queues (see the file's contract). */
export const calendarDeadlock = defineScenario({
  name: "calendar-deadlock",
  title: "The Multi-Agent Deadlock That Hangs on Two Calendars",
  summary: "two agents ask each other for things through two reviewers' queues; a stale cache closes a wait cycle and the workflow hangs",
  params,
  invariants: [
    { name: "workflow-liveness", description: "each workflow finishes within its SLA (an unfinished one counts)" },
    { name: "no-wait-cycle", description: "the wait-for graph, humans included, never holds a cycle longer than the bound" },
  ],
  mitigations: [
    { name: "deadlock-detection", description: "after deadlock_timeout a detector finds the cycle and preempts a holder that can do without" },
    { name: "approval-timeouts", description: "an approval undecided past its bound escalates to an on-call approver who resolves it end to end" },
  ],
  defaults: { seed: 173, horizon: "60d" },
  build({ sim, params: v, mitigations }) {
    const onCallQueue = new ApprovalQueue(sim, { name: "on-call", kind: "ticket" });
    const escalation = mitigations.has("approval-timeouts") ? { escalation: { after: v.approvals.escalateAfter, to: onCallQueue } } : {};
    const chat = new ApprovalQueue(sim, { name: "#data-access", kind: "chat", ...escalation });
    const tickets = new ApprovalQueue(sim, { name: "OPS", kind: "ticket", ...escalation });
    const reviewers = [
      new Reviewer(sim, {
        name: "Priya",
        calendar: calendarOf(v.priya),
        queues: [chat],
        responseTime: v.priya.responseTime,
        rejectProbability: v.priya.rejectProbability,
      }),
      new Reviewer(sim, {
        name: "Marcus",
        calendar: calendarOf(v.marcus),
        queues: [tickets],
        responseTime: v.marcus.responseTime,
        rejectProbability: v.marcus.rejectProbability,
      }),
      new Reviewer(sim, {
        name: "on-call",
        calendar: ALWAYS,
        queues: [onCallQueue],
        responseTime: v.onCall.responseTime,
        rejectProbability: v.onCall.rejectProbability,
      }),
    ];
    for (const r of reviewers) r.start();
    const w: World = {
      sim,
      v,
      chat,
      tickets,
      onCallQueue,
      open: new Map(),
      seq: { chat: 0, tickets: 0 },
      detect: mitigations.has("deadlock-detection"),
    };
    startWorkflows(w);
    const watchers = new Map([chat, tickets, onCallQueue].map((q) => [q.name, q.watchers] as const));
    const edges = (): WaitEdgeEvent[] => approvalWaitEdges(sim.trace.events, { watchers });
    return {
      check: (outcome) => {
        const log = edges();
        return [workflowLiveness(sim, log, watchers, v.priya.timeZone, outcome), noCycle(sim, log, watchers, v.cycleBound, outcome)];
      },
      metrics: (outcome) => deadlockMetrics(sim, edges(), [chat, tickets, onCallQueue], outcome),
      series: () => ({ "workflows in progress": inProgress(sim.trace.events) }),
    };
  },
});

/** Around the clock, every day: the on-call rota. */
const ALWAYS = new Calendar({ timeZone: "UTC", workingHours: { start: "00:00", end: "24:00" }, workDays: [0, 1, 2, 3, 4, 5, 6], lunch: null });

function calendarOf(r: Values["priya"]): Calendar {
  return new Calendar({
    timeZone: r.timeZone,
    workingHours: { start: r.workStart, end: r.workEnd },
    lunch: { start: r.lunchStart, end: r.lunchEnd },
    meetings: [{ title: r.meetingTitle, start: r.meetingStart, end: r.meetingEnd }],
  });
}

/** Draws each day's start times and spawns one rollup-agent instance per workflow. */
function startWorkflows(w: World): void {
  const rng = w.sim.rng("workflows:start");
  const starts: number[] = [];
  for (let day = 0; day < w.v.workflows.days; day++) for (let i = 0; i < w.v.workflows.perDay; i++) starts.push(day * DAY_MS + rng.next() * DAY_MS);
  starts.sort((a, b) => a - b);
  starts.forEach((at, i) => {
    const workflow = `wf-${i + 1}`;
    w.sim.spawn(`agent:${ROLLUP}/${workflow}`, async (ctx) => {
      await ctx.sleep(at, `${workflow} not started yet`);
      await rollup(ctx, w, workflow);
    });
  });
}

/** rollup-agent's side of one workflow: ask data-agent for data (through Priya's channel), wait, roll up. */
async function rollup(ctx: ProcessContext, w: World, workflow: string): Promise<void> {
  const { sim, v } = w;
  const me = `${ROLLUP}/${workflow}`;
  const start = sim.trace.instant({ actor: me, layer: "harness", kind: "workflow.start", attrs: { workflow, slaMs: v.workflows.sla } });
  const req = file(w, {
    from: me,
    to: `${DATA}/${workflow}`,
    queue: w.chat,
    optional: false,
    subject: `share ${workflow}'s source data with ${ROLLUP}`,
    parent: start,
  });
  const escalateAt = v.customer.escalatesAfter.sample(ctx.rng("customer:escalation"));
  sim.schedule(escalateAt, () => customerEscalation(w, workflow, start));
  const got = await ask(ctx, w, req, `${DATA}/${workflow}'s answer to ${req.id} (it holds its rollup and serves no requests meanwhile)`);
  if (got.kind === "answered") await ctx.sleep(v.workflows.rollupWork.sample(ctx.rng(`${ROLLUP}:work`)), `${me} rolling up`);
  sim.trace.instant({
    actor: me,
    layer: "harness",
    kind: "workflow.finish",
    parent: got.eventId,
    attrs: { workflow, outcome: got.kind === "answered" ? "done" : got.kind },
  });
}

/** data-agent's side: ask rollup-agent for context first (through Marcus's queue), then answer. */
async function serveData(ctx: ProcessContext, w: World, req: Request, delivered: number): Promise<void> {
  const { sim, v } = w;
  const me = req.to;
  const workflow = me.slice(DATA.length + 1);
  const received = sim.trace.instant({ actor: me, layer: "harness", kind: "request.received", parent: delivered, attrs: { request: req.id, from: req.from } });
  let context = "fresh";
  const ctxReq = file(w, { from: me, to: req.from, queue: w.tickets, optional: true, subject: `context for ${workflow} from ${ROLLUP}`, parent: received });
  const got = await ask(ctx, w, ctxReq, `${req.from}'s context, ${ctxReq.id} (it holds ${req.id} meanwhile)`);
  let cause = got.eventId;
  if (got.kind !== "answered") {
    context = "cached (stale)";
    if (got.kind === "preempted") {
      cause = sim.trace.instant({
        actor: me,
        layer: "harness",
        kind: "request.abandoned",
        parent: got.eventId,
        attrs: { request: ctxReq.id, reason: "preempted: answering with the context it has" },
      });
    }
  }
  await ctx.sleep(v.workflows.dataWork.sample(ctx.rng(`${DATA}:work`)), `${me} preparing the data for ${req.id}`);
  answer(w, req, sim.trace.instant({ actor: me, layer: "harness", kind: "request.answered", parent: cause, attrs: { request: req.id, context } }));
}

/** Files a request in a queue and records it as open; with detection on, arms the deadlock check. */
function file(w: World, o: { from: string; to: string; queue: ApprovalQueue; optional: boolean; subject: string; parent: number }): Request {
  const id = o.queue === w.chat ? `CHAT-${++w.seq.chat}` : `OPS-${++w.seq.tickets}`;
  const ticket = o.queue.submit({ id, from: o.from, subject: o.subject, waitsFor: o.to, parent: o.parent });
  const req: Request = {
    id,
    from: o.from,
    to: o.to,
    optional: o.optional,
    filedAt: w.sim.now,
    queue: o.queue,
    ticket,
    answer: w.sim.signal<Answer>(`answer to ${id}`),
  };
  w.open.set(id, req);
  if (w.detect) w.sim.schedule(w.v.detector.deadlockTimeout, () => detectDeadlock(w, req));
  return req;
}

/**
 * The requester's wait (`waiting` names it in stall reports): for the approval, then for the answer. An approved request is delivered
 * to its target: data-agent serves each request it gets; rollup-agent, blocked on its own
 * request, queues it unserved (`request.queued`), unless the on-call approver escalated it (she
 * has its owner run the export).
 */
async function ask(ctx: ProcessContext, w: World, req: Request, waiting: string): Promise<Outcome> {
  const { sim } = w;
  const decision = await ctx.wait(req.ticket.decision, `${req.queue.name} to approve ${req.id}`);
  if (decision.outcome !== "approved") {
    w.open.delete(req.id);
    return { kind: decision.outcome, eventId: decision.eventId };
  }
  const delivered = sim.trace.instant({
    actor: req.from,
    layer: "harness",
    kind: "request.delivered",
    parent: decision.eventId,
    attrs: { request: req.id, to: req.to, escalated: decision.escalated },
  });
  if (req.to.startsWith(DATA)) sim.spawn(`agent:${req.to}`, (c) => serveData(c, w, req, delivered));
  else if (decision.escalated) sim.spawn(`on-call export for ${req.id}`, (c) => exportContext(c, w, req, delivered));
  else {
    const holding = [...w.open.values()].find((r) => r.from === req.to);
    sim.trace.instant({
      actor: req.to,
      layer: "harness",
      kind: "request.queued",
      parent: delivered,
      attrs: { request: req.id, from: req.from, ...(holding ? { blockedOn: holding.id } : {}) },
    });
  }
  return ctx.wait(req.answer, waiting);
}

/** The on-call approver has rollup-agent's owner export its context by hand, though the agent is blocked. */
async function exportContext(ctx: ProcessContext, w: World, req: Request, delivered: number): Promise<void> {
  await ctx.sleep(w.v.context.exportTime.sample(ctx.rng(`${ROLLUP}:export`)), `exporting ${req.to}'s context for ${req.id}`);
  answer(
    w,
    req,
    w.sim.trace.instant({ actor: `${req.to} (on-call export)`, layer: "human", kind: "request.answered", parent: delivered, attrs: { request: req.id } }),
  );
}

/** The target answered `req` (event `eventId`): the requester's wait ends, unless it was preempted first. */
function answer(w: World, req: Request, eventId: number): void {
  w.open.delete(req.id);
  if (!req.answer.fired) req.answer.fire({ kind: "answered", eventId });
}

/**
 * deadlock-detection: once `req` has waited the deadlock timeout, look for a wait cycle through it
 * in the live graph of open requests (requester -> request -> target); if there is one, preempt its
 * youngest request whose requester can do without an answer.
 */
function detectDeadlock(w: World, req: Request): void {
  if (!w.open.has(req.id)) return;
  const cycle = cycleThrough(w.open, req);
  if (!cycle) return;
  const victim = cycle.filter((r) => r.optional).sort((a, b) => b.filedAt - a.filedAt)[0];
  if (!victim) return;
  const nodes = cycle.flatMap((r) => [r.from, r.id]);
  const detected = w.sim.trace.instant({
    actor: DETECTOR,
    layer: "harness",
    kind: "deadlock.detected",
    parent: victim.ticket.eventId,
    attrs: { cycle: [...nodes, nodes[0] as string].join(" -> "), victim: victim.id, waitedMs: w.sim.now - req.filedAt },
  });
  preempt(w, victim, DETECTOR, `deadlock: ${victim.from} proceeds without ${victim.id}`, detected);
}

/** Withdraws `victim` (from its queue, or after approval from its target's backlog): its requester proceeds without it. */
function preempt(w: World, victim: Request, by: string, reason: string, cause: number): void {
  const withdrawn = victim.queue.withdraw(victim.id, by, reason, cause) ?? w.onCallQueue.withdraw(victim.id, by, reason, cause);
  w.open.delete(victim.id);
  if (!withdrawn && !victim.answer.fired) victim.answer.fire({ kind: "preempted", eventId: cause });
}

/**
 * A customer escalates a rollup that never landed; an engineer, forced to look, withdraws the
 * workflow's open requests that can be done without (data-agent's context request), which ends a
 * hang. A workflow that already finished is not escalated.
 */
function customerEscalation(w: World, workflow: string, start: number): void {
  const finished = w.sim.trace.events.some((e) => e.kind === "workflow.finish" && e.attrs?.workflow === workflow);
  if (finished) return;
  const mine = [...w.open.values()].filter((r) => workflowOf(r.from) === workflow);
  const escalation = w.sim.trace.instant({
    actor: "customer",
    layer: "human",
    kind: "customer.escalation",
    parent: start,
    attrs: { workflow, waitedMs: w.sim.now - (w.sim.trace.get(start)?.t ?? 0), open: mine.map((r) => r.id).join(", ") },
  });
  for (const r of mine.filter((x) => x.optional)) preempt(w, r, "engineer", `customer escalation: ${r.from} proceeds without ${r.id}`, escalation);
}

/** `wf-3` from an agent instance name (`data-agent/wf-3`). */
function workflowOf(agent: string): string {
  return agent.slice(agent.lastIndexOf("/") + 1);
}

/** The open requests on a cycle through `start` (each request waits on its target, who waits on its own open request), or undefined. */
function cycleThrough(open: ReadonlyMap<string, Request>, start: Request): Request[] | undefined {
  const byRequester = new Map<string, Request>();
  for (const r of open.values()) byRequester.set(r.from, r);
  const path: Request[] = [start];
  for (let cur = byRequester.get(start.to); cur; cur = byRequester.get(cur.to)) {
    if (cur === start) return path;
    if (path.includes(cur)) return undefined;
    path.push(cur);
  }
  return undefined;
}
