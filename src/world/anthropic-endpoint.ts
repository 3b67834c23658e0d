/**
 * A simulated Anthropic Messages API: `POST /v1/messages` (and `/v1/messages/count_tokens`) on
 * `api.anthropic.com`, speaking the real wire format, backed by the LLM provider actor and its
 * prompt cache. The official TypeScript SDK runs against it unmodified.
 *
 * A request, in virtual time:
 * 1. Front door (answers at once): an unknown route is 404 `not_found_error`; a request without
 *    `x-api-key` or `authorization` is 401 `authentication_error`; a malformed body (not JSON, no
 *    `model`, `max_tokens` or `messages`, more than 4 `cache_control` breakpoints) is 400
 *    `invalid_request_error`.
 * 2. The prompt's tokens and cache prefix come from its text (`prompt-tokens.ts`); the output's
 *    length is drawn (stream `<host>:output-tokens`) and capped at `max_tokens`.
 * 3. The provider actor takes the call (`LlmProvider.complete`, in a process of its own): rate
 *    limits, 529/500 draws, the prompt cache's hit or miss at arrival, time to first token and
 *    output speed.
 * 4. Success is 200 with `{ id, type: "message", role: "assistant", content, model, stop_reason,
 *    stop_sequence, usage }`, the usage fields straight from the provider (`input_tokens`,
 *    `cache_creation_input_tokens`, `cache_read_input_tokens`, `output_tokens`), sent at the last
 *    token. With `stream: true` the response begins at the first token and streams server-sent
 *    events (`anthropic-stream.ts`) to the last. An error is the API's error JSON (`{ type:
 *    "error", error: { type, message }, request_id }`) with status 429 (`rate_limit_error`,
 *    `retry-after` in whole seconds from the provider's rate limiter), 529 (`overloaded_error`,
 *    `retry-after` only if `overloadedRetryAfter` is set) or 500 (`api_error`).
 *
 * The cache's lifetime and prices are the provider's cache's: a request's `cache_control.ttl` is
 * not read. The response's content is a text block saying it is simulated, unless `respond`
 * scripts it (text and `tool_use` blocks, so that an agent loop can be driven).
 *
 * The provider's work runs on its own timers: a client that times out and retries does not stop
 * the first call, which is still billed and still writes the cache, as with the real API.
 */
import type { DistributionInput } from "../sim/distributions.js";
import { LLM_DEFAULTS } from "../actors/defaults.js";
import type { LlmProvider } from "../actors/llm-provider.js";
import type { LlmResponse } from "../actors/contracts.js";
import type { CacheLogEntry } from "../actors/prompt-cache.js";
import { distribution, type Distribution } from "../sim/distributions.js";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { MessageEventStream, type WireUsage } from "./anthropic-stream.js";
import { MAX_CACHE_BREAKPOINTS, promptTokens, type PromptTokens } from "./prompt-tokens.js";
import { jsonResponse, type Exchange, type SimService } from "./sim-fetch.js";

/** A content block of a response. */
export type ContentBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** What `respond` is told about the call it answers. */
export interface ResponseContext {
  /** Output tokens drawn for this call (already capped at `max_tokens`). */
  outputTokens: number;
  /** The calling agent. */
  caller: string;
  /** The request's number on the network. */
  requestId: number;
}

/** A simulated Messages API: the provider behind it, its host, token counting and responses. */
export interface AnthropicEndpointOptions {
  /** The provider actor behind the API (its cache, rate limits, errors, latency, billing). */
  provider: LlmProvider;
  /** The host it answers for (default `api.anthropic.com`). */
  host?: string;
  /** Characters per token when counting a prompt's text (default 4; source: the usual rule of thumb for English). */
  charsPerToken?: number;
  /** Output tokens per response before the `max_tokens` cap (default `LLM_DEFAULTS.outputTokens`). */
  outputTokens?: DistributionInput;
  /** The response's content (default one text block saying it is simulated). */
  respond?: (body: Record<string, unknown>, context: ResponseContext) => ContentBlock[];
  /** `retry-after` on 529 responses (default none; source: assumption, the API documents it for 429). */
  overloadedRetryAfter?: DurationInput;
}

const HOUR_MS = 3_600_000;

/** One call on its way to the provider. */
interface Call {
  body: Record<string, unknown>;
  tokens: PromptTokens;
  exchange: Exchange;
  /** Output tokens after the `max_tokens` cap. */
  outputTokens: number;
  /** Whether the cap cut the drawn output. */
  capped: boolean;
  stream: boolean;
}

/** The error type the API names for each status the provider can answer with. */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** The simulated Messages API. */
export class AnthropicEndpoint implements SimService {
  readonly host: string;
  readonly provider: LlmProvider;
  readonly #sim: Simulation;
  readonly #charsPerToken: number;
  readonly #outputTokens: Distribution;
  readonly #respond: AnthropicEndpointOptions["respond"];
  readonly #overloadedRetryAfterMs: number | undefined;
  #answered = 0;

  constructor(sim: Simulation, options: AnthropicEndpointOptions) {
    this.#sim = sim;
    this.provider = options.provider;
    this.host = options.host ?? "api.anthropic.com";
    this.#charsPerToken = options.charsPerToken ?? 4;
    const out = options.outputTokens ?? LLM_DEFAULTS.outputTokens;
    this.#outputTokens = typeof out === "object" && out !== null && "sample" in out ? out : distribution(out, "number");
    this.#respond = options.respond;
    this.#overloadedRetryAfterMs = options.overloadedRetryAfter === undefined ? undefined : parseDuration(options.overloadedRetryAfter);
  }

  /** Requests that reached the provider so far. */
  get calls(): number {
    return this.#answered;
  }

  /** Answers one HTTP request; see the file's contract. */
  async handle(request: Request, exchange: Exchange): Promise<Response> {
    const path = new URL(request.url).pathname;
    const count = path === "/v1/messages/count_tokens";
    if (request.method !== "POST" || (path !== "/v1/messages" && !count)) return this.#error(404, `Not found: ${request.method} ${path}`);
    if (!request.headers.has("x-api-key") && !request.headers.has("authorization")) return this.#error(401, "x-api-key header is required");
    const body = await readJson(request);
    const problem = body === undefined ? "the request body is not valid JSON" : validate(body, count);
    if (problem !== undefined || body === undefined) return this.#error(400, problem ?? "invalid request");
    const tokens = promptTokens(body, this.#charsPerToken);
    if (tokens.breakpoints > MAX_CACHE_BREAKPOINTS) {
      return this.#error(400, `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${tokens.breakpoints}.`);
    }
    if (count) return jsonResponse(200, { input_tokens: tokens.prefixTokens + tokens.restTokens }, this.#ids());
    const maxTokens = body.max_tokens as number;
    const drawn = Math.max(1, Math.round(this.#outputTokens.sample(this.#sim.rng(`${this.host}:output-tokens`))));
    const call: Call = { body, tokens, exchange, outputTokens: Math.min(drawn, maxTokens), capped: drawn > maxTokens, stream: body.stream === true };
    this.#answered++;
    return new Promise((resolve) => {
      this.#sim.spawn(`${this.host} request ${exchange.id}`, (ctx) => this.#serve(ctx, call, resolve), { daemon: true });
    });
  }

  /**
   * The provider's side of one call, in a process of its own (the provider waits in one). A
   * streamed answer is resolved at the first token and ended at the last; a plain one at the last.
   */
  async #serve(ctx: ProcessContext, call: Call, resolve: (r: Response) => void): Promise<void> {
    const sim = this.#sim;
    const { tokens, exchange } = call;
    const cacheLog = this.provider.cache.log;
    const logged = cacheLog.length;
    let stream: MessageEventStream | undefined;
    const head = { id: `msg_${sim.rng(`${this.host}:ids`).hex(24)}`, model: String(call.body.model) };
    const headers = this.#ids();
    const pending = this.provider.complete(ctx, {
      caller: exchange.caller,
      inputTokens: tokens.restTokens,
      outputTokens: call.outputTokens,
      parent: exchange.span,
      ...(tokens.prefixKey !== undefined ? { prefixKey: tokens.prefixKey, prefixTokens: tokens.prefixTokens, cachePrefix: true } : {}),
      ...(call.stream
        ? {
            onFirstToken: () => {
              sim.wake();
              stream = new MessageEventStream(exchange.signal);
              stream.begin({ ...head, usage: { ...arrivalUsage(tokens, cacheLog.slice(logged)), output_tokens: 1 } });
              resolve(new Response(stream.body, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers } }));
            },
          }
        : {}),
    });
    const answer = await pending;
    if (!answer.ok) {
      resolve(this.#providerError(answer));
      return;
    }
    const content = this.#respond ? this.#respond(call.body, { outputTokens: call.outputTokens, caller: exchange.caller, requestId: exchange.id }) : [defaultText(head.model, call.outputTokens)];
    const stopReason = content.some((b) => b.type === "tool_use") ? "tool_use" : call.capped ? "max_tokens" : "end_turn";
    const u = answer.usage;
    const usage: WireUsage = {
      input_tokens: u.inputTokens,
      cache_creation_input_tokens: u.cacheCreationInputTokens,
      cache_read_input_tokens: u.cacheReadInputTokens,
      output_tokens: u.outputTokens,
    };
    if (stream) {
      stream.end(content, stopReason, usage);
      return;
    }
    const longLived = this.provider.cache.ttlMs >= HOUR_MS;
    const cacheCreation = { ephemeral_5m_input_tokens: longLived ? 0 : u.cacheCreationInputTokens, ephemeral_1h_input_tokens: longLived ? u.cacheCreationInputTokens : 0 };
    const wireUsage = { ...usage, cache_creation: cacheCreation, service_tier: "standard" };
    resolve(jsonResponse(200, { ...head, type: "message", role: "assistant", content, stop_reason: stopReason, stop_sequence: null, usage: wireUsage }, headers));
  }

  #providerError(answer: Extract<LlmResponse, { ok: false }>): Response {
    const headers: Record<string, string> = {};
    const retryAfterMs = answer.status === 529 ? this.#overloadedRetryAfterMs : answer.retryAfterMs;
    if (retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(retryAfterMs / 1000));
    return this.#error(answer.status, answer.message.replace(/^[a-z_]+: /, ""), headers);
  }

  #error(status: number, message: string, extra: Record<string, string> = {}): Response {
    const headers = { ...this.#ids(), ...extra };
    const body = { type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message }, request_id: headers["request-id"] };
    return jsonResponse(status, body, headers);
  }

  /** A fresh `request-id` header, from the host's id stream. */
  #ids(): Record<string, string> {
    return { "request-id": `req_${this.#sim.rng(`${this.host}:ids`).hex(24)}` };
  }
}

/** The default content: one text block saying what it stands for. */
function defaultText(model: string, outputTokens: number): ContentBlock {
  return { type: "text", text: `(simulated ${model} response: ${outputTokens} output tokens)` };
}

/**
 * The input side of the usage, known when the request arrived: what the cache's log recorded for
 * it (a hit reads the prefix, a miss writes it; no entry, the prefix is plain input).
 */
function arrivalUsage(tokens: PromptTokens, entries: readonly CacheLogEntry[]): Omit<WireUsage, "output_tokens"> {
  const kind = entries.find((e) => e.kind === "hit" || e.kind === "miss")?.kind;
  const prefix = tokens.prefixTokens;
  return {
    input_tokens: tokens.restTokens + (kind === undefined ? prefix : 0),
    cache_creation_input_tokens: kind === "miss" ? prefix : 0,
    cache_read_input_tokens: kind === "hit" ? prefix : 0,
  };
}

async function readJson(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const v: unknown = JSON.parse(await request.text());
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The first problem with a Messages request body, in the API's words, or undefined. */
function validate(body: Record<string, unknown>, countOnly: boolean): string | undefined {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: Field required (at least one message)";
  if (countOnly) return undefined;
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return "max_tokens: Field required (a whole number of at least 1)";
  return undefined;
}
