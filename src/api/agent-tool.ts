/**
 * A tool as a user's agent code calls it: bound to the calling process, so the code passes only
 * the arguments and, if it wants, an idempotency key, a deadline or a cancellation signal.
 *
 * Two ways to call, for two styles of client code:
 * - `call` resolves to the `ToolResponse` (ok with a result, or an error kind): nothing throws.
 * - `invoke` resolves to the result and throws a `ToolCallError` for an error response, as an
 *   HTTP client or SDK would; the error carries the kind (`transient`, `conflict`, ...) and the
 *   response, so retry code can decide.
 *
 * Each call is traced as caused by the agent's cursor: its start, or the last event it logged
 * (`env.log("retry", ...)`), so a trace reads as one causal chain from the agent through its
 * retries.
 */
import type { ToolErrorKind, ToolPort, ToolResponse } from "../actors/contracts.js";
import type { CancelSignal } from "../sim/process.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";

/** What agent code may add to a tool call's arguments. */
export interface ToolCallOptions {
  /** One key per logical operation, the same on every retry of it. */
  idempotencyKey?: string;
  /** The absolute virtual time (ms) after which the caller no longer wants the result. */
  deadlineAt?: number;
  /** The caller's cancellation; a tool that honours it stops before committing. */
  cancel?: CancelSignal;
}

/** A tool bound to the agent that calls it. */
export interface AgentTool {
  /** The tool's name. */
  readonly name: string;
  /** Calls the tool and resolves to its response, success or error; never rejects for a tool error. */
  call(args: Attrs, options?: ToolCallOptions): Promise<ToolResponse>;
  /** Calls the tool and resolves to its result; rejects with `ToolCallError` for an error response. */
  invoke(args: Attrs, options?: ToolCallOptions): Promise<AttrValue>;
}

/** A tool answered with an error: what `AgentTool.invoke` throws. */
export class ToolCallError extends Error {
  override name = "ToolCallError";
  /** The tool that answered. */
  readonly tool: string;
  /** How the call failed (`transient`, `rate-limited`, `conflict`, `timeout`...). */
  readonly kind: ToolErrorKind;
  /** For `rate-limited`: how long the tool asked the caller to wait. */
  readonly retryAfterMs: number | undefined;
  /** The error response itself. */
  readonly response: Extract<ToolResponse, { ok: false }>;

  constructor(tool: string, response: Extract<ToolResponse, { ok: false }>) {
    super(`${tool}: ${response.error}: ${response.message}`);
    this.tool = tool;
    this.kind = response.error;
    this.retryAfterMs = response.retryAfterMs;
    this.response = response;
  }
}

/** Where the agent is in its causal chain: the event its next calls are caused by. */
export interface CausalCursor {
  /** The trace id of the agent's start or of the last event it logged. */
  last: number | undefined;
}

/** Binds `port` to the process `ctx`, tracing calls as caused by the cursor's last event. */
export function bindTool(ctx: ProcessContext, port: ToolPort, cursor: CausalCursor): AgentTool {
  const call = (args: Attrs, options: ToolCallOptions = {}): Promise<ToolResponse> =>
    port.call(ctx, {
      args,
      caller: ctx.process.name,
      ...(cursor.last !== undefined ? { parent: cursor.last } : {}),
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.deadlineAt !== undefined ? { deadlineAt: options.deadlineAt } : {}),
      ...(options.cancel !== undefined ? { cancel: options.cancel } : {}),
    });
  return {
    name: port.name,
    call,
    async invoke(args, options) {
      const response = await call(args, options);
      if (!response.ok) throw new ToolCallError(port.name, response);
      return response.result;
    },
  };
}
