// A refund agent, written against agentsim's `AgentEnv` seams (clock, tools, model): for each
// order it asks the model to check the refund, then calls the payments API with a 5 s timeout
// and up to three attempts. `refundAgent` sends no idempotency key; `refundAgentFixed` sends one
// key per order, the same on every attempt.
import type { AgentEnv } from "agentsim-kit";

export interface Order {
  orderId: string;
  amountUsd: number;
}

export const ORDERS: readonly Order[] = [
  { orderId: "R-1001", amountUsd: 40 },
  { orderId: "R-1002", amountUsd: 125 },
  { orderId: "R-1003", amountUsd: 18 },
];

const TIMEOUT_MS = 5_000;
const ATTEMPTS = 3;

type Env = AgentEnv<unknown, "payments">;

export const refundAgent = (env: Env): Promise<string[]> => refundAll(env, { idempotencyKeys: false });
export const refundAgentFixed = (env: Env): Promise<string[]> => refundAll(env, { idempotencyKeys: true });

/** Refunds every order; returns the ids it believes were refunded. */
async function refundAll(env: Env, { idempotencyKeys }: { idempotencyKeys: boolean }): Promise<string[]> {
  const refunded: string[] = [];
  for (const order of ORDERS) {
    await env.model.complete({ inputTokens: 2_000, outputTokens: 120 });
    const key = idempotencyKeys ? `refund-${order.orderId}` : undefined;
    if (await refundWithRetry(env, order, key)) refunded.push(order.orderId);
  }
  return refunded;
}

/** Up to three attempts, each raced against the timeout, with 1 s then 2 s of backoff between. */
async function refundWithRetry({ clock, tools, log }: Env, order: Order, idempotencyKey: string | undefined): Promise<boolean> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const call = tools.payments.invoke({ ...order }, idempotencyKey ? { idempotencyKey } : {});
    const timeout = clock.sleep(TIMEOUT_MS).then(() => Promise.reject(new Error(`no answer after ${TIMEOUT_MS} ms`)));
    try {
      await Promise.race([call, timeout]);
      return true;
    } catch (error) {
      log("refund.attempt-failed", { orderId: order.orderId, attempt, error: String(error) });
      if (attempt < ATTEMPTS) await clock.sleep(1_000 * attempt);
    }
  }
  return false;
}
