/**
 * The wait-for graph of agents that ask each other for things through human approval queues,
 * rebuilt from the trace (the evidence `wait-for-graph.ts` judges).
 *
 * Nodes are agents, requests (by approval id) and reviewers. Edges, from the approval queue's
 * events (approval-queue.ts) and the request's end:
 * - `approval.request` {id, from, waitsFor, queue}: the requester waits on its request
 *   (`from -> id`); the request waits on its target, who must serve it (`id -> waitsFor`), and on
 *   the reviewers watching the queue (`id -> reviewer`);
 * - `approval.seen` by a reviewer: the request now waits on that reviewer alone;
 * - `approval.escalated` to a queue: it waits on that queue's watchers instead;
 * - `approval.decided`: it no longer waits on a reviewer; a rejection ends the request;
 * - `approval.withdrawn`, and the request-ending kinds (default `request.answered`,
 *   `request.abandoned`, with attr `request` = the id): the request is over, its edges go.
 * A request whose approval came through keeps its requester waiting until its target answers.
 */
import type { TraceEvent } from "../sim/trace.js";
import type { WaitEdgeEvent } from "./wait-for-graph.js";

/** How `approvalWaitEdges` reads approval requests out of a trace. */
export interface ApprovalWaitEdgesOptions {
  /** Who watches each queue (queue name -> reviewer names), from the queues themselves. */
  watchers: ReadonlyMap<string, readonly string[]>;
  /** Kinds that end a request; their `attrs.request` names it. Default `request.answered`, `request.abandoned`. */
  endKinds?: readonly string[];
}

interface Open {
  from: string;
  to: string | undefined;
  reviewers: Set<string>;
}

/** The wait-for edge log of a trace, in trace order. */
export function approvalWaitEdges(events: readonly TraceEvent[], options: ApprovalWaitEdgesOptions): WaitEdgeEvent[] {
  const ends = new Set(options.endKinds ?? ["request.answered", "request.abandoned"]);
  const open = new Map<string, Open>();
  const log: WaitEdgeEvent[] = [];
  const edge = (e: TraceEvent, op: "add" | "remove", from: string, to: string): void => {
    log.push({ t: e.t, op, from, to, eventId: e.id });
  };
  const setReviewers = (e: TraceEvent, id: string, r: Open, next: readonly string[]): void => {
    for (const who of r.reviewers) if (!next.includes(who)) edge(e, "remove", id, who);
    for (const who of next) if (!r.reviewers.has(who)) edge(e, "add", id, who);
    r.reviewers = new Set(next);
  };
  const close = (e: TraceEvent, id: string): void => {
    const r = open.get(id);
    if (!r) return;
    setReviewers(e, id, r, []);
    if (r.to !== undefined) edge(e, "remove", id, r.to);
    edge(e, "remove", r.from, id);
    open.delete(id);
  };
  for (const e of events) {
    const a = e.attrs ?? {};
    if (ends.has(e.kind)) {
      close(e, String(a.request));
      continue;
    }
    if (!e.kind.startsWith("approval.")) continue;
    const id = String(a.id);
    if (e.kind === "approval.request") {
      const r: Open = { from: String(a.from), to: a.waitsFor === undefined ? undefined : String(a.waitsFor), reviewers: new Set() };
      open.set(id, r);
      edge(e, "add", r.from, id);
      if (r.to !== undefined) edge(e, "add", id, r.to);
      setReviewers(e, id, r, options.watchers.get(String(a.queue)) ?? []);
      continue;
    }
    const r = open.get(id);
    if (!r) continue;
    if (e.kind === "approval.seen") setReviewers(e, id, r, [e.actor]);
    else if (e.kind === "approval.escalated") {
      if (a.to === "reject") close(e, id);
      else setReviewers(e, id, r, a.to === "approve" ? [] : (options.watchers.get(String(a.to)) ?? []));
    } else if (e.kind === "approval.decided") {
      if (a.outcome === "rejected") close(e, id);
      else setReviewers(e, id, r, []);
    } else if (e.kind === "approval.withdrawn") close(e, id);
  }
  return log;
}
