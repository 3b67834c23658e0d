/**
 * The fleet's own record of a prompt prefix that the provider caches: until when the entry is
 * surely live, as far as the workers can tell from their responses. The provider does not expose
 * its cache's state, so a fleet that wants to coordinate around it keeps this record itself (in
 * production, a small shared key beside the workers), the way XFetch stores an entry's expiry and
 * recompute time beside its value (FACTS.md "Cache stampede prevention").
 *
 * What a worker learns is safe: when its response begins, its request's prefix was either read at
 * arrival (a hit refreshes the lifetime to `arrival + ttl`) or written and made visible at the first
 * token (lifetime `firstToken + ttl`, later still). Either way the entry lives until at least
 * `arrival + ttl`; the record keeps the latest such bound. A request sent while `now < expiresAt`
 * is sure to hit; past it, the entry may or may not be live.
 */

/** One response that began: what it tells the fleet. */
export interface WarmthObservation {
  /** When its request reached the provider (virtual ms). */
  arrivedAt: number;
  /** When its first token came (now). */
  firstTokenAt: number;
  /** The trace event of the first token. */
  eventId: number;
}

/** The fleet's record of one cached prefix. */
export class PrefixWarmth {
  readonly prefixKey: string;
  readonly ttlMs: number;
  #expiresAt = -Infinity;
  #deltaMs: number | undefined;
  #eventId: number | undefined;
  readonly #listeners: (() => void)[] = [];

  constructor(prefixKey: string, ttlMs: number) {
    if (!(ttlMs > 0)) throw new RangeError(`PrefixWarmth: ttlMs must be positive, got ${ttlMs}`);
    this.prefixKey = prefixKey;
    this.ttlMs = ttlMs;
  }

  /** Until when the entry is surely live (-Infinity before any response began). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** How long the latest response took from arrival to first token: XFetch's recompute time δ. */
  get deltaMs(): number | undefined {
    return this.#deltaMs;
  }

  /** The first-token event of the observation that set `expiresAt`. */
  get eventId(): number | undefined {
    return this.#eventId;
  }

  /** Whether a request arriving at `t` is sure to hit. */
  warmAt(t: number): boolean {
    return t < this.#expiresAt;
  }

  /** Records a response that began; tells the listeners when the bound moved. */
  observe(o: WarmthObservation): void {
    this.#deltaMs = o.firstTokenAt - o.arrivedAt;
    const bound = o.arrivedAt + this.ttlMs;
    if (bound <= this.#expiresAt) return;
    this.#expiresAt = bound;
    this.#eventId = o.eventId;
    for (const l of this.#listeners) l();
  }

  /** Calls `listener` each time `expiresAt` moves. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }
}
