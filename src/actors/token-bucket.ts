/**
 * A token bucket refilled continuously: the shape of a provider's requests-per-minute and
 * tokens-per-minute limits (FACTS.md "Retries": rate limits are token buckets refilled
 * continuously; 60/min may be enforced as 1/s, which is `capacity: 1, refillPerMs: 1 / 1000`).
 *
 * The bucket holds up to `capacity` tokens and gains `refillPerMs` tokens per virtual ms. Taking
 * `n` tokens succeeds when `n` are there; otherwise the answer says how long until they will be.
 * Time is passed in (`now`, virtual ms) and never goes backwards.
 */

/** How a bucket is sized and refilled. */
export interface TokenBucketOptions {
  /** The most tokens the bucket holds (the burst). */
  capacity: number;
  /** Tokens regained per virtual ms. */
  refillPerMs: number;
  /** Tokens at time 0 (default: full). */
  initial?: number;
}

/** The answer to a take: granted, or refused with the wait until it would be granted. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Float slack when comparing token counts, so a refill that lands exactly on `n` counts as `n`. */
const EPS = 1e-9;

/** A continuously refilled token bucket. */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerMs: number;
  #tokens: number;
  #at = 0;

  constructor(options: TokenBucketOptions) {
    if (!(options.capacity > 0)) throw new RangeError(`TokenBucket: capacity must be positive, got ${options.capacity}`);
    if (!(options.refillPerMs >= 0)) throw new RangeError(`TokenBucket: refillPerMs must be non-negative, got ${options.refillPerMs}`);
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerMs;
    this.#tokens = Math.min(options.capacity, options.initial ?? options.capacity);
  }

  /** A limit of `limit` per minute: a full minute's worth of burst, refilled evenly over the minute. */
  static perMinute(limit: number): TokenBucket {
    return new TokenBucket({ capacity: limit, refillPerMs: limit / 60_000 });
  }

  /** Tokens in the bucket at `now`. */
  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /**
   * Whole ms until `n` tokens will be there (0 if they are now). `Infinity` when `n` exceeds the
   * capacity or nothing refills: waiting will never help.
   */
  retryAfter(n: number, now: number): number {
    this.#refill(now);
    const deficit = n - this.#tokens;
    if (deficit <= EPS) return 0;
    if (n > this.capacity + EPS || this.refillPerMs === 0) return Infinity;
    return Math.max(1, Math.ceil(deficit / this.refillPerMs - 1e-6));
  }

  /** Takes `n` tokens if they are there; otherwise takes nothing and says how long to wait. */
  tryTake(n: number, now: number): TakeResult {
    const wait = this.retryAfter(n, now);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    this.#tokens = Math.max(0, this.#tokens - n);
    return { ok: true };
  }

  #refill(now: number): void {
    if (now < this.#at) throw new RangeError(`TokenBucket: time went backwards (${now} < ${this.#at})`);
    if (now === this.#at) return;
    this.#tokens = Math.min(this.capacity, this.#tokens + (now - this.#at) * this.refillPerMs);
    this.#at = now;
  }
}
