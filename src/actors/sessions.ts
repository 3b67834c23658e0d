/**
 * Users, their sessions, and the conversation ids those sessions hold.
 *
 * Contract:
 * - `ConversationIdAllocator` hands out conversation ids and may give a freed id to a new session
 *   (`lowest-free`: the smallest free id, as a slot table does; `lifo`: the most recently freed,
 *   as a free list does; `never`: always a fresh id). Each allocation of an id bumps that id's
 *   epoch (generation), so a session is named exactly by (conversationId, epoch).
 * - `SessionStore.open` / `close` trace `session.open` / `session.close` (layer `user`, actor the
 *   user); `current(id)` is the open session holding an id now, whichever generation it is.
 * - `spawnUser` is a user process: arrive, open a session, start work (`onOpen`), watch the
 *   spinner for a drawn patience (stream `user:<name>:patience`) or until the first message lands,
 *   then close the tab.
 */
import type { Distribution, DistributionSpec } from "../sim/distributions.js";
import type { DurationInput } from "../sim/duration.js";
import type { Signal } from "../sim/process.js";
import type { ProcessContext, ProcessHandle, Simulation } from "../sim/simulation.js";
import type { AttrValue } from "../sim/trace.js";
import { SESSION_DEFAULTS } from "./defaults.js";
import { toDistribution } from "../sim/distributions.js";

/** How freed conversation ids come back. */
export type IdReusePolicy = "lowest-free" | "lifo" | "never";

/** An allocated id and its generation. */
export interface ConversationLease {
  conversationId: string;
  /** 1 for the first session ever to hold this id, 2 for the next, ... */
  epoch: number;
}

/** Hands out conversation ids, reusing freed ones by policy. */
export class ConversationIdAllocator {
  readonly policy: IdReusePolicy;
  readonly prefix: string;
  readonly #free: number[] = [];
  readonly #inUse = new Set<number>();
  readonly #epochs = new Map<number, number>();
  #next = 1;

  constructor(options: { policy?: IdReusePolicy; prefix?: string } = {}) {
    this.policy = options.policy ?? SESSION_DEFAULTS.idReuse;
    this.prefix = options.prefix ?? SESSION_DEFAULTS.idPrefix;
  }

  /** A free id, with its new epoch. */
  allocate(): ConversationLease {
    const n = this.#take();
    this.#inUse.add(n);
    const epoch = (this.#epochs.get(n) ?? 0) + 1;
    this.#epochs.set(n, epoch);
    return { conversationId: `${this.prefix}${n}`, epoch };
  }

  /** Frees an id held by a closed session. */
  release(conversationId: string): void {
    const n = this.#number(conversationId);
    if (!this.#inUse.delete(n)) throw new Error(`conversation id "${conversationId}" is not in use`);
    if (this.policy !== "never") this.#free.push(n);
  }

  /** The latest epoch handed out for an id (0 if never). */
  epochOf(conversationId: string): number {
    return this.#epochs.get(this.#number(conversationId)) ?? 0;
  }

  #take(): number {
    if (this.#free.length === 0) return this.#next++;
    if (this.policy === "lifo") return this.#free.pop() as number;
    let min = 0;
    for (let i = 1; i < this.#free.length; i++) if ((this.#free[i] as number) < (this.#free[min] as number)) min = i;
    return this.#free.splice(min, 1)[0] as number;
  }

  #number(conversationId: string): number {
    const n = Number(conversationId.slice(this.prefix.length));
    if (!conversationId.startsWith(this.prefix) || !Number.isInteger(n)) {
      throw new Error(`"${conversationId}" is not an id of this allocator (expected ${this.prefix}<n>)`);
    }
    return n;
  }
}

/** A message that reached a session. */
export interface SessionMessage {
  t: number;
  callbackId: string;
  payload: AttrValue;
  /** The event that recorded it reaching the user. */
  eventId: number;
}

/** One session: a user's open conversation, named by (conversationId, epoch). */
export interface Session extends ConversationLease {
  user: string;
  openedAt: number;
  closedAt?: number;
  /** The `session.open` event. */
  openEvent: number;
  /** What reached this session. */
  readonly inbox: SessionMessage[];
  /** Fires at the first message. */
  readonly answered: Signal<SessionMessage>;
}

/** Open and closed sessions, and which one holds each conversation id now. */
export class SessionStore {
  readonly allocator: ConversationIdAllocator;
  readonly #sim: Simulation;
  readonly #open = new Map<string, Session>();
  readonly #all: Session[] = [];

  constructor(sim: Simulation, allocator: ConversationIdAllocator = new ConversationIdAllocator()) {
    this.#sim = sim;
    this.allocator = allocator;
  }

  /** Every session ever opened, in open order. */
  get sessions(): readonly Session[] {
    return this.#all;
  }

  /** The open session holding `conversationId` now, if any. */
  current(conversationId: string): Session | undefined {
    return this.#open.get(conversationId);
  }

  /** Opens a session for `user` (`session.open`). */
  open(user: string, parent?: number): Session {
    const lease = this.allocator.allocate();
    const session: Session = {
      ...lease,
      user,
      openedAt: this.#sim.now,
      openEvent: this.#sim.trace.instant({ actor: user, layer: "user", kind: "session.open", parent, attrs: { ...lease } }),
      inbox: [],
      answered: this.#sim.signal<SessionMessage>(`first message in ${lease.conversationId}#${lease.epoch}`),
    };
    this.#open.set(session.conversationId, session);
    this.#all.push(session);
    return session;
  }

  /** Closes a session (`session.close`) and frees its id. Returns the close event. */
  close(session: Session, reason: string, parent?: number): number {
    if (this.#open.get(session.conversationId) !== session) {
      throw new Error(`session ${session.conversationId}#${session.epoch} is not open`);
    }
    this.#open.delete(session.conversationId);
    this.allocator.release(session.conversationId);
    session.closedAt = this.#sim.now;
    return this.#sim.trace.instant({
      actor: session.user,
      layer: "user",
      kind: "session.close",
      parent: parent ?? session.openEvent,
      attrs: { conversationId: session.conversationId, epoch: session.epoch, reason },
    });
  }

  /** Puts a message into an open session (`session.message`, parent = the delivering event). */
  receive(session: Session, callbackId: string, payload: AttrValue, parent?: number): SessionMessage {
    const message: SessionMessage = {
      t: this.#sim.now,
      callbackId,
      payload,
      eventId: this.#sim.trace.instant({
        actor: session.user,
        layer: "user",
        kind: "session.message",
        parent,
        attrs: { conversationId: session.conversationId, epoch: session.epoch, callbackId },
      }),
    };
    session.inbox.push(message);
    if (!session.answered.fired) session.answered.fire(message);
    return message;
  }
}

/** A simulated user of a chat session: when they arrive, their patience, what they start. */
export interface UserOptions {
  name: string;
  /** Delay before the user arrives. Default 0. */
  arriveAfter?: DurationInput;
  /**
   * How long the user watches the spinner before closing the tab, as written or already compiled
   * (a scenario's resolved parameter, a mixture of quick and patient users). Default
   * `SESSION_DEFAULTS.patience` (defaults.ts).
   */
  patience?: DistributionSpec | Distribution;
  /** What the user starts once the session is open (e.g. a long tool call whose callback comes later). */
  onOpen?: (ctx: ProcessContext, session: Session) => void | Promise<void>;
}

/** Spawns a user: arrive, open, start work, wait for an answer or run out of patience, close. */
export function spawnUser(sim: Simulation, store: SessionStore, options: UserOptions): ProcessHandle<Session> {
  const patience = toDistribution(options.patience ?? SESSION_DEFAULTS.patience);
  return sim.spawn(`user:${options.name}`, async (ctx) => {
    if (options.arriveAfter !== undefined) await ctx.sleep(options.arriveAfter, `${options.name} not arrived yet`);
    const session = store.open(options.name);
    await options.onOpen?.(ctx, session);
    const waited = await ctx.deadline(
      patience.sample(ctx.rng(`user:${options.name}:patience`)),
      ctx.wait(session.answered),
      `${options.name} watching the spinner`,
    );
    store.close(session, waited.ok ? "answered" : "gave-up", waited.ok ? waited.value.eventId : undefined);
    return session;
  });
}
