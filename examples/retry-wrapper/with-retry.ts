// The team's retry wrapper, as first written: a timeout per attempt, exponential backoff between
// attempts. It looks right, and on a fast payments API it is. When a refund takes longer than
// `timeoutMs`, the wrapper gives up on the attempt, but the server keeps working and pays the
// refund anyway; the retry is a brand-new refund.
import type { Clock } from "./clock.js";

export interface RetryOptions {
  attempts: number;
  timeoutMs: number;
  /** First backoff; doubles after each failed attempt (default 1 s). */
  backoffMs?: number;
  clock: Clock;
}

/** Thrown when an attempt outlives `timeoutMs`. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, timeoutMs, backoffMs = 1_000, clock } = options;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await withTimeout(fn(), timeoutMs, clock);
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await clock.sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
  throw lastError;
}

/** `work`, or a `TimeoutError` after `ms`, whichever comes first. */
export function withTimeout<T>(work: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.schedule(ms, () => reject(new TimeoutError(`no answer after ${ms} ms`)));
    work.then(
      (value) => {
        clock.cancel(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.cancel(timer);
        reject(error);
      },
    );
  });
}
