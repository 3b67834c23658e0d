/**
 * Retry budgets: a limit on retries shared by every call of a client, so that a struggling
 * dependency sees a bounded amount of extra load instead of every caller's full retry count.
 *
 * ```ts
 * const budget = retryBudget({ tokenBucket: {} });   // AWS SDK v3 retry quota
 * const budget = retryBudget({ ratio: {} });         // Google SRE: retries under 10% of requests
 * budget.onRequest();                                // a new logical request is sent
 * if (budget.canRetry("error")) { budget.onRetry("error"); ... }
 * budget.onSuccess();                                // or onSuccess("error") after a retry
 * ```
 *
 * Token bucket (AWS SDK v3 retry quota): starts full; a retry takes its cost (more for a timeout)
 * and is refused when the bucket holds less than that; a success returns tokens, never above the
 * starting level: 1 for a request that needed no retry, the retry's cost for one that did.
 *
 * Ratio (Google SRE book, "Handling Overload"): counts requests sent (first tries and retries) and
 * retries; a retry may go ahead only while retries are under `ratio` of requests. Counts are
 * cumulative over the client's life.
 */
import type { Attrs } from "../sim/trace.js";
import { RETRY_BUDGET_DEFAULTS } from "./defaults.js";

/** Why a retry is wanted: timeouts cost more in the token bucket. */
export type RetryCause = "timeout" | "error";

/** A retry budget's token bucket: retries spend tokens, successes return them (not refilled by time, unlike `TokenBucketOptions` in token-bucket.ts). */
export interface RetryTokenBucketOptions {
  /** Tokens at the start, and the most the bucket holds. */
  initial: number;
  /** Tokens a retry takes. */
  retryCost: number;
  /** Tokens a retry after a timeout takes. */
  timeoutRetryCost: number;
  /** Tokens a success that needed no retry returns. */
  successReturn: number;
}

/** How users write a budget. Omitted fields take `RETRY_BUDGET_DEFAULTS` (defaults.ts, with sources). */
export type RetryBudgetSpec = { tokenBucket: Partial<RetryTokenBucketOptions> } | { ratio: { ratio?: number } };

/** A shared retry budget. */
export interface RetryBudget {
  readonly kind: "token-bucket" | "ratio";
  /** Records a new logical request's first try. */
  onRequest(): void;
  /** Whether a retry for `cause` may go ahead now. Spends nothing. */
  canRetry(cause: RetryCause): boolean;
  /**
   * Spends for a retry about to be sent.
   * @throws Error if `canRetry(cause)` is false: ask first.
   */
  onRetry(cause: RetryCause): void;
  /** Records a success; `afterRetry` is the cause of the retry that succeeded, if it was one. */
  onSuccess(afterRetry?: RetryCause): void;
  /** The budget's level, for the trace and metrics. */
  snapshot(): Attrs;
}

/**
 * Compiles a budget spec.
 * @throws RangeError for a malformed spec.
 */
export function retryBudget(spec: RetryBudgetSpec): RetryBudget {
  if ("tokenBucket" in spec) {
    const d = RETRY_BUDGET_DEFAULTS.tokenBucket;
    const o = spec.tokenBucket;
    return new TokenBucketBudget({
      initial: o.initial ?? d.initial,
      retryCost: o.retryCost ?? d.retryCost,
      timeoutRetryCost: o.timeoutRetryCost ?? d.timeoutRetryCost,
      successReturn: o.successReturn ?? d.successReturn,
    });
  }
  if ("ratio" in spec) return new RatioBudget(spec.ratio.ratio ?? RETRY_BUDGET_DEFAULTS.ratio.ratio);
  throw new RangeError(`retry budget: expected { tokenBucket: {...} } or { ratio: {...} }, got ${JSON.stringify(spec)}`);
}

/** The AWS SDK v3 retry quota. */
class TokenBucketBudget implements RetryBudget {
  readonly kind = "token-bucket";
  readonly #o: RetryTokenBucketOptions;
  #tokens: number;

  constructor(o: RetryTokenBucketOptions) {
    for (const [k, v] of Object.entries(o)) {
      if (!(v >= 0)) throw new RangeError(`retry budget: tokenBucket.${k} must be a number >= 0, got ${v}`);
    }
    this.#o = o;
    this.#tokens = o.initial;
  }

  onRequest(): void {}

  canRetry(cause: RetryCause): boolean {
    return this.#cost(cause) <= this.#tokens;
  }

  onRetry(cause: RetryCause): void {
    if (!this.canRetry(cause)) throw new Error(`retry budget: no tokens for a ${cause} retry (${this.#tokens} left); call canRetry first`);
    this.#tokens -= this.#cost(cause);
  }

  onSuccess(afterRetry?: RetryCause): void {
    const back = afterRetry === undefined ? this.#o.successReturn : this.#cost(afterRetry);
    this.#tokens = Math.min(this.#o.initial, this.#tokens + back);
  }

  snapshot(): Attrs {
    return { budget: this.kind, tokens: this.#tokens };
  }

  #cost(cause: RetryCause): number {
    return cause === "timeout" ? this.#o.timeoutRetryCost : this.#o.retryCost;
  }
}

/** The Google SRE per-client retry ratio. */
class RatioBudget implements RetryBudget {
  readonly kind = "ratio";
  readonly #ratio: number;
  #requests = 0;
  #retries = 0;

  constructor(ratio: number) {
    if (!(ratio >= 0 && ratio <= 1)) throw new RangeError(`retry budget: ratio must be in [0, 1], got ${ratio}`);
    this.#ratio = ratio;
  }

  onRequest(): void {
    this.#requests++;
  }

  canRetry(): boolean {
    return this.#retries < this.#ratio * this.#requests;
  }

  onRetry(cause: RetryCause): void {
    if (!this.canRetry()) {
      throw new Error(
        `retry budget: ${this.#retries} of ${this.#requests} requests were retries (limit ${this.#ratio}); no ${cause} retry now; call canRetry first`,
      );
    }
    this.#retries++;
    this.#requests++;
  }

  onSuccess(): void {}

  snapshot(): Attrs {
    return { budget: this.kind, requests: this.#requests, retries: this.#retries };
  }
}
