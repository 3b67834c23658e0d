// The fixed wrapper: one idempotency key per logical operation, passed to every attempt. The
// payments API then recognises a retry: while the first attempt is still running it answers 409
// (in flight) and the wrapper backs off; once it has finished it replays the saved answer instead
// of paying again.
import type { Clock } from "./clock.js";
import { withTimeout } from "./with-retry.js";

export interface IdempotentRetryOptions {
  attempts: number;
  timeoutMs: number;
  /** First backoff; doubles after each failed attempt (default 1 s). */
  backoffMs?: number;
  clock: Clock;
  /** One key for the whole operation (e.g. `refund-<orderId>`), the same on every attempt. */
  idempotencyKey: string;
}

export async function withRetry<T>(fn: (call: { idempotencyKey: string; attempt: number }) => Promise<T>, options: IdempotentRetryOptions): Promise<T> {
  const { attempts, timeoutMs, backoffMs = 1_000, clock, idempotencyKey } = options;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await withTimeout(fn({ idempotencyKey, attempt }), timeoutMs, clock);
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await clock.sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
  throw lastError;
}
