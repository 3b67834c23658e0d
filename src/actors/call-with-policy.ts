/**
 * One logical step of an agent: a tool call with retries, a per-attempt budget, an overall
 * deadline, and the switches the catalog's mitigations need (all off by default). The types are
 * in `harness-contract.ts`.
 *
 * ```ts
 * const report = await callWithPolicy(ctx, refundTool, { args: { order: "A1" } }, retryPolicy({ fixed: { delay: "1s" } }), {
 *   agent: "agent", step: "refund", rng: ctx.rng("agent:retry"), attemptBudgetMs: 7_900,
 *   switches: { idempotencyKeys: true },
 * });
 * ```
 *
 * Each attempt runs the call in a child process (a daemon) raced against the attempt's budget
 * (`ctx.deadline`). When the budget fires first the harness *declares* the call failed and the
 * call runs on, like a real client timeout, unless `cancelOnAbandon` cancels the child and fires
 * the request's `cancel` signal; the tool decides whether it honours that.
 *
 * Trace (layer `harness`, actor = the agent). Spans: `step` (end: outcome, attempts,
 * declaredFailed, callerErrors, error), `attempt` (begin: attempt, idempotencyKey, deadlineAt;
 * end: outcome, declared, error), `receipt.await`. Instants: `budget.exceeded`,
 * `step.declared-failed` (the call was declared failed though the tool never said so),
 * `retry.scheduled` (delayMs, retryAfterMs, nextAttempt), `retry.denied` (reason:
 * attempts-exhausted, deadline or retry-budget), `feedback` (an error sent back to the model;
 * `defect` when counted). Causes chain step -> model (the request source) -> attempt -> tool call,
 * and attempt end -> retry.scheduled or feedback -> the next model call.
 */
import { isEmptyResult, type ToolPort, type ToolRequest, type ToolResponse } from "./contracts.js";
import { HARNESS_DEFAULTS } from "./defaults.js";
import { classifyError, retryCause, type AttemptErrorKind, type ErrorClass } from "./error-classification.js";
import {
  NO_SWITCHES,
  type AttemptInfo,
  type AttemptRecord,
  type CallOptions,
  type HarnessSwitches,
  type RequestSource,
  type StepOutcome,
  type StepReport,
} from "./harness-contract.js";
import { awaitReceipt, isReceiptPort, type ReceiptPort } from "./receipts.js";
import type { RetryBudget, RetryCause } from "./retry-budget.js";
import type { RetryPolicy, RetrySchedule } from "./retry-policy.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";

/** Runs one logical step: attempts, retries and feedback rounds, until success or a final failure. */
export async function callWithPolicy(
  ctx: ProcessContext,
  tool: ToolPort,
  request: ToolRequest | RequestSource,
  policy: RetryPolicy,
  opts: CallOptions,
): Promise<StepReport> {
  const source: RequestSource = typeof request === "function" ? request : async () => ({ ok: true, request });
  return new StepRun(ctx, tool, source, policy, opts).run();
}

/** Options resolved against the defaults. */
interface Settings {
  agent: string;
  step: string;
  sw: HarnessSwitches;
  attemptBudgetMs: number;
  deadlineAt: number;
  deadlineMarginMs: number;
  idempotencyKey: string;
  receipts: ReceiptPort | undefined;
  receiptTimeoutMs: number;
  receiptPollMs: number;
}

/** An attempt as it ended, and the id of its end event (the cause of what follows). */
interface Attempt {
  rec: AttemptRecord;
  endId: number;
}

/** The state of one step while it runs. */
class StepRun {
  readonly #ctx: ProcessContext;
  readonly #tool: ToolPort;
  readonly #source: RequestSource;
  readonly #s: Settings;
  readonly #schedule: RetrySchedule;
  readonly #budget: RetryBudget | undefined;
  readonly #span: number;
  readonly #attempts: AttemptRecord[] = [];
  #feedbackLeft: number;
  #lastRetry: RetryCause | undefined;
  #callerErrors = 0;

  constructor(ctx: ProcessContext, tool: ToolPort, source: RequestSource, policy: RetryPolicy, o: CallOptions) {
    this.#ctx = ctx;
    this.#tool = tool;
    this.#source = source;
    this.#s = settle(tool, o);
    this.#schedule = policy.start(o.rng);
    this.#budget = o.retryBudget;
    this.#feedbackLeft = o.maxFeedbackRounds ?? HARNESS_DEFAULTS.maxFeedbackRounds;
    this.#span = ctx.sim.trace.begin({ actor: o.agent, layer: "harness", kind: "step", parent: o.parent, attrs: { step: o.step, tool: tool.name } });
    this.#budget?.onRequest();
  }

  async run(): Promise<StepReport> {
    const startedAt = this.#ctx.now;
    let cause: number | undefined = this.#span;
    while (cause !== undefined) {
      const previous = this.#attempts.at(-1);
      const info: AttemptInfo = { attempt: this.#attempts.length + 1, parent: cause, ...(previous ? { previous } : {}) };
      const attempt = await runAttempt(this.#ctx, this.#tool, this.#source, info, this.#s);
      this.#attempts.push(attempt.rec);
      cause = await this.#next(attempt);
    }
    return this.#finish(startedAt);
  }

  /** What follows an attempt: the cause of the next attempt, or undefined when the step is over. */
  async #next({ rec, endId }: Attempt): Promise<number | undefined> {
    if (rec.outcome === "ok" || rec.outcome === "pending") {
      this.#budget?.onSuccess(this.#lastRetry);
      return undefined;
    }
    const kind = rec.error as AttemptErrorKind;
    const cls = errorClass(kind, this.#s.sw.classifyErrors);
    if (cls === "caller") return this.#feedback(kind, endId);
    if (cls === "transient") return this.#retry(rec, kind, endId);
    return undefined;
  }

  /** Sends the error back to the model for a corrected call, if a round is left. */
  #feedback(kind: AttemptErrorKind, endId: number): number | undefined {
    const counted = this.#s.sw.classifyErrors;
    if (counted) this.#callerErrors++;
    if (this.#feedbackLeft-- <= 0) return undefined;
    return this.#event("feedback", endId, { error: kind, defect: counted });
  }

  /** Waits out the backoff if the policy, the deadline and the budget allow another attempt. */
  async #retry(rec: AttemptRecord, kind: AttemptErrorKind, endId: number): Promise<number | undefined> {
    const delay = this.#schedule.next(rec.retryAfterMs);
    const cause = retryCause(kind);
    const denied = this.#denied(delay, cause);
    if (denied !== undefined || delay === undefined) {
      this.#event("retry.denied", endId, { reason: denied ?? "attempts-exhausted", ...this.#budget?.snapshot() });
      return undefined;
    }
    this.#budget?.onRetry(cause);
    this.#lastRetry = cause;
    const next = this.#attempts.length + 1;
    const id = this.#event("retry.scheduled", endId, defined({ delayMs: delay, nextAttempt: next, retryAfterMs: rec.retryAfterMs }));
    await this.#ctx.sleep(delay, `${this.#s.agent}: backoff before attempt ${next} of ${this.#s.step}`);
    return id;
  }

  #denied(delay: number | undefined, cause: RetryCause): string | undefined {
    if (delay === undefined) return "attempts-exhausted";
    if (this.#ctx.now + delay >= this.#s.deadlineAt) return "deadline";
    if (this.#budget && !this.#budget.canRetry(cause)) return "retry-budget";
    return undefined;
  }

  #event(kind: string, parent: number, attrs: Attrs): number {
    return this.#ctx.sim.trace.instant({ actor: this.#s.agent, layer: "harness", kind, parent, attrs: { step: this.#s.step, ...attrs } });
  }

  #finish(startedAt: number): StepReport {
    const attempts = this.#attempts;
    const last = attempts.at(-1) as AttemptRecord;
    const outcome: StepOutcome = last.outcome === "ok" ? "succeeded" : last.outcome === "pending" ? "pending" : "failed";
    const declaredFailed = attempts.filter((a) => a.outcome === "abandoned").length;
    const callerErrors = this.#callerErrors;
    const tail = defined({ receipt: last.receipt, error: outcome === "failed" ? last.error : undefined });
    const eventId = this.#ctx.sim.trace.end(this.#span, { outcome, attempts: attempts.length, declaredFailed, callerErrors, ...tail });
    const answer = outcome === "succeeded" ? defined({ result: last.result ?? null, resultEventId: last.resultEventId }) : {};
    return { step: this.#s.step, outcome, ...answer, ...tail, attempts, declaredFailed, callerErrors, startedAt, endedAt: this.#ctx.now, eventId };
  }
}

/** Without `classifyErrors` every error the tool returns is retried alike; empty results still go to the model. */
function errorClass(kind: AttemptErrorKind, classify: boolean): ErrorClass {
  const cls = classifyError(kind);
  return !classify && cls === "caller" && kind !== "empty-result" ? "transient" : cls;
}

function settle(tool: ToolPort, o: CallOptions): Settings {
  const d = HARNESS_DEFAULTS;
  return {
    agent: o.agent,
    step: o.step,
    sw: { ...NO_SWITCHES, ...o.switches },
    attemptBudgetMs: o.attemptBudgetMs ?? Infinity,
    deadlineAt: o.deadlineAt ?? Infinity,
    deadlineMarginMs: o.deadlineMarginMs ?? d.deadlineMarginMs,
    idempotencyKey: o.idempotencyKey ?? `${o.agent}:${o.step}`,
    receipts: o.receipts ?? (isReceiptPort(tool) ? tool : undefined),
    receiptTimeoutMs: o.receiptTimeoutMs ?? d.receiptTimeoutMs,
    receiptPollMs: o.receiptPollMs ?? d.receiptPollMs,
  };
}

/** What an attempt came to, before the record's bookkeeping fields. */
type AttemptFields = Omit<AttemptRecord, "attempt" | "startedAt" | "endedAt" | "eventId">;

/** Prepares, sends and judges one attempt, inside its `attempt` span. */
async function runAttempt(ctx: ProcessContext, tool: ToolPort, source: RequestSource, info: AttemptInfo, s: Settings): Promise<Attempt> {
  const trace = ctx.sim.trace;
  const startedAt = ctx.now;
  const prepared = ctx.now < s.deadlineAt ? await source(ctx, info) : undefined;
  const budgetMs = Math.min(s.attemptBudgetMs, s.deadlineAt - ctx.now);
  const sent = defined({
    idempotencyKey: s.sw.idempotencyKeys ? s.idempotencyKey : undefined,
    deadlineAt: s.sw.deadlinePropagation && budgetMs < Infinity ? Math.max(ctx.now, ctx.now + budgetMs - s.deadlineMarginMs) : undefined,
  });
  const parent = prepared === undefined ? info.parent : prepared.ok ? (prepared.request.parent ?? info.parent) : prepared.eventId;
  const span = trace.begin({ actor: s.agent, layer: "harness", kind: "attempt", parent, attrs: { step: s.step, attempt: info.attempt, ...sent } });
  let fields: AttemptFields;
  if (prepared === undefined || budgetMs <= 0) fields = { outcome: "error", declared: "failed", error: "deadline-exceeded" };
  else if (!prepared.ok)
    fields = { outcome: "error", declared: "failed", ...defined({ error: prepared.error, message: prepared.message, retryAfterMs: prepared.retryAfterMs }) };
  else {
    const request: ToolRequest = { ...prepared.request, ...sent, caller: s.agent, parent: span };
    fields = await judge(ctx, await invoke(ctx, tool, request, budgetMs, s, span, info.attempt), s, span);
  }
  const { result: _shownByTheTool, ...attrs } = fields;
  const endId = trace.end(span, attrs as Attrs);
  return { rec: { attempt: info.attempt, ...fields, startedAt, endedAt: ctx.now, eventId: span }, endId };
}

/** Calls the tool in a child process, raced against the budget; `abandoned` when the budget won. */
async function invoke(
  ctx: ProcessContext,
  tool: ToolPort,
  request: ToolRequest,
  budgetMs: number,
  s: Settings,
  span: number,
  attempt: number,
): Promise<ToolResponse | "abandoned"> {
  const cancel = s.sw.cancelOnAbandon;
  const child = ctx.spawn(`${s.agent}/${s.step}#${attempt}`, (c) => tool.call(c, cancel ? { ...request, cancel: c.signal } : request), { daemon: true });
  // A join left behind by the budget must not reject unhandled if this process is cancelled later.
  const joined = budgetMs === Infinity ? ctx.join(child) : ctx.join(child).catch((error: unknown) => ({ status: "failed" as const, error }));
  const raced = budgetMs === Infinity ? { ok: true as const, value: await joined } : await ctx.deadline(budgetMs, joined, `${s.agent}: budget of ${s.step}`);
  if (raced.ok) {
    const out = raced.value;
    if (out.status === "done") return out.value;
    if (out.status === "failed") throw out.error;
    return { ok: false, error: "cancelled", message: out.reason, eventId: span };
  }
  const trace = ctx.sim.trace;
  const fired = trace.instant({ actor: s.agent, layer: "harness", kind: "budget.exceeded", parent: span, attrs: { step: s.step, attempt, budgetMs, cancel } });
  trace.instant({ actor: s.agent, layer: "harness", kind: "step.declared-failed", parent: fired, attrs: { step: s.step, attempt, reason: "budget-exceeded" } });
  if (cancel) child.cancel(`${s.agent} abandoned ${s.step} attempt ${attempt}: budget exceeded`);
  return "abandoned";
}

/** Turns the tool's answer into the attempt's outcome: awaits a receipt, validates the result. */
async function judge(ctx: ProcessContext, response: ToolResponse | "abandoned", s: Settings, span: number): Promise<AttemptFields> {
  if (response === "abandoned") return { outcome: "abandoned", declared: "failed", error: "budget-exceeded" };
  if (!response.ok)
    return { outcome: "error", declared: "failed", ...defined({ error: response.error, message: response.message, retryAfterMs: response.retryAfterMs }) };
  const receipt = response.receipt === undefined ? {} : { receipt: response.receipt };
  let result = response.result;
  let resultEventId = response.eventId;
  if (response.receipt !== undefined && s.sw.awaitReceipts) {
    const until = Math.min(ctx.now + s.receiptTimeoutMs, s.deadlineAt);
    const watch = { agent: s.agent, step: s.step, until, pollMs: s.receiptPollMs, parent: span };
    const st = s.receipts ? await awaitReceipt(ctx, s.receipts, response.receipt, watch) : ({ state: "pending" } as const);
    if (st.state === "pending") return { outcome: "pending", declared: "pending", ...receipt };
    if (st.state === "failed") return { outcome: "error", declared: "failed", error: "job-failed", message: st.message, ...receipt };
    result = st.result;
    resultEventId = st.eventId ?? resultEventId;
  }
  const unresolved = response.receipt !== undefined && !s.sw.awaitReceipts;
  if (s.sw.validateResults && !unresolved && isEmptyResult(result)) {
    return { outcome: "error", declared: "failed", error: "empty-result", message: "the tool returned no data", ...receipt };
  }
  return { outcome: "ok", declared: "succeeded", result, resultEventId, ...receipt };
}

/**
 * `o` without its undefined fields, so that attributes stay JSON-safe and optional fields stay
 * absent. Typed as if every field were present, which holds for every field it keeps: spread the
 * result, do not read it.
 */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
