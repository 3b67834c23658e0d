/**
 * The agent harness's contract: the mitigation switches, what one step is given, and the reports
 * it returns. The machinery is in `call-with-policy.ts` (one step) and `agent-harness.ts` (the loop).
 *
 * A step is a series of attempts. Each attempt is prepared by a `RequestSource` (typically the
 * model thinking and choosing arguments), then sent to the tool under the attempt's budget. What
 * the harness *declares* about an attempt can differ from what the tool did: a budget that fires
 * first declares the call failed while the tool may still commit. That gap is what the catalog's
 * invariants look for, in the trace and the tools' ledgers rather than in these reports.
 */
import type { ToolErrorKind, ToolRequest } from "./contracts.js";
import type { AttemptErrorKind } from "./error-classification.js";
import type { ReceiptPort } from "./receipts.js";
import type { RetryBudget } from "./retry-budget.js";
import type { Rng } from "../sim/rng.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { AttrValue } from "../sim/trace.js";

/** The mitigation switches; every one is off unless a scenario turns it on. */
export interface HarnessSwitches {
  /** Pass the tool `deadlineAt = now + remaining budget - margin`: one clock, not two. */
  deadlinePropagation: boolean;
  /** Cancel the in-flight call when its budget fires (the tool decides whether it honours that). */
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

/** What a request source is told about the attempt it prepares. */
export interface AttemptInfo {
  /** 1 for the first try; counts retries and feedback rounds alike. */
  attempt: number;
  /** The event that caused this attempt: the step's begin, a `retry.scheduled` or a `feedback`. */
  parent: number;
  /** The attempt before this one, with its error, when there was one. */
  previous?: AttemptRecord;
}

/** A request ready to send (its `parent` is what caused it), or why it could not be prepared. */
export type PreparedRequest = { ok: true; request: ToolRequest } | { ok: false; error: ToolErrorKind; message: string; retryAfterMs?: number; eventId: number };

/** Prepares each attempt's request (a model "thinking" and choosing arguments, typically). */
export type RequestSource = (ctx: ProcessContext, info: AttemptInfo) => Promise<PreparedRequest>;

/** Options of one step. Durations are in ms; knobs left out take `HARNESS_DEFAULTS` (defaults.ts). */
export interface CallOptions {
  /** The agent: the trace's actor and the requests' caller. */
  agent: string;
  /** The logical step's name. */
  step: string;
  /** The stream backoff jitter draws from. */
  rng: Rng;
  switches?: Partial<HarnessSwitches>;
  /** Wall-clock budget of each attempt (default: none). */
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
  /** Times an error may go back to the model for a corrected call. */
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
