/**
 * The LLM provider: a `ModelPort` with latency, token accounting, prices, a prompt cache, rate
 * limits and server errors, plus the model's seeded sampling behaviour.
 *
 * A call, in virtual time:
 * 1. Arrival: the `llm.call` span begins. The requests-per-minute and tokens-per-minute buckets
 *    are checked; if either is short, the answer is 429 with `retryAfterMs` (whole seconds, as the
 *    `retry-after` header). Then one draw decides a 529 `overloaded` or a 500 at their rates.
 *    A third, `p429`, rate-limits regardless of the buckets (a burst). An error answers after a
 *    time-to-first-token draw (at once for a 429 or 529 when the request says `rejectAtArrival`);
 *    nothing is cached or billed. `slowdown` stretches the time to first token and output time.
 * 2. Otherwise the prompt cache is looked up at arrival (when the request has a prefix marked for
 *    caching): a hit reads the prefix cheaply, a miss creates a pending write.
 * 3. First token at `ttft` (a draw): `llm.first-token`, and the pending write becomes visible;
 *    then a streaming caller's `onFirstToken` is told the response has begun, and when its last
 *    token will come (so that it can pace the tokens between).
 * 4. Last token at `ttft + outputTokens / tokensPerSecond` (a draw): the span ends with the usage
 *    and cost, and the charges go to the billing meter.
 *
 * The provider's timeline runs on the kernel's timers, not in the caller's process: a caller that
 * times out or is cancelled stops waiting, but the call still completes, writes the cache and is
 * billed, as a real provider does.
 *
 * Token accounting follows Anthropic's usage fields: `inputTokens` is input not read from or
 * written to the cache; `cacheCreationInputTokens` and `cacheReadInputTokens` are the prefix
 * tokens written or read. Cost = (input x in + creation x in x write multiplier + read x in x
 * read multiplier + output x out) / 1e6.
 *
 * Random streams: `<name>:errors`, `<name>:latency`, `<name>:output-tokens`, and the behaviour's
 * streams (see `model-behaviour.ts`).
 */
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { toDistribution, type Distribution, type DistributionInput } from "../sim/distributions.js";
import type { Attrs } from "../sim/trace.js";
import type { LlmRequest, LlmResponse, LlmUsage, ModelPort } from "./contracts.js";
import { BillingMeter } from "./billing.js";
import { LLM_DEFAULTS } from "./defaults.js";
import {
  ModelBehaviour,
  type BelievedNow,
  type BelievedNowOptions,
  type Interpretation,
  type InterpretToolResultOptions,
  type ModelBehaviourOptions,
  type SampleToolArgsOptions,
  type ToolArgsSample,
} from "./model-behaviour.js";
import { PromptCache, type PendingCacheWrite } from "./prompt-cache.js";
import { TokenBucket } from "./token-bucket.js";

/** Chances of server errors per request; scenarios may change them during a run. */
export interface ErrorRates {
  /** 500 internal server error. */
  p500: number;
  /** 529 overloaded. */
  p529: number;
  /** 429 rate limited regardless of the buckets (a burst of rate limiting; default 0). */
  p429?: number;
}

/** How a simulated LLM provider behaves: latency, prices, cache, rate limits, errors, sampling. */
export interface LlmProviderOptions extends ModelBehaviourOptions {
  /** The actor name (default `llm`); also names its random streams. */
  name?: string;
  /** The provider's prompt cache (default: a new one with default settings). */
  cache?: PromptCache;
  /** Where charges go (default: a new meter). */
  billing?: BillingMeter;
  /** Time to first token (ms). */
  ttft?: DistributionInput;
  /** Output speed, tokens per second. */
  tokensPerSecond?: DistributionInput;
  /** Output tokens when a request does not say. */
  outputTokens?: DistributionInput;
  inputUsdPerMTok?: number;
  outputUsdPerMTok?: number;
  /** Requests per minute (default unlimited). */
  rpm?: number;
  /** Input plus output tokens per minute (default unlimited). */
  tpm?: number;
  /** `retry-after` is rounded up to a multiple of this (default 1 s). */
  retryAfterGranularityMs?: number;
  p500?: number;
  p529?: number;
}

/** Running totals over every call. */
export interface LlmTotals {
  calls: number;
  succeeded: number;
  rateLimited: number;
  serverErrors: number;
  overloaded: number;
  inputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One rate limit at a moment: its size per minute, what is left, ms until it is full again. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** A call decided at arrival, waiting for its timers. */
interface InFlight {
  request: LlmRequest;
  span: number;
  start: number;
  ttft: number;
  tokensPerSecond: number;
  usage: LlmUsage;
  /** USD per priced component, summing to `usage.costUsd`. */
  charges: Charges;
  write: PendingCacheWrite | undefined;
  done: (r: LlmResponse) => void;
}

/** The priced components of a call, as billed. */
type Charges = Record<"input" | "cache-write" | "cache-read" | "output", number>;

/** A simulated LLM provider. */
export class LlmProvider implements ModelPort {
  readonly name: string;
  readonly cache: PromptCache;
  readonly billing: BillingMeter;
  /** Server-error rates; assign to change them mid-run (a fault window). */
  readonly errorRates: ErrorRates;
  readonly inputUsdPerMTok: number;
  readonly outputUsdPerMTok: number;
  /**
   * Stretches time to first token and output time by this factor (1: as drawn); assign to change
   * it mid-run (a slow-stream window). Calls already in flight keep their timing.
   */
  slowdown = 1;
  readonly #sim: Simulation;
  readonly #ttft: Distribution;
  readonly #tps: Distribution;
  readonly #outputTokens: Distribution;
  readonly #rpm: TokenBucket | undefined;
  readonly #tpm: TokenBucket | undefined;
  readonly #retryGranularity: number;
  readonly #behaviour: ModelBehaviour;
  readonly #totals: LlmTotals = {
    calls: 0,
    succeeded: 0,
    rateLimited: 0,
    serverErrors: 0,
    overloaded: 0,
    inputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };

  constructor(sim: Simulation, options: LlmProviderOptions = {}) {
    const d = LLM_DEFAULTS;
    this.#sim = sim;
    this.name = options.name ?? "llm";
    this.cache = options.cache ?? new PromptCache(sim);
    this.billing = options.billing ?? new BillingMeter(sim);
    this.errorRates = { p500: options.p500 ?? d.p500, p529: options.p529 ?? d.p529 };
    this.inputUsdPerMTok = options.inputUsdPerMTok ?? d.inputUsdPerMTok;
    this.outputUsdPerMTok = options.outputUsdPerMTok ?? d.outputUsdPerMTok;
    this.#ttft = toDistribution(options.ttft ?? d.ttft, "duration");
    this.#tps = toDistribution(options.tokensPerSecond ?? d.tokensPerSecond, "number");
    this.#outputTokens = toDistribution(options.outputTokens ?? d.outputTokens, "number");
    this.#rpm = bucket(options.rpm ?? d.rpm);
    this.#tpm = bucket(options.tpm ?? d.tpm);
    this.#retryGranularity = options.retryAfterGranularityMs ?? d.retryAfterGranularityMs;
    const { pMalformed, pRationalize, pCutoffBelief, trainingCutoffMs, cutoffJitterDays } = options;
    this.#behaviour = new ModelBehaviour(sim, this.name, { pMalformed, pRationalize, pCutoffBelief, trainingCutoffMs, cutoffJitterDays });
  }

  /** Running totals over every call so far. */
  get totals(): Readonly<LlmTotals> {
    return this.#totals;
  }

  /**
   * The rate limits' state now, for `x-ratelimit-*` headers: per limit its size (per minute), what
   * is left, and ms until the bucket is full again. Absent for an unlimited dimension.
   */
  rateLimitState(): { requests?: RateLimitState; tokens?: RateLimitState } {
    const now = this.#sim.now;
    const state = (b: TokenBucket | undefined): RateLimitState | undefined => {
      if (!b) return undefined;
      const remaining = Math.floor(b.available(now));
      return { limit: b.capacity, remaining, resetMs: b.refillPerMs > 0 ? Math.ceil((b.capacity - b.available(now)) / b.refillPerMs) : 0 };
    };
    const requests = state(this.#rpm);
    const tokens = state(this.#tpm);
    return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
  }

  /** Sends a request and waits for its last token (or its error). See the file's contract. */
  complete(ctx: ProcessContext, request: LlmRequest): Promise<LlmResponse> {
    const answer = this.#sim.signal<LlmResponse>(`${this.name} answer to ${request.caller}`);
    this.#arrive(request, (r) => answer.fire(r));
    return ctx.wait(answer);
  }

  /**
   * Samples tool arguments, malformed with probability `pMalformed` (see `ModelBehaviour`).
   * The sampling methods take the calling process's context like `complete`, but take no time.
   */
  sampleToolArgs(_ctx: ProcessContext, options: SampleToolArgsOptions): ToolArgsSample {
    return this.#behaviour.sampleToolArgs(options);
  }

  /** Reads a tool result, rationalizing an empty one with probability `pRationalize` (see `ModelBehaviour`). */
  interpretToolResult(_ctx: ProcessContext, options: InterpretToolResultOptions): Interpretation {
    return this.#behaviour.interpretToolResult(options);
  }

  /** The model's belief of now (see `ModelBehaviour`). */
  believedNow(_ctx: ProcessContext, options: BelievedNowOptions): BelievedNow {
    return this.#behaviour.believedNow(options);
  }

  #arrive(request: LlmRequest, done: (r: LlmResponse) => void): void {
    const sim = this.#sim;
    const prefixTokens = request.prefixTokens ?? 0;
    const begin: Attrs = { caller: request.caller, inputTokens: request.inputTokens, prefixTokens };
    if (request.prefixKey !== undefined) begin.prefixKey = request.prefixKey;
    const span = sim.trace.begin({ actor: this.name, layer: "model", kind: "llm.call", parent: request.parent, attrs: begin });
    const start = sim.now;
    this.#totals.calls++;
    const outputTokens = request.outputTokens ?? Math.max(1, Math.round(this.#outputTokens.sample(sim.rng(`${this.name}:output-tokens`))));
    const limited = this.#rateLimit(prefixTokens + request.inputTokens + outputTokens, start);
    const error = limited ?? this.#serverError();
    const latency = sim.rng(`${this.name}:latency`);
    const ttft = this.#ttft.sample(latency) * this.slowdown;
    if (error) {
      const at = request.rejectAtArrival && error.status !== 500 ? 0 : ttft;
      sim.schedule(at, () => done(this.#fail(span, request.caller, error)));
      return;
    }
    const tokensPerSecond = this.#tps.sample(latency) / this.slowdown;
    const { usage, charges, write } = this.#account(request, prefixTokens, outputTokens, span);
    const call: InFlight = { request, span, start, ttft, tokensPerSecond, usage, charges, write, done };
    sim.schedule(ttft, () => this.#firstToken(call));
    sim.schedule(ttft + (outputTokens / tokensPerSecond) * 1000, () => this.#lastToken(call));
  }

  /** A 429 if either bucket is short (taking nothing), else takes from both. */
  #rateLimit(tokens: number, now: number): { status: 429; retryAfterMs: number; message: string } | undefined {
    const wait = Math.max(this.#rpm?.retryAfter(1, now) ?? 0, this.#tpm?.retryAfter(tokens, now) ?? 0);
    if (wait === 0) {
      this.#rpm?.tryTake(1, now);
      this.#tpm?.tryTake(tokens, now);
      return undefined;
    }
    const g = this.#retryGranularity;
    const retryAfterMs = g > 0 ? Math.ceil(wait / g) * g : wait;
    const which = (this.#rpm?.retryAfter(1, now) ?? 0) > 0 ? "requests" : "tokens";
    return { status: 429, retryAfterMs, message: `rate_limit_error: ${which} per minute exceeded; retry after ${retryAfterMs} ms` };
  }

  /** One draw per request decides 529, 500 or neither. */
  #serverError(): { status: 429 | 500 | 529; message: string; retryAfterMs?: number } | undefined {
    const u = this.#sim.rng(`${this.name}:errors`).next();
    const { p500, p529, p429 = 0 } = this.errorRates;
    if (u < p529) return { status: 529, message: "overloaded_error: the provider is overloaded" };
    if (u < p529 + p500) return { status: 500, message: "api_error: internal server error" };
    if (u < p529 + p500 + p429) {
      const retryAfterMs = this.#retryGranularity > 0 ? this.#retryGranularity : 1000;
      return { status: 429, retryAfterMs, message: `rate_limit_error: requests rate-limited (a burst); retry after ${retryAfterMs} ms` };
    }
    return undefined;
  }

  /** Looks the prefix up and prices the call. */
  #account(
    request: LlmRequest,
    prefixTokens: number,
    outputTokens: number,
    span: number,
  ): { usage: LlmUsage; charges: Charges; write: PendingCacheWrite | undefined } {
    const usage: LlmUsage = { inputTokens: request.inputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, outputTokens, costUsd: 0 };
    const charges: Charges = { input: 0, "cache-write": 0, "cache-read": 0, output: 0 };
    let write: PendingCacheWrite | undefined;
    const cacheable = request.prefixKey !== undefined && prefixTokens > 0 && (request.cachePrefix ?? true);
    const found = cacheable
      ? this.cache.lookup({
          prefixKey: request.prefixKey as string,
          tokens: prefixTokens,
          inputUsdPerMTok: this.inputUsdPerMTok,
          caller: request.caller,
          parent: span,
        })
      : ({ kind: "uncacheable" } as const);
    if (found.kind === "hit") {
      usage.cacheReadInputTokens = prefixTokens;
      charges["cache-read"] = found.cost;
    } else if (found.kind === "miss") {
      usage.cacheCreationInputTokens = prefixTokens;
      charges["cache-write"] = found.write.cost;
      write = found.write;
    } else {
      usage.inputTokens += prefixTokens;
    }
    charges.input = (usage.inputTokens * this.inputUsdPerMTok) / 1e6;
    charges.output = (outputTokens * this.outputUsdPerMTok) / 1e6;
    usage.costUsd = charges.input + charges["cache-write"] + charges["cache-read"] + charges.output;
    return { usage, charges, write };
  }

  #firstToken(call: InFlight): void {
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "model",
      kind: "llm.first-token",
      parent: call.span,
      attrs: { caller: call.request.caller },
    });
    if (call.write) this.cache.commit(call.write);
    call.request.onFirstToken?.(eventId, {
      tokensPerSecond: call.tokensPerSecond,
      lastTokenAt: call.start + (call.ttft + (call.usage.outputTokens / call.tokensPerSecond) * 1000),
    });
  }

  #lastToken(call: InFlight): void {
    const sim = this.#sim;
    const { usage, request } = call;
    const latencyMs = sim.now - call.start;
    const eventId = sim.trace.end(call.span, {
      caller: request.caller,
      inputTokens: usage.inputTokens,
      cacheCreationInputTokens: usage.cacheCreationInputTokens,
      cacheReadInputTokens: usage.cacheReadInputTokens,
      outputTokens: usage.outputTokens,
      costUsd: usage.costUsd,
      cached: usage.cacheReadInputTokens > 0,
      ttftMs: call.ttft,
      tokensPerSecond: call.tokensPerSecond,
      latencyMs,
    });
    this.#bill(call, eventId);
    const t = this.#totals;
    t.succeeded++;
    t.inputTokens += usage.inputTokens;
    t.cacheCreationInputTokens += usage.cacheCreationInputTokens;
    t.cacheReadInputTokens += usage.cacheReadInputTokens;
    t.outputTokens += usage.outputTokens;
    t.costUsd += usage.costUsd;
    call.done({ ok: true, usage, eventId, latencyMs });
  }

  /** One charge per priced component that is not zero. */
  #bill(call: InFlight, eventId: number): void {
    for (const [kind, usd] of Object.entries(call.charges)) {
      if (usd > 0) this.billing.record({ usd, caller: call.request.caller, kind, eventId });
    }
  }

  #fail(span: number, caller: string, e: { status: 429 | 500 | 529; message: string; retryAfterMs?: number }): LlmResponse {
    const attrs: Attrs = { caller, status: e.status, message: e.message };
    if (e.retryAfterMs !== undefined) attrs.retryAfterMs = e.retryAfterMs;
    const eventId = this.#sim.trace.end(span, attrs, "llm.error");
    const t = this.#totals;
    if (e.status === 429) t.rateLimited++;
    else if (e.status === 529) t.overloaded++;
    else t.serverErrors++;
    return { ok: false, status: e.status, message: e.message, eventId, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
  }
}

function bucket(perMinute: number): TokenBucket | undefined {
  return Number.isFinite(perMinute) ? TokenBucket.perMinute(perMinute) : undefined;
}
