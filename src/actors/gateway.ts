/**
 * The gateway that routes asynchronous callbacks (a finished render, a provisioning job) to the
 * session that should see them.
 *
 * Contract: `deliver(callback)` routes by conversation id and records one `DeliveryRecord` per
 * callback in `log`, the evidence the `no-cross-session-delivery` and `no-silent-drop` checkers
 * read. Callbacks carry the epoch of the session that asked (when the caller knows it), whether or
 * not the gateway uses it, so the evidence can tell which generation a result was meant for.
 * - Default (the failure): by id only. The open session holding the id gets it, whichever
 *   generation it is (an old result stitched into a new conversation); with no session holding the
 *   id the callback is dropped, and nothing but this log says so.
 * - `epochs` (the `session-epochs` mitigation): a callback routes only to the session with the same
 *   id and epoch; a stale or missing epoch never routes.
 * - `deadLetter` (the `dead-letter` mitigation): a callback that cannot be routed goes to a visible
 *   dead-letter queue with its reason instead of being dropped.
 * Trace (layer `gateway`, parent = the callback's event): `callback.delivered`, `callback.dropped`,
 * `callback.dead-lettered`; a delivery also traces `session.message` (layer `user`).
 */
import type { Simulation } from "../sim/simulation.js";
import type { AttrValue } from "../sim/trace.js";
import { GATEWAY_DEFAULTS } from "./defaults.js";
import type { Session, SessionStore } from "./sessions.js";

/** A result arriving for a conversation. */
export interface Callback {
  /** Default `cb-<n>`. */
  id?: string;
  conversationId: string;
  /** The epoch of the session that started the work, when the caller knows it. */
  epoch?: number;
  payload: AttrValue;
  /** The trace event that produced the callback (the job's completion). */
  parent?: number;
}

/** Where a callback went. */
export type DeliveryOutcome = "delivered" | "dropped" | "dead-lettered";

/** Why a callback went where it went. */
export type DeliveryReason =
  /** Routed by id alone to the open session holding it. */
  | "id-match"
  /** Routed to the session with the same id and epoch. */
  | "id-and-epoch-match"
  /** No open session holds the id. */
  | "no-session"
  /** A session holds the id, but a later generation than the callback's. */
  | "stale-epoch"
  /** Epochs are on and the callback carries none. */
  | "missing-epoch";

/** One callback's fate. */
export interface DeliveryRecord {
  t: number;
  callbackId: string;
  conversationId: string;
  /** The epoch the callback carried (null if none). */
  epochRequested: number | null;
  outcome: DeliveryOutcome;
  /** The session that got it, for `delivered`. */
  deliveredTo?: { conversationId: string; epoch: number; user: string };
  reason: DeliveryReason;
  /** The gateway event that recorded it. */
  eventId: number;
}

/** A callback that could not be routed, kept where people can see it. */
export interface DeadLetter {
  record: DeliveryRecord;
  callback: Callback;
}

/** A callback gateway's mitigations: session epochs and a dead-letter queue. */
export interface GatewayOptions {
  /** Actor name in the trace. Default `gateway`. */
  name?: string;
  /** The `session-epochs` mitigation. Default off. */
  epochs?: boolean;
  /** The `dead-letter` mitigation. Default off. */
  deadLetter?: boolean;
}

/** Routes callbacks to sessions. */
export class Gateway {
  readonly name: string;
  readonly epochs: boolean;
  readonly deadLetterEnabled: boolean;
  readonly #sim: Simulation;
  readonly #store: SessionStore;
  readonly #log: DeliveryRecord[] = [];
  readonly #deadLetters: DeadLetter[] = [];
  #seq = 0;

  constructor(sim: Simulation, store: SessionStore, options: GatewayOptions = {}) {
    this.#sim = sim;
    this.#store = store;
    this.name = options.name ?? "gateway";
    this.epochs = options.epochs ?? GATEWAY_DEFAULTS.epochs;
    this.deadLetterEnabled = options.deadLetter ?? GATEWAY_DEFAULTS.deadLetter;
  }

  /** Every delivery outcome, in order. */
  get log(): readonly DeliveryRecord[] {
    return this.#log;
  }

  /** The dead-letter queue, in arrival order. */
  get deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  /** Routes one callback and records its fate. */
  deliver(callback: Callback): DeliveryRecord {
    const callbackId = callback.id ?? `cb-${++this.#seq}`;
    const session = this.#store.current(callback.conversationId);
    const route = this.#route(callback, session);
    const outcome: DeliveryOutcome = route.to ? "delivered" : this.deadLetterEnabled ? "dead-lettered" : "dropped";
    const epochRequested = callback.epoch ?? null;
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "gateway",
      kind: `callback.${outcome}`,
      parent: callback.parent,
      attrs: {
        callbackId,
        conversationId: callback.conversationId,
        epochRequested,
        reason: route.reason,
        ...(route.to ? { deliveredEpoch: route.to.epoch, user: route.to.user } : {}),
        ...(session && !route.to ? { heldByEpoch: session.epoch } : {}),
      },
    });
    const record: DeliveryRecord = {
      t: this.#sim.now,
      callbackId,
      conversationId: callback.conversationId,
      epochRequested,
      outcome,
      ...(route.to ? { deliveredTo: { conversationId: route.to.conversationId, epoch: route.to.epoch, user: route.to.user } } : {}),
      reason: route.reason,
      eventId,
    };
    this.#log.push(record);
    if (route.to) this.#store.receive(route.to, callbackId, callback.payload, eventId);
    else if (outcome === "dead-lettered") this.#deadLetters.push({ record, callback: { ...callback, id: callbackId } });
    return record;
  }

  #route(callback: Callback, session: Session | undefined): { to?: Session; reason: DeliveryReason } {
    if (!session) return { reason: "no-session" };
    if (!this.epochs) return { to: session, reason: "id-match" };
    if (callback.epoch === undefined) return { reason: "missing-epoch" };
    if (callback.epoch !== session.epoch) return { reason: "stale-epoch" };
    return { to: session, reason: "id-and-epoch-match" };
  }
}
