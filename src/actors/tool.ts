/**
 * A simulated tool (`SimTool`): a remote server behind a `ToolPort`, with the behaviours the
 * failure catalog needs.
 *
 * One call, in order:
 * 1. Front door (answers at once, executes nothing, saves nothing): a malformed idempotency key or
 *    a `validate` failure is a `caller` error; a seeded 429 is `rate-limited` with `retryAfterMs`;
 *    an idempotency key that is known replays the saved reply, or answers `conflict` (409, still
 *    in flight) or `idempotency-mismatch` (different parameters).
 * 2. Work: runs on the server's own timers, independent of the caller. Racing the call against a
 *    deadline (`ctx.deadline`) does not stop it. After `latency × commitAt` the work takes effect
 *    (`perform` runs; an `effect` is recorded in the ledger with an `effect.commit` trace event);
 *    after `latency` it answers. A seeded transient failure (5xx) replaces the answer at the end:
 *    with a commit point before the end, the effect stands and the caller still sees an error.
 *    A seeded hang never finishes.
 * 3. Giving up: the tool's own timeout (and, if it `honoursDeadline`, the request's `deadlineAt`)
 *    ends the work with a `timeout` error; nothing commits after it. If it `honoursCancellation`,
 *    the request's `cancel` signal stops the work before commit with a `cancelled` error.
 *
 * Every draw comes from streams named for the tool (`tool:<name>:latency`, `:faults`,
 * `:retry-after`), a fixed number per call, so a run is the same for the same seed and changing
 * one tool's settings never shifts another's draws. The trace has one span per call (`tool.call`,
 * or `store.call` on the store layer) whose parent is `request.parent`; the response's `eventId`
 * is the span's end event, which carries `result` for successes (what grounding checks read).
 */
import { toDistribution, type Distribution, type DistributionInput } from "../sim/distributions.js";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { Signal } from "../sim/process.js";
import type { RandomStream } from "../sim/rng.js";
import type { ProcessContext, Simulation, TimerHandle } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";
import type { ToolErrorKind, ToolPort, ToolRequest, ToolResponse } from "./contracts.js";
import { TOOL_DEFAULTS } from "./defaults.js";
import { EffectLedger } from "./effect-ledger.js";
import { IdempotencyStore, keyProblem, requestFingerprint } from "./idempotency.js";

/** @deprecated moved to the kernel's distributions (src/sim/distributions.ts); re-exported here until the entry points import them from there. */
export { toDistribution, type DistributionInput } from "../sim/distributions.js";

/** Where in the work the call takes effect: `"end"` (= 1) or a fraction of its latency in [0, 1]. */
export type CommitPoint = "end" | number;

/** A side effect the tool's work commits (a refund, an email). */
export interface EffectSpec {
  /** What the effect is, e.g. `"refund"`. */
  name: string;
  /** The logical operation the arguments stand for (a return id); at-most-once is judged per key. */
  key: (args: Attrs) => string;
  /** When it commits; overrides the tool's `commitAt`. */
  commitAt?: CommitPoint;
}

/** What the work produces at its commit point. */
export type WorkOutcome = { ok: true; result: AttrValue } | { ok: false; error: ToolErrorKind; message: string };

/** A response without its trace id: what an idempotency key saves and replays. */
export type ToolReply = DistributiveOmit<ToolResponse, "eventId">;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Seeded per-call chances of each failure mode (all 0 by default). */
export interface ToolFaults {
  /** A transient server error (5xx) at the end of the work. */
  transient?: number;
  /** A 429 at the front door, with `retryAfterMs`. */
  rateLimited?: number;
  /** The work never finishes (only a timeout, a deadline or cancellation ends it). */
  hang?: number;
}

/** How a simulated tool behaves: latency, timeout, faults, results, effects, idempotency. */
export interface SimToolOptions {
  /** The tool's name: the trace actor and the stem of its random streams. */
  name: string;
  /** Trace layer (default `"tool"`; the shared store uses `"store"`). */
  layer?: "tool" | "store";
  /** Work duration per call (default lognormal p50 200 ms, p99 1 s). */
  latency?: DistributionInput;
  /** The tool's own server-side timeout (default 30 s); `null` for none. */
  timeout?: DurationInput | null;
  faults?: ToolFaults;
  /** The `retryAfterMs` a 429 carries (default 1 s). */
  retryAfter?: DistributionInput;
  /** Returns a message when the arguments are malformed: a `caller` error with no effect. */
  validate?: (args: Attrs) => string | undefined;
  /** The result for these arguments (default `{ status: "ok" }`); `null` for "no answer". */
  resultFor?: (args: Attrs) => AttrValue;
  /** Query shapes the tool has no answer for: the result is `null` (ok, but empty). */
  nullWhen?: (args: Attrs) => boolean;
  /** The work itself, run at the commit point; replaces `resultFor`/`nullWhen` (the store uses it). */
  perform?: (call: ToolCallRecord) => WorkOutcome;
  /** When the work takes effect (default `"end"`). */
  commitAt?: CommitPoint;
  /** A side effect recorded in the ledger when the work commits successfully. */
  effect?: EffectSpec;
  /** Where effects go (default: a ledger of the tool's own, `tool.ledger`). */
  ledger?: EffectLedger;
  /** Stop before committing when the request's `cancel` fires (default false). */
  honoursCancellation?: boolean;
  /** Give up at the request's `deadlineAt` instead of committing late (default false). */
  honoursDeadline?: boolean;
  /** Idempotency-key support: `true` for a store of its own, or a store shared with other tools. */
  idempotency?: boolean | IdempotencyStore<ToolReply>;
}

/** One call as the tool saw it: the tool's own log, and what `perform` is given. */
export interface ToolCallRecord {
  readonly requestId: string;
  readonly caller: string;
  readonly args: Attrs;
  readonly idempotencyKey?: string;
  readonly deadlineAt?: number;
  readonly invokedAt: number;
  /** The trace id of the call's span (its begin event). */
  readonly span: number;
  /** When the work took effect, if it did. */
  committedAt?: number;
  /** When the tool answered, if it has. */
  respondedAt?: number;
  response?: ToolResponse;
}

interface Draw {
  latencyMs: number;
  rateLimited: boolean;
  hang: boolean;
  transient: boolean;
}

/** What happens to a held idempotency key when the call ends. */
type KeyFate = "save" | "release";

interface Work {
  readonly rec: ToolCallRecord;
  readonly request: ToolRequest;
  /** Where the answer goes: the signal `call` waits on, or the callback `send` was given. */
  readonly done: Signal<ToolResponse> | ((response: ToolResponse) => void);
  readonly timers: TimerHandle[];
  outcome?: WorkOutcome;
  heldKey?: string;
  stopListening?: () => void;
}

/** A simulated remote tool. */
export class SimTool implements ToolPort {
  readonly name: string;
  /** Where this tool's effects are recorded. */
  readonly ledger: EffectLedger;
  /** Saved replies by idempotency key, when the tool supports keys. */
  readonly idempotency: IdempotencyStore<ToolReply> | undefined;
  readonly #sim: Simulation;
  readonly #o: SimToolOptions;
  readonly #layer: "tool" | "store";
  readonly #latency: Distribution;
  readonly #retryAfter: Distribution;
  readonly #timeoutMs: number;
  readonly #commitFraction: number;
  readonly #latencyRng: RandomStream;
  readonly #faultRng: RandomStream;
  readonly #retryRng: RandomStream;
  readonly #calls: ToolCallRecord[] = [];

  constructor(sim: Simulation, options: SimToolOptions) {
    this.#sim = sim;
    this.#o = options;
    this.name = options.name;
    this.#layer = options.layer ?? "tool";
    this.ledger = options.ledger ?? new EffectLedger();
    this.idempotency = options.idempotency === true ? new IdempotencyStore<ToolReply>() : options.idempotency || undefined;
    this.#latency = toDistribution(options.latency ?? TOOL_DEFAULTS.latency);
    this.#retryAfter = toDistribution(options.retryAfter ?? TOOL_DEFAULTS.retryAfter);
    this.#timeoutMs = options.timeout === null ? Infinity : parseDuration(options.timeout ?? TOOL_DEFAULTS.timeoutMs);
    this.#commitFraction = commitFraction(options.effect?.commitAt ?? options.commitAt ?? "end");
    this.#latencyRng = sim.rng(`tool:${this.name}:latency`);
    this.#faultRng = sim.rng(`tool:${this.name}:faults`);
    this.#retryRng = sim.rng(`tool:${this.name}:retry-after`);
  }

  /** Every call so far, in arrival order. */
  get calls(): readonly ToolCallRecord[] {
    return this.#calls;
  }

  /** Calls the tool; resolves when the tool answers (never, for a hang with no timeout). */
  call(ctx: ProcessContext, request: ToolRequest): Promise<ToolResponse> {
    const requestId = this.#nextRequestId();
    const done = this.#sim.signal<ToolResponse>(`${requestId} response`);
    this.#dispatch(this.#open(requestId, request.caller ?? ctx.process.name, request, done));
    return ctx.wait(done, `${this.name} response to ${requestId}`);
  }

  /**
   * The same call as `call` (the same draws, trace, effects and answer) made outside any process:
   * `onResponse` runs from the kernel's timers when the tool answers (at once, for a refusal at
   * the front door). For workloads of thousands of short calls, where waking a process for each
   * answer would cost more than the call itself. Returns the call's record (its span, its id).
   */
  send(request: ToolRequest & { caller: string }, onResponse: (response: ToolResponse) => void): ToolCallRecord {
    const work = this.#open(this.#nextRequestId(), request.caller, request, onResponse);
    this.#dispatch(work);
    return work.rec;
  }

  #nextRequestId(): string {
    return `${this.name}#${this.#calls.length + 1}`;
  }

  /** Draws the call's fate, then refuses it at the front door or starts the work. */
  #dispatch(work: Work): void {
    const draw = this.#draw();
    const refusal = this.#frontDoor(work, draw);
    if (refusal) this.#respond(work, refusal.reply, refusal.attrs ?? {});
    else this.#start(work, draw);
  }

  #open(requestId: string, caller: string, request: ToolRequest, done: Work["done"]): Work {
    const key = request.idempotencyKey;
    const span = this.#sim.trace.begin({
      actor: this.name,
      layer: this.#layer,
      kind: `${this.#layer}.call`,
      parent: request.parent,
      attrs: {
        requestId,
        caller,
        args: request.args,
        ...(key !== undefined ? { idempotencyKey: key } : {}),
        ...(request.deadlineAt !== undefined ? { deadlineAt: request.deadlineAt } : {}),
      },
    });
    const invokedAt = this.#sim.now;
    // Without key or deadline (most calls), a literal with no spreads: a smaller object, the same keys.
    const rec: ToolCallRecord =
      key === undefined && request.deadlineAt === undefined
        ? { requestId, caller, args: request.args, invokedAt, span }
        : {
            requestId,
            caller,
            args: request.args,
            ...(key !== undefined ? { idempotencyKey: key } : {}),
            ...(request.deadlineAt !== undefined ? { deadlineAt: request.deadlineAt } : {}),
            invokedAt,
            span,
          };
    this.#calls.push(rec);
    return { rec, request, done, timers: [] };
  }

  /** Three fault draws and one latency draw per call, whatever happens next. */
  #draw(): Draw {
    const f = { ...TOOL_DEFAULTS.faults, ...this.#o.faults };
    const uRate = this.#faultRng.next();
    const uHang = this.#faultRng.next();
    const uTransient = this.#faultRng.next();
    return {
      latencyMs: Math.max(0, this.#latency.sample(this.#latencyRng)),
      rateLimited: uRate < f.rateLimited,
      hang: uHang < f.hang,
      transient: uTransient < f.transient,
    };
  }

  /** Answers that need no work: refusals, replays and conflicts. They save nothing. */
  #frontDoor(work: Work, draw: Draw): { reply: ToolReply; attrs?: Attrs } | undefined {
    const { args, idempotencyKey: key } = work.request;
    const store = key === undefined ? undefined : this.idempotency;
    const badKey = store && keyProblem(key as string);
    if (badKey) return { reply: { ok: false, error: "caller", message: badKey } };
    if (draw.rateLimited) {
      const retryAfterMs = Math.max(0, this.#retryAfter.sample(this.#retryRng));
      return { reply: { ok: false, error: "rate-limited", message: `429 too many requests: retry after ${retryAfterMs}ms`, retryAfterMs } };
    }
    if (store) {
      const found = store.lookup(key as string, requestFingerprint(this.name, args), this.#sim.now);
      if (found.kind === "replay") return { reply: { ...found.reply, replayed: true }, attrs: { replayOf: found.requestId } };
      if (found.kind === "in-flight") {
        return { reply: { ok: false, error: "conflict", message: `409 idempotency_key_in_use: ${found.requestId} with key "${key}" is still in flight` } };
      }
      if (found.kind === "mismatch") {
        return {
          reply: {
            ok: false,
            error: "idempotency-mismatch",
            message: `idempotency key "${key}" was first used by ${found.requestId} with different parameters; use a new key`,
          },
        };
      }
    }
    const problem = this.#o.validate?.(args);
    if (problem !== undefined) return { reply: { ok: false, error: "caller", message: problem } };
    return undefined;
  }

  /** Starts the server-side work on the tool's own timers. */
  #start(work: Work, draw: Draw): void {
    const { rec, request } = work;
    if (request.idempotencyKey !== undefined && this.idempotency) {
      this.idempotency.reserve(request.idempotencyKey, requestFingerprint(this.name, rec.args), rec.requestId, rec.invokedAt);
      work.heldKey = request.idempotencyKey;
    }
    const giveUp = this.#giveUpAfter(request);
    const endMs = draw.hang ? Infinity : draw.latencyMs;
    const commitMs = draw.hang ? Infinity : draw.latencyMs * this.#commitFraction;
    const failsBeforeCommit = draw.transient && this.#commitFraction >= 1;
    if (commitMs <= giveUp.afterMs && Number.isFinite(commitMs) && !failsBeforeCommit) this.#after(work, commitMs, () => this.#commit(work));
    if (endMs <= giveUp.afterMs && Number.isFinite(endMs)) this.#after(work, endMs, () => this.#finish(work, draw.transient));
    else if (Number.isFinite(giveUp.afterMs)) this.#after(work, giveUp.afterMs, () => this.#giveUp(work, giveUp.reason));
    if (request.cancel) work.stopListening = request.cancel.onCancel((reason) => this.#cancelled(work, reason));
  }

  /** When the tool stops waiting for its own work: its timeout, or an honoured deadline if sooner. */
  #giveUpAfter(request: ToolRequest): { afterMs: number; reason: "timeout" | "deadline" } {
    const now = this.#sim.now;
    if (this.#o.honoursDeadline && request.deadlineAt !== undefined && request.deadlineAt - now < this.#timeoutMs) {
      return { afterMs: Math.max(0, request.deadlineAt - now), reason: "deadline" };
    }
    return { afterMs: this.#timeoutMs, reason: "timeout" };
  }

  #after(work: Work, delayMs: number, fn: () => void): void {
    work.timers.push(this.#sim.schedule(delayMs, runThunk, fn));
  }

  /** The work takes effect: `perform` runs and a successful effect is recorded. */
  #commit(work: Work): void {
    const rec = work.rec;
    rec.committedAt = this.#sim.now;
    const outcome = this.#o.perform ? this.#o.perform(rec) : this.#defaultResult(rec.args);
    work.outcome = outcome;
    if (outcome.ok && this.#o.effect) this.#recordEffect(rec, this.#o.effect);
  }

  #defaultResult(args: Attrs): WorkOutcome {
    if (this.#o.nullWhen?.(args)) return { ok: true, result: null };
    return { ok: true, result: this.#o.resultFor ? this.#o.resultFor(args) : TOOL_DEFAULTS.result };
  }

  #recordEffect(rec: ToolCallRecord, effect: EffectSpec): void {
    const key = effect.key(rec.args);
    const ik = rec.idempotencyKey;
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: this.#layer,
      kind: "effect.commit",
      parent: rec.span,
      attrs: { effect: effect.name, key, requestId: rec.requestId, ...(ik !== undefined ? { idempotencyKey: ik } : {}) },
    });
    this.ledger.record({
      t: this.#sim.now,
      effect: effect.name,
      key,
      tool: this.name,
      requestId: rec.requestId,
      ...(ik !== undefined ? { idempotencyKey: ik } : {}),
      eventId,
      parent: rec.span,
    });
  }

  #finish(work: Work, transient: boolean): void {
    if (transient) {
      const after = work.rec.committedAt !== undefined ? " after committing" : "";
      this.#respond(work, { ok: false, error: "transient", message: `503 service unavailable: the server failed${after}` }, {});
      return;
    }
    this.#respond(work, work.outcome ?? this.#defaultResult(work.rec.args), {});
  }

  #giveUp(work: Work, reason: "timeout" | "deadline"): void {
    const message =
      reason === "deadline"
        ? `deadline ${work.request.deadlineAt}ms passed: the tool stopped its work`
        : `the tool timed out after ${this.#timeoutMs}ms and stopped its work`;
    // A deadline refusal before commit left nothing behind: a retry with the key may run anew.
    const fate: KeyFate = reason === "deadline" && work.rec.committedAt === undefined ? "release" : "save";
    this.#respond(work, { ok: false, error: "timeout", message }, { reason }, fate);
  }

  #cancelled(work: Work, reason: string): void {
    const rec = work.rec;
    if (rec.respondedAt !== undefined) return;
    const ignoredBecause = !this.#o.honoursCancellation
      ? "the tool does not honour cancellation"
      : rec.committedAt !== undefined
        ? "already committed"
        : undefined;
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: this.#layer,
      kind: ignoredBecause ? "tool.cancel-ignored" : "tool.cancelled",
      parent: rec.span,
      attrs: { requestId: rec.requestId, reason, ...(ignoredBecause ? { ignoredBecause } : {}) },
    });
    if (ignoredBecause) return;
    this.#respond(work, { ok: false, error: "cancelled", message: `cancelled before committing: ${reason}` }, { cancelEvent: eventId }, "release");
  }

  /** Ends the call: stops its timers, settles its idempotency key, closes the span, answers. */
  #respond(work: Work, reply: ToolReply, attrs: Attrs, fate: KeyFate = "save"): void {
    const rec = work.rec;
    for (const h of work.timers) this.#sim.cancel(h);
    work.stopListening?.();
    if (work.heldKey !== undefined && this.idempotency) {
      if (fate === "save") this.idempotency.save(work.heldKey, rec.requestId, reply);
      else this.idempotency.release(work.heldKey, rec.requestId);
    }
    // Not `{ ...x, key }` here: on Node 20's V8 a property added after a leading spread gives every
    // object a hidden class of its own (a map and descriptor array, ~180 B, kept with each
    // response in `calls`); `Object.assign` shares one. The same keys in the same order.
    const eventId = this.#sim.trace.end(rec.span, Object.assign(replyAttrs(reply), attrs, { latencyMs: this.#sim.now - rec.invokedAt }));
    const response = Object.assign({}, reply, { eventId }) as ToolResponse;
    rec.respondedAt = this.#sim.now;
    rec.response = response;
    if (typeof work.done === "function") work.done(response);
    else work.done.fire(response);
  }
}

function replyAttrs(reply: ToolReply): Attrs {
  const attrs: Attrs = reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error, message: reply.message };
  if (reply.replayed) attrs.replayed = true;
  if (reply.ok && reply.receipt !== undefined) attrs.receipt = reply.receipt;
  if (!reply.ok && reply.retryAfterMs !== undefined) attrs.retryAfterMs = reply.retryAfterMs;
  return attrs;
}

function commitFraction(at: CommitPoint): number {
  if (at === "end") return 1;
  if (!(at >= 0 && at <= 1)) throw new RangeError(`commitAt must be "end" or a fraction in [0, 1], got ${at}`);
  return at;
}

function runThunk(fn: () => void): void {
  fn();
}
