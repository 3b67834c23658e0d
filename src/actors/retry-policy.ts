/**
 * Retry policies: whether a failed call is tried again, and how long to wait first.
 *
 * A policy is written as data, the way scenario files write it:
 *
 * ```ts
 * retryPolicy("none");
 * retryPolicy({ fixed: { delay: "1s", maxAttempts: 3 } });
 * retryPolicy({ exponential: { base: "100ms", cap: "20s", jitter: "full", maxAttempts: 3 } });
 * ```
 *
 * Backoff follows "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015), with `n` the
 * number of retries already made (0 before the first retry):
 * - no jitter: `min(cap, base * 2^n)`;
 * - full jitter: `random(0, min(cap, base * 2^n))`;
 * - equal jitter: `half + random(0, half)` with `half = min(cap, base * 2^n) / 2`;
 * - decorrelated: `min(cap, random(base, 3 * previous))`, `previous` starting at `base`.
 *
 * A 429's `retry-after` is honoured by default: the wait is at least what the server asked for.
 * Every draw comes from the stream given to `start`, so a run's delays are fixed by its seed.
 * Defaults (3 attempts, base 100 ms, cap 20 s, full jitter) are `RETRY_POLICY_DEFAULTS` in defaults.ts.
 */
import { formatDuration, parseDuration, type DurationInput } from "../sim/duration.js";
import type { Rng } from "../sim/rng.js";
import { RETRY_POLICY_DEFAULTS } from "./defaults.js";

/** How exponential backoff spreads its delays. */
export type Jitter = "none" | "full" | "equal" | "decorrelated";

/** The names of the jitter modes, for parameter choices. */
export const JITTERS: readonly Jitter[] = ["none", "full", "equal", "decorrelated"];

/** Options every retrying policy shares. */
interface RetryingSpec {
  /** Tries in all, the first included (default 3). */
  maxAttempts?: number;
  /** Wait at least a 429's `retry-after` (default true). */
  honorRetryAfter?: boolean;
}

/** How users write a retry policy. */
export type RetryPolicySpec =
  | "none"
  | { fixed: RetryingSpec & { delay: DurationInput } }
  | { exponential: RetryingSpec & { base?: DurationInput; cap?: DurationInput; jitter?: Jitter } };

/** A compiled policy. Stateless: each logical operation gets its own `RetrySchedule`. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 for `none`). */
  readonly maxAttempts: number;
  /** Starts the schedule of one logical operation; its draws come from `rng`. */
  start(rng: Rng): RetrySchedule;
  /** A short description, e.g. `exponential(base=100ms, cap=20s, full jitter, 3 attempts)`. */
  describe(): string;
}

/** The retry schedule of one logical operation. */
export interface RetrySchedule {
  /**
   * Called after each failed attempt: the delay (ms) before the next attempt, or `undefined` when
   * no attempt is left. `retryAfterMs` is the server's `retry-after`, if it gave one.
   */
  next(retryAfterMs?: number): number | undefined;
}

/**
 * Compiles a policy spec.
 * @throws RangeError for a malformed spec (the message says what to write instead).
 */
export function retryPolicy(spec: RetryPolicySpec): RetryPolicy {
  if (spec === "none") return { maxAttempts: 1, start: () => ({ next: () => undefined }), describe: () => "no retries" };
  if (typeof spec !== "object" || spec === null)
    throw new RangeError(`retry policy: expected "none", { fixed: {...} } or { exponential: {...} }, got ${JSON.stringify(spec)}`);
  if ("fixed" in spec) {
    const delay = parseDuration(spec.fixed.delay);
    return retrying(spec.fixed, `fixed(${formatDuration(delay)}`, () => () => delay);
  }
  if ("exponential" in spec) return exponential(spec.exponential);
  throw new RangeError(`retry policy: expected "none", { fixed: {...} } or { exponential: {...} }, got ${JSON.stringify(spec)}`);
}

function exponential(spec: RetryingSpec & { base?: DurationInput; cap?: DurationInput; jitter?: Jitter }): RetryPolicy {
  const base = spec.base === undefined ? RETRY_POLICY_DEFAULTS.baseMs : parseDuration(spec.base);
  const cap = spec.cap === undefined ? RETRY_POLICY_DEFAULTS.capMs : parseDuration(spec.cap);
  const jitter = spec.jitter ?? RETRY_POLICY_DEFAULTS.jitter;
  if (!JITTERS.includes(jitter)) throw new RangeError(`retry policy: jitter must be one of ${JITTERS.join(", ")}, got "${jitter}"`);
  if (base > cap) throw new RangeError(`retry policy: base (${formatDuration(base)}) must not exceed cap (${formatDuration(cap)})`);
  const label = `exponential(base=${formatDuration(base)}, cap=${formatDuration(cap)}, ${jitter} jitter`;
  return retrying(spec, label, (rng) => backoff(jitter, base, cap, rng));
}

/** The delay before retry number `n + 1`, as a function of `n` (retries already made). */
type DelayFn = (n: number) => number;

function backoff(jitter: Jitter, base: number, cap: number, rng: Rng): DelayFn {
  const ceiling = (n: number): number => Math.min(cap, base * 2 ** n);
  const between = (lo: number, hi: number): number => lo + rng.next() * (hi - lo);
  switch (jitter) {
    case "none":
      return ceiling;
    case "full":
      return (n) => between(0, ceiling(n));
    case "equal":
      return (n) => ceiling(n) / 2 + between(0, ceiling(n) / 2);
    case "decorrelated": {
      let previous = base;
      return () => (previous = Math.min(cap, between(base, 3 * previous)));
    }
  }
}

function retrying(spec: RetryingSpec, label: string, delays: (rng: Rng) => DelayFn): RetryPolicy {
  const maxAttempts = spec.maxAttempts ?? RETRY_POLICY_DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retry policy: maxAttempts counts tries including the first, a whole number >= 1; got ${maxAttempts}`);
  }
  const honor = spec.honorRetryAfter ?? RETRY_POLICY_DEFAULTS.honorRetryAfter;
  return {
    maxAttempts,
    describe: () => `${label}, ${maxAttempts} attempts)`,
    start(rng) {
      const delay = delays(rng);
      let retries = 0;
      return {
        next(retryAfterMs) {
          if (retries + 1 >= maxAttempts) return undefined;
          const d = delay(retries++);
          return honor && retryAfterMs !== undefined ? Math.max(d, retryAfterMs) : d;
        },
      };
    },
  };
}
