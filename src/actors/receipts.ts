/**
 * Receipts: a tool call that returns a job id instead of the outcome. The `await-receipts`
 * mitigation polls the job under a deadline before the step counts as done, and reports work
 * still pending honestly instead of treating the receipt as the answer.
 *
 * A tool declares that it returns receipts by offering a `ReceiptPort` (a `poll` method), or the
 * harness is given one: `receiptsViaTool(jobs.pollTool)` polls a status tool with `{ jobId }`.
 *
 * Trace (layer `harness`): a `receipt.await` span (attrs: step, receipt, until; end: state) whose
 * parent is the attempt that got the receipt; each poll's tool call has the span as its parent.
 */
import type { ToolPort } from "./contracts.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { AttrValue } from "../sim/trace.js";

/** How the job behind a receipt stands; `eventId` is the trace event that said so, when there is one. */
export type ReceiptStatus =
  | { state: "pending" }
  | { state: "succeeded"; result: AttrValue; eventId?: number }
  | { state: "failed"; message: string; eventId?: number };

/** Says how the job behind a receipt stands, when asked. */
export interface ReceiptPort {
  poll(ctx: ProcessContext, receipt: string, parent?: number): Promise<ReceiptStatus>;
}

/** True for an object that offers `poll` (a tool that declares its receipts). */
export function isReceiptPort(x: object): x is ReceiptPort {
  return typeof (x as Partial<ReceiptPort>).poll === "function";
}

/**
 * A `ReceiptPort` over a status tool called with `{ [argName]: receipt }` whose result is
 * `{ state: "pending" | "succeeded" | "failed", result?, error? }` (the job service's `pollTool`).
 * A poll that fails or answers in another shape counts as "still pending".
 */
export function receiptsViaTool(statusTool: ToolPort, argName = "jobId"): ReceiptPort {
  return {
    async poll(ctx, receipt, parent) {
      const r = await statusTool.call(ctx, { args: { [argName]: receipt }, ...(parent === undefined ? {} : { parent }) });
      const body = r.ok && r.result !== null && typeof r.result === "object" && !Array.isArray(r.result) ? r.result : {};
      if (body.state === "succeeded") return { state: "succeeded", result: body.result ?? null, eventId: r.eventId };
      const message = typeof body.error === "string" ? body.error : `job ${receipt} failed`;
      if (body.state === "failed") return { state: "failed", message, eventId: r.eventId };
      return { state: "pending" };
    },
  };
}

/** Where and how long `awaitReceipt` watches. */
export interface ReceiptWatch {
  /** The agent: the trace's actor. */
  agent: string;
  step: string;
  /** Absolute virtual ms after which the job counts as still pending. */
  until: number;
  /** Time between polls, ms. */
  pollMs: number;
  /** The event that got the receipt. */
  parent: number;
}

/** Polls a receipt until its job ends or `watch.until` passes (then it answers `pending`). */
export async function awaitReceipt(ctx: ProcessContext, port: ReceiptPort, receipt: string, watch: ReceiptWatch): Promise<ReceiptStatus> {
  const trace = ctx.sim.trace;
  const attrs = { step: watch.step, receipt, until: watch.until };
  const span = trace.begin({ actor: watch.agent, layer: "harness", kind: "receipt.await", parent: watch.parent, attrs });
  for (;;) {
    const st = await port.poll(ctx, receipt, span);
    if (st.state !== "pending" || ctx.now >= watch.until) {
      trace.end(span, { state: st.state });
      return st;
    }
    await ctx.sleep(Math.min(watch.pollMs, watch.until - ctx.now), `${watch.agent}: poll ${receipt}`);
  }
}
