/**
 * A simulated OpenAI API on `api.openai.com`: Chat Completions (`POST /v1/chat/completions`,
 * `openai-chat.ts`) and Responses (`POST /v1/responses`, `openai-responses.ts`), speaking the real
 * wire formats, backed by the same LLM provider, rate-limit and prompt-cache actors as the
 * Anthropic endpoint. The official `openai` SDK and `@ai-sdk/openai` (and other
 * OpenAI-compatible clients, with `host`) run against it unmodified.
 *
 * A request, in virtual time:
 * 1. Front door (answers at once): another route is 404; a request without `authorization` is
 *    401; a request the API rejects is 400 `invalid_request_error` with its `param` and `code`: not
 *    JSON, a missing required parameter (`model`, `messages`/`input`), a `temperature` outside
 *    [0, 2], a tool result that answers no earlier tool call.
 * 2. The prompt's tokens: characters / `charsPerToken`. The cacheable prefix is the tool
 *    definitions and the system prompt (instructions): OpenAI caches prefixes itself, without
 *    markers, and a prefix shorter than the cache's minimum (1,024 tokens) is not cached.
 *    `cached_tokens` in the usage is the prefix read from the cache. (The provider's cache prices a
 *    write above base input, as Anthropic's does; OpenAI does not charge for writes.)
 * 3. The call is served as every simulated model API serves one (`llm-endpoint.ts`): responder,
 *    provider, token-by-token streaming, mid-stream errors. 429 (`rate_limit_exceeded`, with
 *    `retry-after`) and 503 (overloaded; the provider's 529) come at once, 500 after a time to
 *    first token.
 * Every response carries `x-request-id`, and with rate limits `x-ratelimit-{limit,remaining,
 * reset}-{requests,tokens}` (reset as OpenAI writes durations: `1s`, `6m0s`, `20ms`).
 */
import type { LlmResponse } from "../actors/contracts.js";
import type { Simulation } from "../sim/simulation.js";
import { ModelEndpointService, readJsonObject, type CallWire, type ModelEndpointOptions, type PromptShape } from "./llm-endpoint.js";
import type { ModelTurn } from "./model-turn.js";
import { chatWire, readChatTurn } from "./openai-chat.js";
import { readResponsesTurn, responsesWire, ResponseStore } from "./openai-responses.js";
import { jsonResponse, type Exchange, type SimService } from "./sim-fetch.js";
import { createHash } from "node:crypto";

/** A simulated OpenAI API: the provider behind it, its host, token counting and responses. */
export interface OpenAIEndpointOptions extends ModelEndpointOptions {}

/** An OpenAI error body's fields. */
export interface OpenAIErrorFields {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** A 400 found at the front door. */
export type Rejection = { status: 400; error: OpenAIErrorFields };

/** What a wire needs from its endpoint. */
export interface OpenAICallInfo {
  id: string;
  model: string;
  /** Seconds since the epoch, virtual. */
  created: number;
  headers: () => Record<string, string>;
  error: (answer: Extract<LlmResponse, { ok: false }>) => Response;
  /** A fresh id of `chars` hex characters. */
  newId: (chars?: number) => string;
}

/** The simulated OpenAI API. */
export class OpenAIEndpoint extends ModelEndpointService implements SimService {
  readonly #store = new ResponseStore();

  constructor(sim: Simulation, options: OpenAIEndpointOptions) {
    super(sim, options, "api.openai.com");
  }

  /** Answers one HTTP request; see the file's contract. */
  async handle(request: Request, exchange: Exchange): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    const chat = path === "/v1/chat/completions";
    if (request.method !== "POST" || (!chat && path !== "/v1/responses"))
      return this.#error(404, { message: `Invalid URL (${request.method} ${path})`, type: "invalid_request_error", param: null, code: null });
    if (!request.headers.has("authorization")) {
      return this.#error(401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: "invalid_request_error",
        param: null,
        code: null,
      });
    }
    const body = await readJsonObject(request);
    if (body === undefined)
      return this.#error(400, { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", param: null, code: null });
    const read = chat ? readChatTurn(body) : readResponsesTurn(body, this.#store);
    if ("status" in read) return this.#error(read.status, read.error);
    const turn = read;
    const info: OpenAICallInfo = {
      id: chat ? `chatcmpl-${this.core.id(29)}` : `resp_${this.core.id(48)}`,
      model: turn.model,
      created: Math.floor((this.sim.epochMs + this.sim.now) / 1000),
      headers: () => this.#headers(),
      error: (a) => this.#providerError(a),
      newId: (chars) => this.core.id(chars),
    };
    const wire: CallWire = chat ? chatWire(info, body) : responsesWire(info, body, turn, this.#store);
    const toolCallId = (): string => `call_${this.core.id(24)}`;
    return this.core.serve(
      { turn, prompt: promptShape(turn, this.core.charsPerToken), exchange, stream: body.stream === true, cachePrefix: true, wire },
      toolCallId,
    );
  }

  #providerError(answer: Extract<LlmResponse, { ok: false }>): Response {
    const headers = this.#headers();
    const retryAfterMs = this.core.retryAfterMs(answer);
    if (retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(retryAfterMs / 1000));
    if (answer.status === 429) {
      const what = answer.message.includes("tokens per minute") ? "tokens" : "requests";
      const wait = retryAfterMs === undefined ? "" : ` Please try again in ${openAIDuration(retryAfterMs)}.`;
      return jsonResponse(
        429,
        {
          error: {
            message: `Rate limit reached on ${what} per min (${what === "tokens" ? "TPM" : "RPM"}).${wait}`,
            type: what,
            param: null,
            code: "rate_limit_exceeded",
          },
        },
        headers,
      );
    }
    if (answer.status === 529)
      return jsonResponse(503, { error: { message: "The server is overloaded or not ready yet.", type: "server_error", param: null, code: null } }, headers);
    return jsonResponse(
      500,
      { error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } },
      headers,
    );
  }

  #error(status: number, error: OpenAIErrorFields): Response {
    return jsonResponse(status, { error }, this.#headers());
  }

  /** A fresh `x-request-id` and the rate limits' state. */
  #headers(): Record<string, string> {
    const h: Record<string, string> = { "x-request-id": `req_${this.core.id(32)}`, "openai-version": "2020-10-01" };
    for (const [name, state] of Object.entries(this.provider.rateLimitState())) {
      h[`x-ratelimit-limit-${name}`] = String(state.limit);
      h[`x-ratelimit-remaining-${name}`] = String(state.remaining);
      h[`x-ratelimit-reset-${name}`] = openAIDuration(state.resetMs);
    }
    return h;
  }
}

/** A duration as OpenAI's rate-limit headers write it: `20ms`, `1.5s`, `6m0s`. */
export function openAIDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 10) / 100;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The prompt's tokens: tools and system as the cacheable prefix, the messages after it. */
function promptShape(turn: ModelTurn, charsPerToken: number): PromptShape {
  const prefixText = `${turn.tools.map((t) => JSON.stringify(t)).join("")}${turn.system}`;
  let rest = 0;
  for (const m of turn.messages) {
    rest += m.text.length;
    if (m.role === "assistant")
      for (const c of m.toolCalls) rest += c.name.length + (typeof c.input === "string" ? c.input.length : JSON.stringify(c.input ?? {}).length);
  }
  const prefixTokens = Math.ceil(prefixText.length / charsPerToken);
  const prefixKey =
    prefixTokens > 0 ? `prefix:${createHash("sha256").update(turn.model).update("\u0000").update(prefixText).digest("hex").slice(0, 16)}` : undefined;
  return { prefixTokens, prefixKey, restTokens: Math.max(1, Math.ceil(rest / charsPerToken)) };
}

/** A 400 with the API's fields. */
export function rejection(message: string, param: string | null, code: string | null): Rejection {
  return { status: 400, error: { message, type: "invalid_request_error", param, code } };
}

/** The 400 for a temperature outside [0, 2], or undefined. */
export function temperatureProblem(body: Record<string, unknown>): Rejection | undefined {
  const t = body.temperature;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== "number")
    return rejection(`Invalid type for 'temperature': expected a decimal, but got ${typeof t} instead.`, "temperature", "invalid_type");
  if (t > 2)
    return rejection(
      `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${t} instead.`,
      "temperature",
      "decimal_above_max_value",
    );
  if (t < 0)
    return rejection(
      `Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got ${t} instead.`,
      "temperature",
      "decimal_below_min_value",
    );
  return undefined;
}

/** The 400 for a missing required parameter. */
export function missing(param: string): Rejection {
  return rejection(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
}
