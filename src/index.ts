/**
 * agentsim's public library API, the package root (`import { ... } from "agentsim"`).
 *
 * Sections, in the order a newcomer meets them: testing your own agent (`simulate`,
 * `agentScenario`, invariants, a fast-check arbitrary); running unmodified agent code in a
 * simulated world (`runInWorld`); the kernel (virtual time, processes, seeded streams, the
 * trace); the actors to build worlds from; the invariant checkers; the scenario contract and
 * parameters; the catalog; running, searching with shrinking, repros and sweeps; scenario files;
 * the report renderers. docs/API.md lists every export by section (run `npm run docs` after
 * changing this file). The command line is in `cli.ts`.
 */

// ## Test your own agent: run an async agent function on virtual time against simulated tools and a model
export { simulate, type SimulateOptions, type AgentRun } from "./api/simulate.js";
export {
  agentScenario,
  agentEvidence,
  AGENT_HORIZON,
  type Agent,
  type AgentScenarioSpec,
  type AgentSetup,
  type ToolSpec,
  type ToolSpecs,
} from "./api/agent-scenario.js";
export type { AgentEnv, AgentModel, AgentModelRequest } from "./api/agent-env.js";
export { processClock, type AgentClock } from "./api/agent-clock.js";
export { ToolCallError, type AgentTool, type ToolCallOptions } from "./api/agent-tool.js";
export { atMostOnce, agentReturns, type Invariant, type ViolationInput } from "./api/invariant.js";
export type { AgentEnd, AgentEvidence } from "./api/agent-evidence.js";
export { agentRunArbitrary, type AgentRunArbitraryOptions, type AgentRunDraw } from "./api/agent-run-arbitrary.js";
export { TOOL_SLOWDOWN, TOOL_OUTAGE, DEFAULT_SLOWDOWN, toolFaultKinds } from "./api/tool-faults.js";

// ## Real code on virtual time: run unmodified agent code (timers, Date, randomness, fetch, SDKs) in a simulated world
export { runInWorld, type RunInWorldOptions, type WorldRun, type AgentResult } from "./world/run-in-world.js";
export { SimWorld, type SimWorldOptions, type AgentOutcome } from "./world/sim-world.js";
export { SimulationLeakError, answerAfter, jsonResponse, type SimService, type Exchange } from "./world/sim-fetch.js";
export { AnthropicEndpoint, type AnthropicEndpointOptions } from "./world/anthropic-endpoint.js";
export { HttpTool, type HttpToolOptions } from "./world/http-tool.js";
export { userRefundScenario, type UserRefundScenarioOptions, type RefundOrder, type RefundAgentEnv, type RefundAgent } from "./world/user-agent-scenario.js";

// ## Kernel: virtual time, the event queue, processes, seeded streams, distributions, the trace
export * from "./sim/index.js";

// ## Actors: tools, effects and idempotency
export { TRANSIENT_ERRORS, type ToolErrorKind, type ToolRequest, type ToolResponse, type ToolPort } from "./actors/contracts.js";
export type { LlmRequest, LlmUsage, LlmResponse, ModelPort } from "./actors/contracts.js";
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
} from "./actors/tool.js";
export { EffectLedger, type EffectRecord, type EffectEntry } from "./actors/effect-ledger.js";
export { IdempotencyStore, requestFingerprint, keyProblem, type IdempotencyLookup, type IdempotencyStoreOptions } from "./actors/idempotency.js";
export { JobService, type JobServiceOptions, type JobRecord, type JobOutcome, type JobPoll, type JobState, type JobCallback } from "./actors/job-service.js";
export { awaitReceipt, receiptsViaTool, isReceiptPort, type ReceiptPort, type ReceiptStatus, type ReceiptWatch } from "./actors/receipts.js";
export { SharedStore, type SharedStoreOptions, type StoreOp, type StoreOpKind, type RegisterHistoryOp } from "./actors/shared-store.js";
export { CheckpointStore, type Checkpoint } from "./actors/checkpoint-store.js";

// ## Actors: the model provider, prompt cache, billing and rate limits
export { LlmProvider, type LlmProviderOptions, type ErrorRates, type LlmTotals } from "./actors/llm-provider.js";
export type {
  ModelBehaviourOptions,
  SampleToolArgsOptions,
  ToolArgsSample,
  InterpretToolResultOptions,
  Interpretation,
  BelievedNowOptions,
  BelievedNow,
} from "./actors/model-behaviour.js";
export { PromptCache, type PromptCacheOptions, type CacheLifetime, type CacheStats, type CacheLogEntry } from "./actors/prompt-cache.js";
export { PrefixWarmth, type WarmthObservation } from "./actors/prefix-warmth.js";
export { KeepWarm, xfetchEarlyMs, type KeepWarmOptions, type KeepWarmFire } from "./actors/keep-warm.js";
export { BillingMeter } from "./actors/billing.js";
export { TokenBucket, type TokenBucketOptions, type TakeResult } from "./actors/token-bucket.js";
export { SingleFlight, type Flight, type SingleFlightStats } from "./actors/single-flight.js";

// ## Actors: retries, budgets, cancellation and the agent harness
export { retryPolicy, JITTERS, type Jitter, type RetryPolicySpec, type RetryPolicy, type RetrySchedule } from "./actors/retry-policy.js";
export { retryBudget, type RetryBudget, type RetryBudgetSpec, type RetryCause } from "./actors/retry-budget.js";
export { classifyError, retryCause, type AttemptErrorKind, type ErrorClass } from "./actors/error-classification.js";
export { callWithPolicy } from "./actors/call-with-policy.js";
export { hedgedSend, type HedgeResult, type HedgeWinner } from "./actors/hedged-request.js";
export { CancelSource } from "./actors/cancel-source.js";
export { NO_SWITCHES, type HarnessSwitches, type AttemptInfo, type PreparedRequest, type RequestSource, type CallOptions } from "./actors/harness-contract.js";
export type { StepOutcome, AttemptRecord, StepReport } from "./actors/harness-contract.js";
export { AgentHarness, thinkThenAct, type AgentHarnessOptions, type PlanStep, type RunReport, type ThinkSpec, type ArgsInfo } from "./actors/agent-harness.js";

// ## Actors: humans, calendars, time zones, sessions, gateways and cron
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
} from "./actors/approval-queue.js";
export { Reviewer, type ReviewerOptions } from "./actors/reviewer.js";
export { Calendar, CalendarError, type CalendarSpec, type MeetingSpec, type AbsenceSpec, type LocalInterval, type CalendarStatus, type Spell } from "./actors/calendar.js";
export {
  assertTimeZone,
  localParts,
  localDate,
  zoneOffsetMs,
  utcOfLocal,
  utcOfLocalTime,
  nextLocalTime,
  parseDate,
  parseClockTime,
  addDays,
  weekdayOf,
  TimeZoneError,
  type WallTime,
  type LocalParts,
} from "./actors/time-zone.js";
export { SessionStore, ConversationIdAllocator, spawnUser, type Session, type SessionMessage, type ConversationLease, type IdReusePolicy, type UserOptions } from "./actors/sessions.js";
export { Gateway, type GatewayOptions, type Callback, type DeliveryRecord, type DeliveryOutcome, type DeliveryReason, type DeadLetter } from "./actors/gateway.js";
export { parseCron, CronSchedule, spawnCron, CronError, type CronFields, type CronFire, type CronJobOptions } from "./actors/cron.js";

// ## Actors: defaults, each with its source
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
} from "./actors/defaults.js";

// ## Checkers: invariants as pure functions over evidence
export * from "./checks/index.js";
export { finishesWithin, type WorkItem, type FinishesWithinOptions } from "./checks/liveness.js";
export { datesAgree, disagreementsByClock, type DateWitness, type DatedRun } from "./checks/dates-agree.js";
export { approvalWaitEdges, type ApprovalWaitEdgesOptions } from "./checks/approval-wait-edges.js";
export { requestingSession, noCrossSessionDelivery, noSilentDrop, type SessionRef, type DeliveryLogEntry } from "./checks/callback-delivery.js";

// ## Scenarios: the contract, parameters, fault windows and the catalog
export * from "./scenarios/scenario.js";
export * from "./scenarios/params.js";
export { activeFault, slowedDuring } from "./scenarios/fault-windows.js";
export { catalog, findScenario } from "./scenarios/catalog.js";

// ## Running: one seed, search with shrinking, repros and replay, determinism
export * from "./run/run-scenario.js";
export { scenarioRunArbitrary, faultScheduleArbitrary, type ScenarioRun, type RunArbitraryOptions } from "./run/scenario-run-arbitrary.js";
export { expectNoViolation, type ExpectNoViolationOptions } from "./run/expect-no-violation.js";
export { checkScenario, compareSchedules, scheduleSize, type CheckOptions, type CheckResult, type Counterexample } from "./run/check.js";
export { parseRepro, reproOf, describeRepro, REPRO_KIND, type Repro } from "./run/repro.js";
export { replayRepro, type ReplayOutcome } from "./run/replay.js";
export { checkDeterminism, firstDivergence, type DeterminismCheck, type Divergence } from "./run/determinism.js";

// ## Sweeps: many seeds, rates with confidence intervals, sharding and merging
export { runSweep, SweepLoadError, type SweepOptions, type SweepRun } from "./run/sweep.js";
export { buildSweepReport, SWEEP_KIND, type SweepReport, type InvariantRate, type MetricSpread } from "./run/sweep-report.js";
export { mergeSweepReports, parseSweepReport } from "./run/merge.js";
export { parseSeedList, parseShard, shardSeeds, type SeedList, type Shard } from "./run/sweep-seeds.js";
export { wilson, spreadOf, type Rate, type Spread } from "./run/sweep-stats.js";
export type { SeedSummary, SeedVerdict } from "./run/sweep-summary.js";

// ## Scenario files: YAML with positions, validation, `--set` overrides
export { loadScenarioFile, loadScenarioText, type LoadOptions, type LoadResult } from "./config/load-scenario-file.js";
export { toRunConfig, type ScenarioConfig } from "./config/scenario-config.js";
export { formatProblem, type ConfigProblem, type Position } from "./config/problem.js";
export { applyOverride, parseOverride, type Override } from "./config/overrides.js";

// ## Reports: text, json, jsonl and Chrome-trace renderers
export { replayCommand, type RunContext } from "./report/run-context.js";
export { renderText, type TextOptions } from "./report/render-text.js";
export { jsonReport, renderJson, type JsonReport } from "./report/render-json.js";
export { renderJsonl } from "./report/render-jsonl.js";
export { chromeTrace, renderChrome, type ChromeEvent, type ChromeTrace } from "./report/render-chrome.js";
