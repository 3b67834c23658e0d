/**
 * `agentsim-kit/checks`: invariant checkers, pure functions over evidence (effect ledgers,
 * wait-for graphs, histories, latency samples, answers and the tool results they rest on). Each
 * returns a `Verdict`; a scenario's `check` combines them.
 * An explicit list; docs/API.md lists it by section (`npm run docs`).
 */

// ## Verdicts
export { verdict, type Verdict, type Violation } from "../checks/verdict.js";

// ## Invariants as values: a name, a description and a check, judged under its own name
export { judge, judgeDeclared, InvariantMismatchError, type Invariant, type ViolationInput } from "../checks/invariant.js";

// ## Effects: at most once, exactly once, no phantom failures, lost updates
export { atMostOnceEffects, type CommittedEffect, type AtMostOnceOptions } from "../checks/at-most-once.js";
export { exactlyOnceEffects, type ClaimedEffect, type ExactlyOnceOptions } from "../checks/exactly-once.js";
export { noPhantomFailures, type PhantomFailureOptions } from "../checks/phantom-failure.js";
export { lostUpdates, type CommittedUpdate, type LostUpdate } from "../checks/lost-updates.js";

// ## Histories: linearizability of a register or counter
export {
  linearizable,
  checkLinearizable,
  registerModel,
  counterModel,
  type HistoryOp,
  type SequentialModel,
  type LinearizabilityResult,
  type RegisterInput,
  type RegisterOutput,
  type RegisterState,
  type CounterInput,
  type CounterOutput,
} from "../checks/linearizability.js";

// ## Liveness: wait-for cycles, approval waits, work that finishes in time
export { noWaitCycle, waitCycles, findCycle, type WaitEdgeEvent, type WaitCycle, type NoWaitCycleOptions } from "../checks/wait-for-graph.js";
export { approvalWaitEdges, type ApprovalWaitEdgesOptions } from "../checks/approval-wait-edges.js";
export { finishesWithin, type WorkItem, type FinishesWithinOptions } from "../checks/liveness.js";

// ## Latency and spend
export { latencyQuantileWithin, everyWithin, quantile, type LatencySample } from "../checks/latency.js";
export { noSpendSpike, spendWindows, type Charge, type SpendSpikeOptions, type SpendSpikeWindow } from "../checks/spend-spike.js";
export { cacheWritesPerExpiry, type CacheLogLine, type CacheLife, type CacheWritesPerExpiryOptions } from "../checks/cache-writes-per-expiry.js";

// ## What the agent says: grounded answers, surfaced errors, receipts, dates
export { groundedAnswers, type AnswerFact, type ToolResultReader } from "../checks/grounding.js";
export { errorsSurfaced, type ReportReading, type SurfacedErrorsOptions } from "../checks/surfaced-errors.js";
export {
  receiptsResolved,
  claimsMatchOutcomes,
  receiptEvidence,
  type JobOutcomeClaim,
  type JobEvidence,
  type JobClaim,
  type ReportEvidence,
  type ReceiptEvidence,
  type ReceiptEvidenceOptions,
} from "../checks/receipts.js";
export { datesAgree, disagreementsByClock, type DateWitness, type DatedRun } from "../checks/dates-agree.js";

// ## Callbacks and sessions
export { noCrossSessionDelivery, noSilentDrop, requestingSession, type SessionRef, type DeliveryLogEntry } from "../checks/callback-delivery.js";
