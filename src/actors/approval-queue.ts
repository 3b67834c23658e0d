/**
 * A human-approval boundary: a chat channel or a ticket queue that holds requests until a
 * reviewer acts.
 *
 * Contract:
 * - `submit` files a request and returns a ticket whose `decision` signal the requester awaits
 *   (`request(ctx, ...)` does both). Every request is traced `approval.request` (layer `human`,
 *   parent = the requester's event).
 * - Reviewers `take` the oldest waiting request (`approval.seen`, parent = the request event) and
 *   later `decide` it (`approval.decided`, parent = the seen event). The first decision wins.
 * - `pending()` lists what is waiting or in review with enqueue times, requester, what the
 *   requester waits for, and the queue's watchers: the evidence a wait-for graph is built from.
 * - With an escalation policy (the `approval-timeouts` mitigation), a request still undecided
 *   `after` its enqueue is escalated (`approval.escalated`): moved to a fallback queue (an on-call
 *   approver) with the same decision signal, or decided by the policy itself. A reviewer who
 *   finishes an escalated request afterwards has their decision discarded (`approval.discarded`).
 * - `withdraw` ends a request without a reviewer (deadlock-breaking preemption): `approval.withdrawn`.
 */
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { Signal } from "../sim/process.js";
import type { ProcessContext, Simulation, TimerHandle } from "../sim/simulation.js";
import { APPROVAL_QUEUE_DEFAULTS } from "./defaults.js";

/** What kind of channel a queue is: a chat channel (Slack) or a ticket queue (Jira). */
export type ApprovalQueueKind = "chat" | "ticket";

/** How a request ended. */
export type ApprovalOutcome = "approved" | "rejected" | "withdrawn";

/** What a requester files. */
export interface ApprovalRequestInput {
  /** Who asks (an agent's name). */
  from: string;
  /** What the approval is for. */
  subject: string;
  /** What the requester is blocked on until this is decided (an agent, a resource), for wait-for graphs. */
  waitsFor?: string;
  /** The trace event that caused the request. */
  parent?: number;
  /** A request id; default `<queue>-<n>`. */
  id?: string;
}

/** The decision the requester's signal fires with. */
export interface ApprovalDecision {
  requestId: string;
  outcome: ApprovalOutcome;
  /** The reviewer, or `<queue>:escalation` / the withdrawing party. */
  by: string;
  /** The queue where it was decided. */
  queue: string;
  /** Virtual time of the decision. */
  at: number;
  /** True when it was decided after an escalation. */
  escalated: boolean;
  /** The event that recorded the decision. */
  eventId: number;
}

/** A filed request: its id, its request event and the signal the requester awaits. */
export interface ApprovalTicket {
  id: string;
  eventId: number;
  decision: Signal<ApprovalDecision>;
}

/** Where a request stands in one queue. */
export type ApprovalStatus = "pending" | "in-review" | "decided" | "escalated" | "withdrawn";

/** One request as this queue sees it (a snapshot). */
export interface ApprovalRecord {
  id: string;
  from: string;
  subject: string;
  waitsFor?: string;
  queue: string;
  /** When it entered this queue (virtual ms). */
  enqueuedAt: number;
  /** When the requester first filed it (differs from `enqueuedAt` after an escalation). */
  submittedAt: number;
  status: ApprovalStatus;
  /** The reviewer holding it, once taken. */
  reviewer?: string;
  seenAt?: number;
  endedAt?: number;
  outcome?: ApprovalOutcome;
  /** The queue it was escalated from, if any. */
  escalatedFrom?: string;
  /** The `approval.request` event. */
  eventId: number;
}

/** After `after` undecided, hand the request to `to`: a fallback queue, or a fixed decision. */
export interface EscalationPolicy {
  /** Default `APPROVAL_QUEUE_DEFAULTS.escalationAfter` (defaults.ts). */
  after?: DurationInput;
  to: ApprovalQueue | "approve" | "reject";
}

/** An approval queue: its name, kind (chat or ticket) and escalation policy. */
export interface ApprovalQueueOptions {
  name: string;
  kind: ApprovalQueueKind;
  /** The `approval-timeouts` mitigation; none by default. */
  escalation?: EscalationPolicy;
}

/** State shared by every queue a request passes through. */
interface Request {
  id: string;
  from: string;
  subject: string;
  waitsFor: string | undefined;
  submittedAt: number;
  eventId: number;
  decision: Signal<ApprovalDecision>;
}

interface Entry {
  request: Request;
  enqueuedAt: number;
  status: ApprovalStatus;
  escalatedFrom: string | undefined;
  reviewer?: string;
  seenAt?: number;
  seenEvent?: number;
  endedAt?: number;
  outcome?: ApprovalOutcome;
  timer?: TimerHandle;
}

/** A chat channel or ticket queue holding approval requests. */
export class ApprovalQueue {
  readonly name: string;
  readonly kind: ApprovalQueueKind;
  readonly #sim: Simulation;
  readonly #escalation: { afterMs: number; to: ApprovalQueue | "approve" | "reject" } | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #watchers = new Map<string, () => void>();
  #seq = 0;

  constructor(sim: Simulation, options: ApprovalQueueOptions) {
    this.#sim = sim;
    this.name = options.name;
    this.kind = options.kind;
    if (options.escalation) {
      if (options.escalation.to === this) throw new Error(`approval queue "${this.name}" cannot escalate to itself`);
      this.#escalation = { afterMs: parseDuration(options.escalation.after ?? APPROVAL_QUEUE_DEFAULTS.escalationAfter), to: options.escalation.to };
    }
  }

  /** Files a request; the requester awaits `ticket.decision`. */
  submit(input: ApprovalRequestInput): ApprovalTicket {
    const id = input.id ?? `${this.name}-${++this.#seq}`;
    if (this.#entries.has(id)) throw new Error(`approval queue "${this.name}" already holds request "${id}"`);
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "human",
      kind: "approval.request",
      parent: input.parent,
      attrs: { id, from: input.from, subject: input.subject, queue: this.name, channel: this.kind, ...(input.waitsFor ? { waitsFor: input.waitsFor } : {}) },
    });
    const request: Request = {
      id,
      from: input.from,
      subject: input.subject,
      waitsFor: input.waitsFor,
      submittedAt: this.#sim.now,
      eventId,
      decision: this.#sim.signal<ApprovalDecision>(`approval ${id} (${this.name})`),
    };
    this.#enqueue(request, undefined);
    return { id, eventId, decision: request.decision };
  }

  /** Files a request and waits for its decision. */
  async request(ctx: ProcessContext, input: ApprovalRequestInput): Promise<ApprovalDecision> {
    const ticket = this.submit(input);
    return ctx.wait(ticket.decision, `approval ${ticket.id} in ${this.kind} "${this.name}"`);
  }

  /** Requests waiting or in review here, oldest first. */
  pending(): ApprovalRecord[] {
    return this.records().filter((r) => r.status === "pending" || r.status === "in-review");
  }

  /** Every request this queue has held, in enqueue order, with its fate here. */
  records(): ApprovalRecord[] {
    return [...this.#entries.values()].map((e) => this.#snapshot(e));
  }

  /** The oldest request no reviewer has taken yet. */
  oldestWaiting(): ApprovalRecord | undefined {
    for (const e of this.#entries.values()) if (e.status === "pending") return this.#snapshot(e);
    return undefined;
  }

  /** The names of the reviewers watching this queue. */
  get watchers(): string[] {
    return [...this.#watchers.keys()];
  }

  /** Registers a reviewer, called on every arrival. Returns a function that unregisters it. */
  watch(reviewer: string, onArrival: () => void): () => void {
    this.#watchers.set(reviewer, onArrival);
    return () => this.#watchers.delete(reviewer);
  }

  /** A reviewer takes a waiting request (`approval.seen`). Returns false if it is not waiting here. */
  take(id: string, reviewer: string): boolean {
    const e = this.#entries.get(id);
    if (!e || e.status !== "pending") return false;
    e.status = "in-review";
    e.reviewer = reviewer;
    e.seenAt = this.#sim.now;
    e.seenEvent = this.#sim.trace.instant({
      actor: reviewer,
      layer: "human",
      kind: "approval.seen",
      parent: e.request.eventId,
      attrs: { id, queue: this.name, waitedMs: this.#sim.now - e.enqueuedAt },
    });
    return true;
  }

  /**
   * The reviewer holding request `id` decides it. Returns the decision, or undefined when the
   * request moved on meanwhile (escalated, withdrawn): the work is traced `approval.discarded`.
   */
  decide(id: string, reviewer: string, approved: boolean): ApprovalDecision | undefined {
    const e = this.#entries.get(id);
    if (!e || e.reviewer !== reviewer) throw new Error(`approval "${id}" in "${this.name}" was not taken by ${reviewer}`);
    if (e.status !== "in-review" || e.request.decision.fired) {
      this.#sim.trace.instant({
        actor: reviewer,
        layer: "human",
        kind: "approval.discarded",
        parent: e.seenEvent,
        attrs: { id, queue: this.name, status: e.status, approved },
      });
      return undefined;
    }
    return this.#resolve(e, approved ? "approved" : "rejected", reviewer, "approval.decided", e.seenEvent);
  }

  /** Ends a waiting or in-review request without a decision (preemption). Undefined if it is not open here. */
  withdraw(id: string, by: string, reason: string, parent?: number): ApprovalDecision | undefined {
    const e = this.#entries.get(id);
    if (!e || (e.status !== "pending" && e.status !== "in-review")) return undefined;
    return this.#resolve(e, "withdrawn", by, "approval.withdrawn", parent ?? e.request.eventId, reason);
  }

  #enqueue(request: Request, escalatedFrom: string | undefined): void {
    const entry: Entry = { request, enqueuedAt: this.#sim.now, status: "pending", escalatedFrom };
    this.#entries.set(request.id, entry);
    if (this.#escalation) entry.timer = this.#sim.schedule(this.#escalation.afterMs, () => this.#escalate(entry));
    for (const notify of [...this.#watchers.values()]) notify();
  }

  #escalate(e: Entry): void {
    const policy = this.#escalation;
    if (!policy || (e.status !== "pending" && e.status !== "in-review")) return;
    e.status = "escalated";
    e.endedAt = this.#sim.now;
    delete e.timer;
    const to = policy.to === "approve" || policy.to === "reject" ? policy.to : policy.to.name;
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "human",
      kind: "approval.escalated",
      parent: e.request.eventId,
      attrs: {
        id: e.request.id,
        queue: this.name,
        to,
        afterMs: policy.afterMs,
        waitedMs: this.#sim.now - e.enqueuedAt,
        ...(e.reviewer ? { reviewer: e.reviewer } : {}),
      },
    });
    if (policy.to instanceof ApprovalQueue) policy.to.#enqueue(e.request, this.name);
    else this.#settle(e, policy.to === "approve" ? "approved" : "rejected", `${this.name}:escalation`, eventId, true);
  }

  #resolve(e: Entry, outcome: ApprovalOutcome, by: string, kind: string, parent: number | undefined, reason?: string): ApprovalDecision {
    e.status = outcome === "withdrawn" ? "withdrawn" : "decided";
    e.endedAt = this.#sim.now;
    if (e.timer !== undefined) this.#sim.cancel(e.timer);
    delete e.timer;
    const eventId = this.#sim.trace.instant({
      actor: by,
      layer: "human",
      kind,
      parent,
      attrs: { id: e.request.id, queue: this.name, outcome, waitedMs: this.#sim.now - e.request.submittedAt, ...(reason ? { reason } : {}) },
    });
    return this.#settle(e, outcome, by, eventId, e.escalatedFrom !== undefined);
  }

  #settle(e: Entry, outcome: ApprovalOutcome, by: string, eventId: number, escalated: boolean): ApprovalDecision {
    e.outcome = outcome;
    const decision: ApprovalDecision = { requestId: e.request.id, outcome, by, queue: this.name, at: this.#sim.now, escalated, eventId };
    e.request.decision.fire(decision);
    return decision;
  }

  #snapshot(e: Entry): ApprovalRecord {
    const r = e.request;
    return {
      id: r.id,
      from: r.from,
      subject: r.subject,
      ...(r.waitsFor !== undefined ? { waitsFor: r.waitsFor } : {}),
      queue: this.name,
      enqueuedAt: e.enqueuedAt,
      submittedAt: r.submittedAt,
      status: e.status,
      ...(e.reviewer !== undefined ? { reviewer: e.reviewer } : {}),
      ...(e.seenAt !== undefined ? { seenAt: e.seenAt } : {}),
      ...(e.endedAt !== undefined ? { endedAt: e.endedAt } : {}),
      ...(e.outcome !== undefined ? { outcome: e.outcome } : {}),
      ...(e.escalatedFrom !== undefined ? { escalatedFrom: e.escalatedFrom } : {}),
      eventId: r.eventId,
    };
  }
}
