/**
 * Error classification: which failures of a call are worth retrying as they are, and which are
 * the caller's own mistakes that a retry only launders into a green check.
 *
 * Retries were designed for a correct caller and a flaky network; an agent inverts that. So the
 * `classify-errors` mitigation retries only transient failures; caller errors go back to the
 * model as feedback and are counted as defects; final outcomes end the step.
 */
import { TRANSIENT_ERRORS, type ToolErrorKind } from "./contracts.js";
import type { RetryCause } from "./retry-budget.js";

/**
 * How an attempt failed: a tool's own error kinds plus what the harness itself decides.
 * - `budget-exceeded`: the harness's per-attempt budget fired first; the call's fate is unknown.
 * - `empty-result`: the tool answered null or empty and result validation rejected it.
 * - `job-failed`: the job behind an awaited receipt failed.
 * - `deadline-exceeded`: the run's overall deadline left no time for another attempt.
 */
export type AttemptErrorKind = ToolErrorKind | "budget-exceeded" | "empty-result" | "job-failed" | "deadline-exceeded";

/**
 * - `transient`: retrying the same request may succeed (5xx, 429, 409 in flight, timeouts).
 * - `caller`: the request itself was wrong; retrying it as it is cannot help; the model must change
 *   it. A defect of the caller.
 * - `final`: nothing to retry (the call was cancelled, the job failed, the run is out of time).
 */
export type ErrorClass = "transient" | "caller" | "final";

const CALLER_ERRORS: ReadonlySet<AttemptErrorKind> = new Set(["caller", "idempotency-mismatch", "empty-result"]);

/** Classifies a failure kind. The harness's own budget firing counts as a timeout: transient. */
export function classifyError(kind: AttemptErrorKind): ErrorClass {
  if (kind === "budget-exceeded" || TRANSIENT_ERRORS.has(kind as ToolErrorKind)) return "transient";
  return CALLER_ERRORS.has(kind) ? "caller" : "final";
}

/** What a retry after `kind` costs a retry budget: timeouts (the tool's or the harness's) cost more. */
export function retryCause(kind: AttemptErrorKind): RetryCause {
  return kind === "timeout" || kind === "budget-exceeded" ? "timeout" : "error";
}
