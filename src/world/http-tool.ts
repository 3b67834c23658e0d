/**
 * A `SimTool` exposed over HTTP, so that user code reaches it with `fetch`, as it would a real
 * API (a payment processor's refund endpoint).
 *
 * Wire contract, for `POST https://<host><path>` with a JSON object body:
 * - The body is the call's arguments; an `Idempotency-Key` header is the call's idempotency key
 *   (Stripe's header name). The caller is the agent making the fetch; the call's trace parent is
 *   the fetch's `http.request` span.
 * - The client's abort signal is the call's cancellation: when the client gives up (its own
 *   timeout, `AbortSignal.timeout`) the tool hears of it as a dropped connection, and stops only
 *   if it honours cancellation; otherwise it works on and commits, as the catalog's tools do.
 * - Answers: success is 200 with the result as the JSON body (`Idempotent-Replayed: true` when a
 *   key replayed it); errors are `{ error: { type, message } }` with 400 (`caller`,
 *   `idempotency-mismatch`), 409 (`conflict`: the key is in flight), 429 (`rate-limited`, with
 *   `retry-after` in whole seconds), 499 (`cancelled`), 503 (`transient`), 504 (`timeout`).
 *   Every answer carries `request-id` (the tool's request id).
 * - While `down` (an outage window), every request is 503 at once and none reaches the tool.
 * - Another method is 405, another path 404, a body that is not a JSON object 400: none reaches
 *   the tool.
 */
import type { ToolErrorKind, ToolResponse } from "../actors/contracts.js";
import type { SimTool } from "../actors/tool.js";
import type { CancelSignal } from "../sim/process.js";
import type { Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import { jsonResponse, type Exchange, type SimService } from "./sim-fetch.js";

/** Where a tool answers over HTTP: its host and path. */
export interface HttpToolOptions {
  /** The host it answers for, e.g. `payments.sim`. */
  host: string;
  /** The path of the endpoint (default `/<tool name>`). */
  path?: string;
}

/** HTTP status and error type for each way a tool call fails. */
const STATUS: Readonly<Record<ToolErrorKind, { status: number; type: string }>> = {
  caller: { status: 400, type: "invalid_request_error" },
  "idempotency-mismatch": { status: 400, type: "idempotency_error" },
  conflict: { status: 409, type: "idempotency_key_in_use" },
  "rate-limited": { status: 429, type: "rate_limit_error" },
  cancelled: { status: 499, type: "cancelled" },
  transient: { status: 503, type: "api_error" },
  timeout: { status: 504, type: "timeout" },
};

/** A simulated tool behind an HTTP endpoint. */
export class HttpTool implements SimService {
  readonly host: string;
  readonly path: string;
  readonly tool: SimTool;
  /** While true, the endpoint answers 503 at once and nothing reaches the tool (an outage); assign to change it mid-run. */
  down = false;
  readonly #sim: Simulation;

  constructor(sim: Simulation, tool: SimTool, options: HttpToolOptions) {
    this.#sim = sim;
    this.tool = tool;
    this.host = options.host;
    this.path = options.path ?? `/${tool.name}`;
  }

  /** The endpoint's URL. */
  get url(): string {
    return `https://${this.host}${this.path}`;
  }

  /** Answers one HTTP request; see the file's contract. */
  async handle(request: Request, exchange: Exchange): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== this.path) return jsonResponse(404, { error: { type: "not_found", message: `no endpoint ${path} on ${this.host}; expected ${this.path}` } });
    if (request.method !== "POST")
      return jsonResponse(405, { error: { type: "method_not_allowed", message: `${request.method} ${path}: expected POST` } }, { allow: "POST" });
    if (this.down) {
      this.#sim.trace.instant({ actor: this.tool.name, layer: "tool", kind: "tool.outage", parent: exchange.span, attrs: { host: this.host } });
      return jsonResponse(503, { error: { type: "api_error", message: `503 service unavailable: ${this.host} is down (tool-outage)` } });
    }
    const args = await readArgs(request);
    if (!args) return jsonResponse(400, { error: { type: "invalid_request_error", message: "the request body must be a JSON object of arguments" } });
    const key = request.headers.get("idempotency-key") ?? undefined;
    const cancel = exchange.signal ? cancelSignal(exchange.signal) : undefined;
    let requestId = "";
    const response = await new Promise<ToolResponse>((resolve) => {
      requestId = this.tool.send(
        { args, caller: exchange.caller, parent: exchange.span, ...(key !== undefined ? { idempotencyKey: key } : {}), ...(cancel ? { cancel } : {}) },
        (r) => {
          this.#sim.wake();
          resolve(r);
        },
      ).requestId;
    });
    return toHttp(response, requestId);
  }
}

function toHttp(response: ToolResponse, requestId: string): Response {
  const headers: Record<string, string> = { "request-id": requestId };
  if (response.replayed) headers["idempotent-replayed"] = "true";
  if (response.ok) return jsonResponse(200, response.result, headers);
  const { status, type } = STATUS[response.error];
  if (response.retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(response.retryAfterMs / 1000));
  return jsonResponse(status, { error: { type, message: response.message } }, headers);
}

async function readArgs(request: Request): Promise<Attrs | undefined> {
  try {
    const v: unknown = JSON.parse(await request.text());
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Attrs) : undefined;
  } catch {
    return undefined;
  }
}

/** The client's AbortSignal as the tool's cancellation. */
function cancelSignal(signal: AbortSignal): CancelSignal {
  const reason = (): string =>
    `the client dropped the connection (${signal.reason instanceof Error || signal.reason instanceof DOMException ? signal.reason.name : String(signal.reason)})`;
  return {
    get cancelled() {
      return signal.aborted;
    },
    get reason() {
      return signal.aborted ? reason() : undefined;
    },
    onCancel(cb) {
      if (signal.aborted) {
        cb(reason());
        return () => {};
      }
      const listener = (): void => cb(reason());
      signal.addEventListener("abort", listener, { once: true });
      return () => signal.removeEventListener("abort", listener);
    },
  };
}
