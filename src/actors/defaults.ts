/**
 * The defaults of agentsim's actor models, in one place, each with where its number comes from.
 *
 * Every value here is a default, never a constant: actors take it as an option and scenarios
 * expose it as a parameter. Sources are rows of ../shared/FACTS.md (published facts), the failure
 * catalog (SCENARIOS.md) or the post a scenario replays; a number with no published source says
 * so ("assumption") and why it is harmless.
 *
 * One section per actor; add yours as a new exported `<ACTOR>_DEFAULTS` object with a
 * `source:` note on each field.
 */
import type { DistributionSpec } from "../sim/distributions.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// ---------------------------------------------------------------------------------------------
// Provider prompt cache (src/actors/prompt-cache.ts)
// ---------------------------------------------------------------------------------------------

/** The provider-side prompt cache (Anthropic's semantics). */
export const PROMPT_CACHE_DEFAULTS = {
  /** source: FACTS.md "Provider prompt cache", Anthropic cache lifetime: 5 min default, refreshed by every hit. */
  ttlMs: 5 * MINUTE_MS,
  /** source: FACTS.md "Provider prompt cache", Anthropic cache lifetime: optional 1 h. */
  longTtlMs: HOUR_MS,
  /** source: FACTS.md "Provider prompt cache", Anthropic write price: 1.25x base input (5 min lifetime). */
  writeMultiplier: 1.25,
  /** source: FACTS.md "Provider prompt cache", Anthropic write price: 2x base input (1 h lifetime). */
  longWriteMultiplier: 2,
  /** source: FACTS.md "Provider prompt cache", Anthropic read price: 0.1x base input. */
  readMultiplier: 0.1,
  /** source: FACTS.md "Provider prompt cache", minimum cacheable prefix: 1024 to 4096 tokens by model (the low end, Sonnet-class). */
  minCacheableTokens: 1024,
} as const;

// ---------------------------------------------------------------------------------------------
// LLM provider (src/actors/llm-provider.ts)
// ---------------------------------------------------------------------------------------------

/** The model provider: latency, prices, rate limits, server errors. */
export const LLM_DEFAULTS = {
  /** source: FACTS.md "Provider prompt cache", example base price: Sonnet-class $3 per million input tokens. */
  inputUsdPerMTok: 3,
  /**
   * source: Anthropic's published price for Sonnet-class output, $15 per million tokens (5x input).
   * Not yet a FACTS.md row: add it there when FACTS.md is next revised.
   */
  outputUsdPerMTok: 15,
  /**
   * Time to first token. source: FACTS.md "Latency": medians 0.3 s to 4 s across models; one
   * measurement gives p50/p95 of 600/2,000 ms. p50 600 ms is that measurement; p99 3.3 s is the
   * lognormal through p50 600 ms and p95 2,000 ms (600 * (2000/600)^(z99/z95)).
   */
  ttft: { lognormal: { p50: "600ms", p99: "3.3s" } } as DistributionSpec,
  /**
   * Output speed in tokens per second. source: FACTS.md "Latency": output about 40-240 tokens/s.
   * A Sonnet-class model sits at the slow end: median 80, and p1 40 (p99 160) at the range's floor.
   */
  tokensPerSecond: { lognormal: { p50: 80, p99: 160 } } as DistributionSpec,
  /**
   * Output tokens when a request does not say. source: assumption (no published figure); a
   * typical agent step's answer of a few hundred tokens. Scenarios that care set it per call.
   */
  outputTokens: { lognormal: { p50: 300, p99: 2000 } } as DistributionSpec,
  /**
   * Requests per minute. source: FACTS.md "Retries", rate limits: requests and tokens per minute
   * are token buckets refilled continuously. FACTS.md gives the mechanism, not a number: unlimited
   * unless a scenario sets one.
   */
  rpm: Infinity,
  /** Tokens (input and output) per minute. source: as `rpm`. */
  tpm: Infinity,
  /** source: FACTS.md "Retries", rate limits: 429 carries `retry-after` in seconds, so waits are whole seconds. */
  retryAfterGranularityMs: 1_000,
  /** Chance of a 500 per request. source: off unless a scenario injects server errors. */
  p500: 0,
  /** Chance of a 529 `overloaded` per request. source: FACTS.md "Retries" (529 hits everyone); off unless a scenario injects it. */
  p529: 0,
} as const;

// ---------------------------------------------------------------------------------------------
// Model sampling behaviour (src/actors/model-behaviour.ts)
// ---------------------------------------------------------------------------------------------

/** The model's seeded misbehaviours. All off by default: a scenario turns on the one it studies. */
export const MODEL_BEHAVIOUR_DEFAULTS = {
  /**
   * Chance that sampled tool arguments are malformed. source: off by default; the
   * retry-laundering scenario uses 0.3 (SCENARIOS.md #8: "the model's real first-attempt error
   * rate (say 30%)").
   */
  pMalformed: 0,
  /**
   * Chance that the model turns a null or empty tool result into a confident fact. source: off by
   * default; the null-rationalization post gives no rate, its scenario sets one.
   */
  pRationalize: 0,
  /**
   * Chance that the model ignores a date given in its prompt and believes its training cutoff.
   * source: SCENARIOS.md #6, the `authoritative-now` mitigation: a date passed explicitly is used,
   * so 0. Without a date in the prompt the model always believes the cutoff.
   */
  pCutoffBelief: 0,
  /**
   * Training cutoff, ms since the Unix epoch. source: the four-clocks post ("believing it is
   * February of last year"), with runs starting 2026-03-09: a cutoff of 2025-03-01.
   */
  trainingCutoffMs: Date.UTC(2025, 2, 1),
  /** The believed date is 1 to this many days before the cutoff (all of February 2025). source: as `trainingCutoffMs`. */
  cutoffJitterDays: 28,
} as const;

// ---------------------------------------------------------------------------------------------
// Billing meter (src/actors/billing.ts)
// ---------------------------------------------------------------------------------------------

/** The spend meter's reporting defaults. */
export const BILLING_DEFAULTS = {
  /** Width of a spend-over-time bucket. source: assumption, chart resolution (a 3 min spike spans 18 buckets). */
  bucketMs: 10_000,
  /** The trailing window of the average spend rate. source: the stampede post, "nine times the trailing hourly average". */
  trailingWindowMs: HOUR_MS,
} as const;

// ---------------------------------------------------------------------------------------------
// Human reviewers, calendars, approval queues (src/actors/calendar.ts, reviewer.ts, approval-queue.ts)
// ---------------------------------------------------------------------------------------------

/** A person's calendar, in local wall time of their zone. */
export const CALENDAR_DEFAULTS = {
  /** source: assumption (no FACTS.md row): a typical office day, 09:00-17:30 local. */
  workingHours: { start: "09:00", end: "17:30" },
  /** Weekdays worked, 0 = Sunday. source: assumption: Monday to Friday. */
  workDays: [1, 2, 3, 4, 5],
  /** source: the calendar-deadlock post ("Priya is at lunch"); the hour 12:00-13:00 is an assumption. */
  lunch: { start: "12:00", end: "13:00" },
  /** How many days ahead `nextAvailable` looks before answering "never". source: assumption, longer than any absence. */
  horizonDays: 400,
} as const;

/** A reviewer working approval queues. */
export const REVIEWER_DEFAULTS = {
  /**
   * Available (at-the-desk) time from taking a request to deciding it. source: assumption (no
   * FACTS.md row): minutes for a routine approval, a long tail for one that needs reading.
   */
  responseTime: { lognormal: { p50: "4m", p99: "45m" } } as DistributionSpec,
  /** Chance a decision is a rejection. source: assumption: most routine approvals pass. */
  rejectProbability: 0.05,
} as const;

/** An approval queue (chat channel or ticket queue). */
export const APPROVAL_QUEUE_DEFAULTS = {
  /**
   * The `approval-timeouts` bound before a request escalates to a fallback approver. source:
   * assumption (no FACTS.md row): an on-call page within half an hour, far under the post's
   * nineteen-hour hang; like PostgreSQL's `deadlock_timeout` (FACTS.md "Deadlock") it is a bound
   * chosen so that the check is rare, not a measured human latency.
   */
  escalationAfter: "30m",
} as const;

// ---------------------------------------------------------------------------------------------
// Users, sessions, gateway (src/actors/sessions.ts, gateway.ts)
// ---------------------------------------------------------------------------------------------

/** Users and their sessions. */
export const SESSION_DEFAULTS = {
  /**
   * How freed conversation ids are reused. source: the orphaned-callback post ("stitch it into
   * whatever session inherits that ID next"); a slot table's lowest-free policy is assumed.
   */
  idReuse: "lowest-free",
  /** source: the post's `conversation_id`; the format is an assumption. */
  idPrefix: "conv-",
  /** How long a user watches the spinner. source: the post ("watched the spinner for a few seconds ... closed the tab"); 3-15 s assumed. */
  patience: { uniform: { min: "3s", max: "15s" } } as DistributionSpec,
} as const;

/** The callback gateway: the failure as the post describes it, mitigations off. */
export const GATEWAY_DEFAULTS = {
  /** The `session-epochs` mitigation. source: the orphaned-callback post: routing by conversation_id only. */
  epochs: false,
  /** The `dead-letter` mitigation. source: the same post: the gateway may "silently drop the result". */
  deadLetter: false,
} as const;

// ---------------------------------------------------------------------------------------------
// Clocks and schedulers (src/actors/cron.ts)
// ---------------------------------------------------------------------------------------------

/** Cron-scheduled jobs. */
export const CRON_DEFAULTS = {
  /** source: the four-clocks post ("A daily standup summary is scheduled for 09:00 UTC"). */
  expression: "0 9 * * *",
  /** source: the same post (09:00 UTC). */
  timeZone: "UTC",
  /** Delay from fire to job start. source: the same post ("A worker pod spins up two seconds later"). */
  startDelay: "2s" as DistributionSpec,
} as const;

// ---------------------------------------------------------------------------------------------
// Tools, idempotency keys, async jobs, shared store
// (src/actors/tool.ts, idempotency.ts, job-service.ts, shared-store.ts)
// ---------------------------------------------------------------------------------------------

/** A simulated tool (`SimTool`). Faults are all off unless a scenario injects them. */
export const TOOL_DEFAULTS = {
  /**
   * Work duration per call. source: SCENARIOS.md #11 latency-tail (a search tool's median is
   * 200 ms) and FACTS.md "Latency", The Tail at Scale (servers with a 1 s p99).
   */
  latency: { lognormal: { p50: "200ms", p99: "1s" } } as DistributionSpec,
  /** The tool's own server-side timeout. source: SCENARIOS.md #1 clock-race ("its own timeout (30 s)"). */
  timeoutMs: 30_000,
  /**
   * The `retryAfterMs` a 429 carries. source: FACTS.md "Retries", rate limits: 429 carries
   * `retry-after` in seconds, and 60/min may be enforced as 1/s.
   */
  retryAfter: "1s" as DistributionSpec,
  /** Chance per call of a 5xx, a 429 and a hang. source: off unless a scenario injects them. */
  faults: { transient: 0, rateLimited: 0, hang: 0 },
  /** The result of a tool given no `resultFor`. source: assumption, a placeholder that is not empty. */
  result: { status: "ok" },
} as const;

/** Idempotency keys. */
export const IDEMPOTENCY_DEFAULTS = {
  /** How long a finished key is kept. source: FACTS.md "Idempotency keys": keys may be pruned once at least 24 h old. */
  retentionMs: 24 * HOUR_MS,
  /** source: FACTS.md "Idempotency keys": keys up to 255 characters. */
  maxKeyLength: 255,
} as const;

/** An async job service (`JobService`). */
export const JOB_DEFAULTS = {
  /**
   * How long a job runs. source: SCENARIOS.md #3 fire-and-forget ("minutes later the job fails");
   * median 2 min and p99 10 min are assumptions within "minutes". orphaned-callback's render
   * (about 40 s) sets its own.
   */
  duration: { lognormal: { p50: "2m", p99: "10m" } } as DistributionSpec,
  /** Chance a job fails. source: off unless a scenario injects failures. */
  failureProbability: 0,
} as const;

/** A shared, versioned store behind read and write tools (`SharedStore`). */
export const STORE_DEFAULTS = {
  /**
   * Latency of a read or a write. source: SCENARIOS.md #11 latency-tail (an SQL query's median is
   * 80 ms) and FACTS.md "Latency", The Tail at Scale (servers with a 1 s p99).
   */
  latency: { lognormal: { p50: "80ms", p99: "1s" } } as DistributionSpec,
  /**
   * Where in its latency an operation takes effect. source: assumption: midway between request and
   * response, so that concurrent operations overlap as they do over a network.
   */
  applyAt: 0.5,
} as const;

// ---------------------------------------------------------------------------------------------
// Retries and the agent harness (src/actors/retry-policy.ts, retry-budget.ts, call-with-policy.ts)
// ---------------------------------------------------------------------------------------------

/** Retry policies (`retryPolicy`). */
export const RETRY_POLICY_DEFAULTS = {
  /** Tries in all, the first included. source: FACTS.md "Retries" (AWS SDK v3: 3 attempts; Google SRE: 3 attempts per request). */
  maxAttempts: 3,
  /** Exponential backoff base. source: AWS SDK v3 `DEFAULT_RETRY_DELAY_BASE` = 100 ms (not yet a FACTS.md row). */
  baseMs: 100,
  /** Exponential backoff cap. source: FACTS.md "Retries" (AWS SDK v3 delay cap 20 s). */
  capMs: 20_000,
  /** source: FACTS.md "Retries" (AWS 2015: jitter wins over none); AWS SDK v3 draws `random * 2^n * base`, full jitter. */
  jitter: "full" as "none" | "full" | "equal" | "decorrelated",
  /** Wait at least a 429's `retry-after`. source: FACTS.md "Retries" (429 carries `retry-after`). */
  honorRetryAfter: true,
} as const;

/** Retry budgets (`retryBudget`). */
export const RETRY_BUDGET_DEFAULTS = {
  /** source: FACTS.md "Retries": AWS SDK v3 token bucket starts at 500, a retry costs 5, a timeout retry 10, a success returns 1. */
  tokenBucket: { initial: 500, retryCost: 5, timeoutRetryCost: 10, successReturn: 1 },
  /** source: FACTS.md "Retries": Google SRE, retry only while retries stay under 10% of requests. */
  ratio: { ratio: 0.1 },
} as const;

/** The agent harness's own knobs (`callWithPolicy`, `AgentHarness`). The mitigation switches are all off. */
export const HARNESS_DEFAULTS = {
  /**
   * Subtracted from the remaining budget in a propagated deadline. source: assumption (no
   * published figure): time for a tool's "gave up" answer to travel back before the caller's budget fires.
   */
  deadlineMarginMs: 100,
  /** How long a receipt is awaited. source: SCENARIOS.md fire-and-forget (jobs end "minutes later"); 10 min is an assumption. */
  receiptTimeoutMs: 10 * MINUTE_MS,
  /** Time between receipt polls. source: assumption, a few seconds (small against jobs of minutes). */
  receiptPollMs: 5_000,
  /**
   * Times an error may go back to the model for a corrected call. source: SCENARIOS.md
   * retry-laundering ("caller errors go back to the model as feedback"); one round is an assumption.
   */
  maxFeedbackRounds: 1,
} as const;
