/**
 * One logical step of an agent: a tool call with retries, a per-attempt budget, an overall
 * deadline, and the switches the catalog's mitigations need (all off by default).
 *
 * ```ts
 * const report = await callWithPolicy(ctx, refundTool, { args: { order: "A1" } }, retryPolicy({ fixed: { delay: "1s" } }), {
 *   agent: "agent", step: "refund", rng: ctx.rng("agent:retry"), attemptBudgetMs: 7_900,
 *   switches: { idempotencyKeys: true },
 * });
 * ```
 *
 * Each attempt runs the call in a child process raced against the attempt's budget; when the
 * budget fires first the harness *declares* the call failed, and the call runs on (like a real
 * client timeout) unless `cancelOnAbandon` cancels it. The tool decides whether it honours that.
 *
 * Trace (layer `harness`, actor = the agent). Spans: `step` (end: outcome, attempts,
 * declaredFailed, callerErrors, error), `attempt` (begin: attempt, idempotencyKey, deadlineAt;
 * end: outcome, declared, error), `receipt.await` (end: state). Instants: `budget.exceeded`,
 * `step.declared-failed` (the call was declared failed though the tool never said so),
 * `retry.scheduled` (delayMs, retryAfterMs), `retry.denied` (reason), `feedback` (an error sent
 * back to the model; `defect` when counted). Causal parents chain step -> model (the request
 * source) -> attempt -> tool call, and attempt end -> retry.scheduled -> next model call.
 */
import type { ToolErrorKind, ToolPort, ToolRequest, ToolResponse } from "./contracts.js";
import { classifyError, retryCause, type AttemptErrorKind, type ErrorClass } from "./error-classification.js";
import { awaitReceipt, isReceiptPort, type ReceiptPort } from "./receipts.js";
import type { RetryBudget, RetryCause } from "./retry-budget.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { Rng } from "../sim/rng.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";

/** The mitigation switches; every one is off unless a scenario turns it on. */
export interface HarnessSwitches {
  /** Pass the tool `deadlineAt = now + remaining budget - margin`: one clock, not two. */
  deadlinePropagation: boolean;
  /** Cancel the in-flight call when its budget fires. */
  cancelOnAbandon: boolean;
  /** Send one idempotency key per logical step, stable across retries. */
  idempotencyKeys: boolean;
  /** Retry only transient errors; caller errors go back to the model and are counted as defects. */
  classifyErrors: boolean;
  /** Await a receipt (poll its job under a deadline) before the step counts as done. */
  awaitReceipts: boolean;
  /** A null or empty result becomes an explicit error for the model instead of an answer. */
  validateResults: boolean;
}

/** Every switch off: the harness as the posts find it. */
export const NO_SWITCHES: Readonly<HarnessSwitches> = {
  deadlinePropagation: false,
  cancelOnAbandon: false,
  idempotencyKeys: false,
  classifyErrors: false,
  awaitReceipts: false,
  validateResults: false,
};

/**
 * Defaults of the harness's own knobs. No published figure exists for these; they are agentsim's
 * choices, overridable per call:
 * - `deadlineMarginMs` 100 ms: time for a tool's "gave up" answer to travel back before the budget fires;
 * - `receiptTimeoutMs` 10 min and `receiptPollMs` 5 s: the catalog's async jobs end "minutes later";
 * - `maxFeedbackRounds` 1: one chance for the model to correct a call after an error sent back to it.
 */
export const HARNESS_DEFAULTS = { deadlineMarginMs: 100, receiptTimeoutMs: 600_000, receiptPollMs: 5_000, maxFeedbackRounds: 1 } as const;

/** What a request source is told about the attempt it prepares. */
export interface AttemptInfo {
  /** 1 for the first try; counts retries and feedback rounds alike. */
  attempt: number;
  /** The event that caused this attempt: the step's begin, a `retry.scheduled` or a `feedback`. */
  parent: number;
  /** The attempt before this one, with its error, when there was one. */
  previous?: AttemptRecord;
}

/** A request ready to send, or why it could not be prepared (e.g. the model call failed). */
export type PreparedRequest =
  | { ok: true; request: ToolRequest }
  | { ok: false; error: ToolErrorKind; message: string; retryAfterMs?: number; eventId: number };

/** Prepares each attempt's request (a model "thinking" and choosing arguments, typically). */
export type RequestSource = (ctx: ProcessContext, info: AttemptInfo) => Promise<PreparedRequest>;

/** Options of one step. */
export interface CallOptions {
  /** The agent: the trace's actor and the requests' caller. */
  agent: string;
  /** The logical step's name. */
  step: string;
  /** The stream backoff jitter draws from. */
  rng: Rng;
  switches?: Partial<HarnessSwitches>;
  /** Wall-clock budget of each attempt, ms (default: none). */
  attemptBudgetMs?: number;
  /** The run's overall deadline, absolute virtual ms (default: none). */
  deadlineAt?: number;
  deadlineMarginMs?: number;
  retryBudget?: RetryBudget;
  /** The key sent with `idempotencyKeys` (default `<agent>:<step>`). */
  idempotencyKey?: string;
  /** Where receipts are polled (default: the tool, if it has `poll`). */
  receipts?: ReceiptPort;
  receiptTimeoutMs?: number;
  receiptPollMs?: number;
  maxFeedbackRounds?: number;
  /** The event that caused this step. */
  parent?: number;
}

/** How a step ended: `pending` when its job was still unresolved at the receipt deadline. */
export type StepOutcome = "succeeded" | "failed" | "pending";

/** What happened in one attempt, and what the harness declared about it. */
export interface AttemptRecord {
  attempt: number;
  /** `abandoned`: the budget fired before the tool answered. */
  outcome: "ok" | "error" | "abandoned" | "pending";
  declared: StepOutcome;
  error?: AttemptErrorKind;
  message?: string;
  retryAfterMs?: number;
  result?: AttrValue;
  /** The trace event that delivered `result` (the tool's answer, or the poll that resolved the receipt). */
  resultEventId?: number;
  receipt?: string;
  startedAt: number;
  endedAt: number;
  /** The attempt span's id (the parent of the tool call). */
  eventId: number;
}

/** What one step did. Invariants are judged from the trace and ledgers, not from this. */
export interface StepReport {
  step: string;
  outcome: StepOutcome;
  result?: AttrValue;
  /** The trace event that delivered `result`: the parent for whatever the model makes of it. */
  resultEventId?: number;
  receipt?: string;
  error?: AttemptErrorKind;
  attempts: AttemptRecord[];
  /** Attempts the harness declared failed because its budget fired. */
  declaredFailed: number;
  /** Caller errors counted as defects (only with `classifyErrors`). */
  callerErrors: number;
  startedAt: number;
  endedAt: number;
  /** The id of the step's end event. */
  eventId: number;
}

type Settings = Required<Omit<CallOptions, "retryBudget" | "receipts" | "parent" | "switches">> & {
  sw: HarnessSwitches;
  receipts: ReceiptPort | undefined;
};

/** Runs one logical step: attempts, retries, feedback rounds, until success or a final failure. */
export async function callWithPolicy(
  ctx: ProcessContext,
  tool: ToolPort,
  request: ToolRequest | RequestSource,
  policy: RetryPolicy,
  opts: CallOptions,
): Promise<StepReport> {
  const s = settle(tool, opts);
  const trace = ctx.sim.trace;
  const startedAt = ctx.now;
  const stepSpan = trace.begin({ actor: s.agent, layer: "harness", kind: "step", parent: opts.parent, attrs: { step: s.step, tool: tool.name } });
  const source: RequestSource = typeof request === "function" ? request : async () => ({ ok: true, request });
  const schedule = policy.start(s.rng);
  const budget = opts.retryBudget;
  budget?.onRequest();
  const attempts: AttemptRecord[] = [];
  let cause = stepSpan;
  let feedbackLeft = s.maxFeedbackRounds;
  let lastRetry: RetryCause | undefined;
  let callerErrors = 0;
  for (;;) {
    const previous = attempts.at(-1);
    const { rec, endId } = await runAttempt(ctx, tool, source, { attempt: attempts.length + 1, parent: cause, ...(previous ? { previous } : {}) }, s);
    attempts.push(rec);
    if (rec.outcome === "ok" || rec.outcome === "pending") {
      budget?.onSuccess(lastRetry);
      return finish(ctx, stepSpan, s.step, startedAt, attempts, callerErrors);
    }
    const kind = rec.error as AttemptErrorKind;
    const cls = errorClass(kind, s.sw.classifyErrors);
    if (cls === "caller") {
      if (s.sw.classifyErrors) callerErrors++;
      if (feedbackLeft-- <= 0) return finish(ctx, stepSpan, s.step, startedAt, attempts, callerErrors);
      cause = trace.instant({ actor: s.agent, layer: "harness", kind: "feedback", parent: endId, attrs: { step: s.step, error: kind, defect: s.sw.classifyErrors } });
      continue;
    }
    if (cls === "final") return finish(ctx, stepSpan, s.step, startedAt, attempts, callerErrors);
    const delay = schedule.next(rec.retryAfterMs);
    const rc = retryCause(kind);
    const denied =
      delay === undefined ? "attempts-exhausted" : ctx.now + delay >= s.deadlineAt ? "deadline" : budget && !budget.canRetry(rc) ? "retry-budget" : undefined;
    if (denied !== undefined || delay === undefined) {
      const attrs: Attrs = { step: s.step, reason: denied ?? "attempts-exhausted", ...(budget?.snapshot() ?? {}) };
      trace.instant({ actor: s.agent, layer: "harness", kind: "retry.denied", parent: endId, attrs });
      return finish(ctx, stepSpan, s.step, startedAt, attempts, callerErrors);
    }
    budget?.onRetry(rc);
    lastRetry = rc;
    const attrs = defined({ step: s.step, delayMs: delay, nextAttempt: attempts.length + 1, retryAfterMs: rec.retryAfterMs });
    cause = trace.instant({ actor: s.agent, layer: "harness", kind: "retry.scheduled", parent: endId, attrs });
    await ctx.sleep(delay, `${s.agent}: backoff before attempt ${attempts.length + 1} of ${s.step}`);
  }
}

/** Without `classifyErrors` every error the tool returns is retried alike; empty results still go to the model. */
function errorClass(kind: AttemptErrorKind, classify: boolean): ErrorClass {
  const cls = classifyError(kind);
  return !classify && cls === "caller" && kind !== "empty-result" ? "transient" : cls;
}

function settle(tool: ToolPort, o: CallOptions): Settings {
  return {
    ...HARNESS_DEFAULTS,
    agent: o.agent,
    step: o.step,
    rng: o.rng,
    attemptBudgetMs: o.attemptBudgetMs ?? Infinity,
    deadlineAt: o.deadlineAt ?? Infinity,
    idempotencyKey: o.idempotencyKey ?? `${o.agent}:${o.step}`,
    ...defined({
      deadlineMarginMs: o.deadlineMarginMs,
      receiptTimeoutMs: o.receiptTimeoutMs,
      receiptPollMs: o.receiptPollMs,
      maxFeedbackRounds: o.maxFeedbackRounds,
    }),
    sw: { ...NO_SWITCHES, ...o.switches },
    receipts: o.receipts ?? (isReceiptPort(tool) ? tool : undefined),
  };
}

async function runAttempt(
  ctx: ProcessContext,
  tool: ToolPort,
  source: RequestSource,
  info: AttemptInfo,
  s: Settings,
): Promise<{ rec: AttemptRecord; endId: number }> {
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
  const close = (r: Omit<AttemptRecord, "attempt" | "startedAt" | "endedAt" | "eventId">): { rec: AttemptRecord; endId: number } => {
    const rec: AttemptRecord = { attempt: info.attempt, ...r, startedAt, endedAt: ctx.now, eventId: span };
    const { result: _r, ...attrs } = r;
    return { rec, endId: trace.end(span, attrs as Attrs) };
  };
  if (prepared === undefined || budgetMs <= 0) return close({ outcome: "error", declared: "failed", error: "deadline-exceeded" });
  if (!prepared.ok) {
    const after = prepared.retryAfterMs === undefined ? {} : { retryAfterMs: prepared.retryAfterMs };
    return close({ outcome: "error", declared: "failed", error: prepared.error, message: prepared.message, ...after });
  }
  const request: ToolRequest = { ...prepared.request, ...sent, caller: s.agent, parent: span };
  const response = await invoke(ctx, tool, request, budgetMs, s, span, info.attempt);
  if (response === "abandoned") return close({ outcome: "abandoned", declared: "failed", error: "budget-exceeded" });
  if (!response.ok) {
    const after = response.retryAfterMs === undefined ? {} : { retryAfterMs: response.retryAfterMs };
    return close({ outcome: "error", declared: "failed", error: response.error, message: response.message, ...after });
  }
  const receipt = response.receipt === undefined ? {} : { receipt: response.receipt };
  let result = response.result;
  let resultEventId = response.eventId;
  if (response.receipt !== undefined && s.sw.awaitReceipts) {
    const until = Math.min(ctx.now + s.receiptTimeoutMs, s.deadlineAt);
    const watch = { agent: s.agent, step: s.step, until, pollMs: s.receiptPollMs, parent: span };
    const st = s.receipts ? await awaitReceipt(ctx, s.receipts, response.receipt, watch) : ({ state: "pending" } as const);
    if (st.state === "pending") return close({ outcome: "pending", declared: "pending", ...receipt });
    if (st.state === "failed") return close({ outcome: "error", declared: "failed", error: "job-failed", message: st.message, ...receipt });
    result = st.result;
    resultEventId = st.eventId ?? resultEventId;
  }
  const unresolved = response.receipt !== undefined && !s.sw.awaitReceipts;
  if (s.sw.validateResults && !unresolved && isEmptyResult(result)) {
    return close({ outcome: "error", declared: "failed", error: "empty-result", message: "the tool returned no data", ...receipt });
  }
  return close({ outcome: "ok", declared: "succeeded", result, resultEventId, ...receipt });
}

/** Calls the tool in a child process, raced against the budget. */
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

function finish(ctx: ProcessContext, span: number, step: string, startedAt: number, attempts: AttemptRecord[], callerErrors: number): StepReport {
  const last = attempts.at(-1) as AttemptRecord;
  const outcome: StepOutcome = last.outcome === "ok" ? "succeeded" : last.outcome === "pending" ? "pending" : "failed";
  const declaredFailed = attempts.filter((a) => a.outcome === "abandoned").length;
  const attrs: Attrs = { outcome, attempts: attempts.length, declaredFailed, callerErrors };
  if (last.receipt !== undefined) attrs.receipt = last.receipt;
  if (outcome === "failed" && last.error !== undefined) attrs.error = last.error;
  const eventId = ctx.sim.trace.end(span, attrs);
  const report: StepReport = { step, outcome, attempts, declaredFailed, callerErrors, startedAt, endedAt: ctx.now, eventId };
  if (outcome === "succeeded") {
    report.result = last.result ?? null;
    if (last.resultEventId !== undefined) report.resultEventId = last.resultEventId;
  }
  if (last.receipt !== undefined) report.receipt = last.receipt;
  if (outcome === "failed" && last.error !== undefined) report.error = last.error;
  return report;
}

/**
 * `o` without its undefined fields, so that defaults stay and attributes stay JSON-safe. Typed as
 * if every field were present, which holds for every field it keeps: spread the result, do not read it.
 */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Null, blank text, and arrays or objects holding nothing but such values. */
export function isEmptyResult(v: AttrValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.every(isEmptyResult);
  if (typeof v === "object") return Object.values(v).every(isEmptyResult);
  return false;
}
