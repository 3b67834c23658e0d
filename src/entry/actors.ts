/**
 * `agentsim-kit/actors`: the simulated parts a world is built from (tools with effects and
 * idempotency, the model provider and prompt cache, retries and budgets, the agent harness,
 * humans and their calendars, sessions, gateways and cron), each with its defaults and their
 * sources. Every actor takes the simulation (`agentsim-kit/kernel`) in its constructor.
 * An explicit list; docs/API.md lists it by section (`npm run docs`).
 */

// ## Tools, effects and idempotency
export { TRANSIENT_ERRORS, type ToolErrorKind, type ToolRequest, type ToolResponse, type ToolPort } from "../actors/contracts.js";
export type { LlmRequest, LlmUsage, LlmResponse, ModelPort } from "../actors/contracts.js";
export {
  SimTool,
  toDistribution,
  type DistributionInput,
  type CommitPoint,
  type EffectSpec,
  type WorkOutcome,
  type ToolReply,
  type ToolFaults,
  type SimToolOptions,
  type ToolCallRecord,
} from "../actors/tool.js";
export { EffectLedger, type EffectRecord, type EffectEntry } from "../actors/effect-ledger.js";
export { IdempotencyStore, requestFingerprint, keyProblem, type IdempotencyLookup, type IdempotencyStoreOptions } from "../actors/idempotency.js";
export { JobService, type JobServiceOptions, type JobRecord, type JobOutcome, type JobPoll, type JobState, type JobCallback } from "../actors/job-service.js";
export { awaitReceipt, receiptsViaTool, isReceiptPort, type ReceiptPort, type ReceiptStatus, type ReceiptWatch } from "../actors/receipts.js";
export { SharedStore, type SharedStoreOptions, type StoreOp, type StoreOpKind, type RegisterHistoryOp } from "../actors/shared-store.js";
export { CheckpointStore, type Checkpoint } from "../actors/checkpoint-store.js";

// ## The model provider, prompt cache, billing and rate limits
export { LlmProvider, type LlmProviderOptions, type ErrorRates, type LlmTotals } from "../actors/llm-provider.js";
export type {
  ModelBehaviourOptions,
  SampleToolArgsOptions,
  ToolArgsSample,
  InterpretToolResultOptions,
  Interpretation,
  BelievedNowOptions,
  BelievedNow,
} from "../actors/model-behaviour.js";
export { PromptCache, type PromptCacheOptions, type CacheLifetime, type CacheStats, type CacheLogEntry } from "../actors/prompt-cache.js";
export { PrefixWarmth, type WarmthObservation } from "../actors/prefix-warmth.js";
export { KeepWarm, xfetchEarlyMs, type KeepWarmOptions, type KeepWarmFire } from "../actors/keep-warm.js";
export { BillingMeter } from "../actors/billing.js";
export { TokenBucket, type TokenBucketOptions, type TakeResult } from "../actors/token-bucket.js";
export { SingleFlight, type Flight, type SingleFlightStats } from "../actors/single-flight.js";
export { SingleFlightModel, type SingleFlightModelOptions, type SingleFlightSend } from "../actors/single-flight-model.js";

// ## Retries, budgets, cancellation and the agent harness
export { retryPolicy, JITTERS, type Jitter, type RetryPolicySpec, type RetryPolicy, type RetrySchedule } from "../actors/retry-policy.js";
export { retryBudget, type RetryBudget, type RetryBudgetSpec, type RetryCause } from "../actors/retry-budget.js";
export { classifyError, retryCause, type AttemptErrorKind, type ErrorClass } from "../actors/error-classification.js";
export { callWithPolicy } from "../actors/call-with-policy.js";
export { hedgedSend, type HedgeResult, type HedgeWinner } from "../actors/hedged-request.js";
export { CancelSource } from "../actors/cancel-source.js";
export { NO_SWITCHES, type HarnessSwitches, type AttemptInfo, type PreparedRequest, type RequestSource, type CallOptions } from "../actors/harness-contract.js";
export type { StepOutcome, AttemptRecord, StepReport } from "../actors/harness-contract.js";
export { AgentHarness, thinkThenAct, type AgentHarnessOptions, type PlanStep, type RunReport, type ThinkSpec, type ArgsInfo } from "../actors/agent-harness.js";

// ## Humans, calendars, time zones, sessions, gateways and cron
export {
  ApprovalQueue,
  type ApprovalQueueOptions,
  type ApprovalQueueKind,
  type ApprovalRequestInput,
  type ApprovalDecision,
  type ApprovalTicket,
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalOutcome,
  type EscalationPolicy,
} from "../actors/approval-queue.js";
export { Reviewer, type ReviewerOptions } from "../actors/reviewer.js";
export {
  Calendar,
  CalendarError,
  type CalendarSpec,
  type MeetingSpec,
  type AbsenceSpec,
  type LocalInterval,
  type CalendarStatus,
  type Spell,
} from "../actors/calendar.js";
export { TimeZoneError } from "../actors/time-zone.js";
export {
  SessionStore,
  ConversationIdAllocator,
  spawnUser,
  type Session,
  type SessionMessage,
  type ConversationLease,
  type IdReusePolicy,
  type UserOptions,
} from "../actors/sessions.js";
export {
  Gateway,
  type GatewayOptions,
  type Callback,
  type DeliveryRecord,
  type DeliveryOutcome,
  type DeliveryReason,
  type DeadLetter,
} from "../actors/gateway.js";
export { parseCron, CronSchedule, spawnCron, CronError, type CronFields, type CronFire, type CronJobOptions } from "../actors/cron.js";

// ## Defaults, each with its source
export {
  TOOL_DEFAULTS,
  IDEMPOTENCY_DEFAULTS,
  JOB_DEFAULTS,
  STORE_DEFAULTS,
  LLM_DEFAULTS,
  MODEL_BEHAVIOUR_DEFAULTS,
  PROMPT_CACHE_DEFAULTS,
  BILLING_DEFAULTS,
  RETRY_POLICY_DEFAULTS,
  RETRY_BUDGET_DEFAULTS,
  HARNESS_DEFAULTS,
  CALENDAR_DEFAULTS,
  REVIEWER_DEFAULTS,
  APPROVAL_QUEUE_DEFAULTS,
  SESSION_DEFAULTS,
  GATEWAY_DEFAULTS,
  CRON_DEFAULTS,
} from "../actors/defaults.js";
