/**
 * Where asynchronous results went: every callback must reach the session generation that asked
 * for it (`no-cross-session-delivery`) and must end delivered or visibly dead-lettered with a
 * reason (`no-silent-drop`).
 *
 * Evidence: a gateway's delivery log (one entry per callback it routed) and the trace. Which
 * session asked is read from causality, not from what the callback claims: the nearest
 * `session.open` event among the causes of the delivery (the session whose user started the work).
 * A session is named by its conversation id and its epoch (generation), so a reused id is told
 * apart from the session that held it before.
 */
import { formatTimestamp } from "../sim/duration.js";
import type { TraceEvent } from "../sim/trace.js";
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** A session generation: who held which conversation id, from which `session.open` event. */
export interface SessionRef {
  conversationId: string;
  epoch: number;
  user: string;
  /** The `session.open` event. */
  eventId: number;
}

/** One callback's fate, as a gateway logs it (the shape of the gateway actor's `DeliveryRecord`). */
export interface DeliveryLogEntry {
  t: number;
  callbackId: string;
  conversationId: string;
  outcome: "delivered" | "dropped" | "dead-lettered";
  /** Why it went where it went (`no-session`, `stale-epoch`...). */
  reason: string;
  deliveredTo?: { conversationId: string; epoch: number; user: string };
  /** The gateway event that recorded it. */
  eventId: number;
}

/** The session that started the work behind event `eventId`: its nearest `session.open` cause. */
export function requestingSession(events: readonly TraceEvent[], eventId: number): SessionRef | undefined {
  const seen = new Set<number>();
  let cur = events[eventId];
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    if (cur.kind === "session.open") {
      const a = cur.attrs ?? {};
      return { conversationId: String(a.conversationId), epoch: Number(a.epoch), user: cur.actor, eventId: cur.id };
    }
    const up = cur.phase === "end" && cur.span !== undefined ? cur.span : cur.parent;
    cur = up === undefined ? undefined : events[up];
  }
  return undefined;
}

/**
 * Judges that every delivered callback reached the session generation that asked for it. The
 * evidence of a breach ends at the message that landed in the wrong session.
 */
export function noCrossSessionDelivery(log: readonly DeliveryLogEntry[], events: readonly TraceEvent[], options: { invariant?: string } = {}): Verdict {
  const violations: Omit<Violation, "invariant">[] = [];
  const messageOf = new Map<number, number>();
  const lifecycle = new Map<string, number>();
  for (const e of events) {
    if (e.kind === "session.message" && e.parent !== undefined) messageOf.set(e.parent, e.id);
    if (e.kind === "session.open" || e.kind === "session.close") lifecycle.set(`${e.kind} ${String(e.attrs?.conversationId)}#${String(e.attrs?.epoch)}`, e.id);
  }
  for (const d of log) {
    if (d.outcome !== "delivered" || !d.deliveredTo) continue;
    const asker = requestingSession(events, d.eventId);
    const to = d.deliveredTo;
    if (!asker || (asker.conversationId === to.conversationId && asker.epoch === to.epoch)) continue;
    const landed = messageOf.get(d.eventId);
    const askerLeft = lifecycle.get(`session.close ${asker.conversationId}#${asker.epoch}`);
    const receiverOpened = lifecycle.get(`session.open ${to.conversationId}#${to.epoch}`);
    violations.push({
      at: d.t,
      message:
        `the result of ${d.callbackId}, started by ${asker.user} in ${asker.conversationId} #${asker.epoch}, ` +
        `was delivered to ${to.user}'s session ${to.conversationId} #${to.epoch}, an answer ${to.user} never asked for` +
        (askerLeft !== undefined ? ` (${asker.user}'s session had ended at ${formatTimestamp(events[askerLeft]?.t ?? 0)}; the id was handed on)` : ""),
      evidence: [asker.eventId, ...defined(askerLeft, receiverOpened), d.eventId, ...defined(landed)],
    });
  }
  return verdict(options.invariant ?? "no-cross-session-delivery", violations);
}

/**
 * Judges that every callback ended delivered or dead-lettered with a reason. A callback is an
 * event of kind `callbackKind` (default `job.callback`) whose `attrs[idAttr]` (default `jobId`)
 * names the gateway's `callbackId`; one that the gateway dropped, or never logged, was lost silently.
 */
export function noSilentDrop(
  log: readonly DeliveryLogEntry[],
  events: readonly TraceEvent[],
  options: { invariant?: string; callbackKind?: string; idAttr?: string } = {},
): Verdict {
  const kind = options.callbackKind ?? "job.callback";
  const idAttr = options.idAttr ?? "jobId";
  const byId = new Map(log.map((d) => [d.callbackId, d]));
  const violations: Omit<Violation, "invariant">[] = [];
  for (const cb of events) {
    if (cb.kind !== kind) continue;
    const id = String(cb.attrs?.[idAttr]);
    const d = byId.get(id);
    const asker = requestingSession(events, cb.id);
    const whose = asker ? ` for ${asker.user} (${asker.conversationId} #${asker.epoch})` : "";
    if (!d) {
      violations.push({ at: cb.t, message: `the result of ${id}${whose} never reached the gateway: nothing recorded its fate`, evidence: [cb.id] });
    } else if (d.outcome === "dropped") {
      violations.push({
        at: d.t,
        message: `the result of ${id}${whose} was dropped at ${formatTimestamp(d.t)} (${dropReason(d)}); no dead letter, no error, nothing the user or an operator can see`,
        evidence: [...(asker ? [asker.eventId] : []), cb.id, d.eventId],
      });
    } else if (d.outcome === "dead-lettered" && !d.reason) {
      violations.push({ at: d.t, message: `the result of ${id}${whose} was dead-lettered without a reason`, evidence: [cb.id, d.eventId] });
    }
  }
  return verdict(options.invariant ?? "no-silent-drop", violations);
}

function dropReason(d: DeliveryLogEntry): string {
  if (d.reason === "no-session") return `no open session holds ${d.conversationId}`;
  if (d.reason === "stale-epoch") return `${d.conversationId} now belongs to a newer session`;
  return d.reason;
}

function defined(...ids: (number | undefined)[]): number[] {
  return ids.filter((id): id is number => id !== undefined);
}
