// The team's refund code: a payments client (in production, the payment provider's SDK) wrapped
// in the team's retry helper. `refundOrder` uses the wrapper as first written; `refundOrderFixed`
// the fixed one.
import type { Clock } from "./clock.js";
import { withRetry } from "./with-retry.js";
import { withRetry as withIdempotentRetry } from "./with-retry-fixed.js";

export interface Order {
  orderId: string;
  amountUsd: number;
}

/** The slice of the payments SDK the team uses. */
export interface PaymentsClient {
  refund(order: Order, options?: { idempotencyKey?: string }): Promise<{ refundId: string }>;
}

/** The team's retry settings: three attempts, 5 s each. */
export const RETRY = { attempts: 3, timeoutMs: 5_000 };

export function refundOrder(payments: PaymentsClient, clock: Clock, order: Order): Promise<{ refundId: string }> {
  return withRetry(() => payments.refund(order), { ...RETRY, clock });
}

export function refundOrderFixed(payments: PaymentsClient, clock: Clock, order: Order): Promise<{ refundId: string }> {
  return withIdempotentRetry(({ idempotencyKey }) => payments.refund(order, { idempotencyKey }), {
    ...RETRY,
    clock,
    idempotencyKey: `refund-${order.orderId}`,
  });
}
