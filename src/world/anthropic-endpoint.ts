/**
 * A simulated Anthropic Messages API: `POST /v1/messages` (and `/v1/messages/count_tokens`) on
 * `api.anthropic.com`, speaking the real wire format (`anthropic-stream.ts`), backed by the LLM
 * provider actor and its prompt cache. The official TypeScript SDK and `@ai-sdk/anthropic` run
 * against it unmodified.
 *
 * A request, in virtual time:
 * 1. Front door (answers at once): an unknown route is 404 `not_found_error`; a request without
 *    `x-api-key` or `authorization` is 401 `authentication_error`; a request the API rejects is 400
 *    `invalid_request_error` in its words: not JSON, no `model`, `max_tokens` or `messages`, a
 *    `temperature` outside [0, 1], more than 4 `cache_control` breakpoints, a `tool_result` whose
 *    `tool_use_id` no `tool_use` of the previous message made.
 * 2. The prompt's tokens and cache prefix come from its text and its `cache_control` breakpoints
 *    (`prompt-tokens.ts`).
 * 3. The call is served as every simulated model API serves one (`llm-endpoint.ts`): the
 *    responder decides the content (default: the declared tools are called, then text), the
 *    provider the timing, usage, rate limits and errors (429 `rate_limit_error` and 529
 *    `overloaded_error` at once, with `retry-after`; 500 `api_error`); a streamed answer comes
 *    token by token.
 * Every response carries `request-id`, and with rate limits `anthropic-ratelimit-{requests,
 * tokens}-{limit,remaining,reset}`.
 *
 * The cache's lifetime and prices are the provider's cache's: a request's `cache_control.ttl` is
 * not read. The provider's work runs on its own timers: a client that times out and retries does
 * not stop the first call, which is still billed and still writes the cache, as with the real API.
 */
import type { Simulation } from "../sim/simulation.js";
import { anthropicError, anthropicWire } from "./anthropic-stream.js";
import { ModelEndpointService, readJsonObject, type ModelEndpointOptions } from "./llm-endpoint.js";
import type { ModelTurn, ToolChoice, TurnMessage } from "./model-turn.js";
import { MAX_CACHE_BREAKPOINTS, promptTokens } from "./prompt-tokens.js";
import type { Exchange, SimService } from "./sim-fetch.js";

export type { ContentBlock, ResponseContext } from "./model-turn.js";

/** A simulated Messages API: the provider behind it, its host, token counting and responses. */
export interface AnthropicEndpointOptions extends ModelEndpointOptions {}

const HOUR_MS = 3_600_000;
const ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The simulated Messages API. */
export class AnthropicEndpoint extends ModelEndpointService implements SimService {
  constructor(sim: Simulation, options: AnthropicEndpointOptions) {
    super(sim, options, "api.anthropic.com");
  }

  /** Answers one HTTP request; see the file's contract. */
  async handle(request: Request, exchange: Exchange): Promise<Response> {
    const path = new URL(request.url).pathname;
    const count = path === "/v1/messages/count_tokens";
    const error = (status: number, message: string): Response => anthropicError(status, message, this.#headers());
    if (request.method !== "POST" || (path !== "/v1/messages" && !count)) return error(404, `Not found: ${request.method} ${path}`);
    if (!request.headers.has("x-api-key") && !request.headers.has("authorization")) return error(401, "x-api-key header is required");
    const body = await readJsonObject(request);
    const problem = body === undefined ? "the request body is not valid JSON" : validate(body, count);
    if (problem !== undefined || body === undefined) return error(400, problem ?? "invalid request");
    const tokens = promptTokens(body, this.core.charsPerToken);
    if (tokens.breakpoints > MAX_CACHE_BREAKPOINTS)
      return error(400, `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${tokens.breakpoints}.`);
    if (count)
      return new Response(JSON.stringify({ input_tokens: tokens.prefixTokens + tokens.restTokens }), {
        status: 200,
        headers: { "content-type": "application/json", ...this.#headers() },
      });
    const turn = readTurn(body);
    const wire = anthropicWire({
      id: `msg_${this.core.id()}`,
      model: turn.model,
      longLived: this.provider.cache.ttlMs >= HOUR_MS,
      headers: () => this.#headers(),
      retryAfterMs: (a) => this.core.retryAfterMs(a),
    });
    return this.core.serve({ turn, prompt: tokens, exchange, stream: body.stream === true, cachePrefix: true, wire }, () => `toolu_${this.#toolId()}`);
  }

  /** A fresh `request-id` and the rate limits' state. */
  #headers(): Record<string, string> {
    const h: Record<string, string> = { "request-id": `req_${this.core.id()}` };
    const limits = this.provider.rateLimitState();
    for (const [name, state] of Object.entries(limits)) {
      h[`anthropic-ratelimit-${name}-limit`] = String(state.limit);
      h[`anthropic-ratelimit-${name}-remaining`] = String(state.remaining);
      h[`anthropic-ratelimit-${name}-reset`] = new Date(this.sim.epochMs + this.sim.now + state.resetMs).toISOString();
    }
    return h;
  }

  /** 24 base-62 characters, as the API's tool-use ids have. */
  #toolId(): string {
    const rng = this.sim.rng(`${this.host}:ids`);
    let s = "";
    for (let i = 0; i < 24; i++) s += ID_CHARS[rng.int(0, ID_CHARS.length - 1)];
    return s;
  }
}

/** A Messages request as a model turn. */
function readTurn(body: Record<string, unknown>): ModelTurn {
  const system =
    typeof body.system === "string"
      ? body.system
      : asArray(body.system)
          .map((b) => textOf(b))
          .join("\n\n");
  const messages: TurnMessage[] = [];
  for (const m of asArray(body.messages)) {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    const blocks = typeof content === "string" ? [{ type: "text", text: content }] : asArray(content).map((b) => (b ?? {}) as Record<string, unknown>);
    if (role === "assistant") {
      const toolCalls = blocks.filter((b) => b.type === "tool_use").map((b) => ({ id: String(b.id), name: String(b.name), input: b.input }));
      messages.push({
        role: "assistant",
        text: blocks
          .filter((b) => b.type === "text")
          .map((b) => String(b.text))
          .join(""),
        toolCalls,
      });
      continue;
    }
    for (const b of blocks)
      if (b.type === "tool_result")
        messages.push({
          role: "tool",
          callId: String(b.tool_use_id),
          text: typeof b.content === "string" ? b.content : asArray(b.content).map(textOf).join(""),
          isError: b.is_error === true,
        });
    const text = blocks
      .filter((b) => b.type === "text")
      .map((b) => String(b.text))
      .join("");
    if (text !== "" || !blocks.some((b) => b.type === "tool_result")) messages.push({ role: "user", text });
  }
  const tools = asArray(body.tools)
    .map((t) => (t ?? {}) as Record<string, unknown>)
    .filter((t) => t.input_schema !== undefined)
    .map((t) => ({ name: String(t.name), description: String(t.description ?? ""), schema: t.input_schema as Record<string, unknown> }));
  const tc = (body.tool_choice ?? {}) as { type?: string; name?: string };
  const toolChoice: ToolChoice =
    tc.type === "none"
      ? { type: "none" }
      : tc.type === "any"
        ? { type: "required" }
        : tc.type === "tool" && tc.name
          ? { type: "tool", name: tc.name }
          : { type: "auto" };
  return { api: "anthropic-messages", model: String(body.model), system, messages, tools, toolChoice, maxTokens: body.max_tokens as number, body };
}

/** The first problem with a Messages request body, in the API's words, or undefined. */
function validate(body: Record<string, unknown>, countOnly: boolean): string | undefined {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: Field required (at least one message)";
  if (!countOnly && (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1))
    return "max_tokens: Field required (a whole number of at least 1)";
  if (body.temperature !== undefined && (typeof body.temperature !== "number" || body.temperature < 0 || body.temperature > 1))
    return "temperature: Input should be less than or equal to 1 (range: 0..1)";
  const messages = body.messages as unknown[];
  for (const [i, m] of messages.entries()) {
    const content = (m as { content?: unknown } | null)?.content;
    const before = i > 0 ? (messages[i - 1] as { role?: unknown; content?: unknown } | null) : undefined;
    const asked = new Set(
      before?.role === "assistant"
        ? asArray(before.content).flatMap((b) => ((b as Record<string, unknown>)?.type === "tool_use" ? [String((b as Record<string, unknown>).id)] : []))
        : [],
    );
    for (const [j, b] of asArray(content).entries()) {
      const block = (b ?? {}) as Record<string, unknown>;
      if (block.type === "tool_result" && !asked.has(String(block.tool_use_id))) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return undefined;
}

function textOf(b: unknown): string {
  const block = (b ?? {}) as Record<string, unknown>;
  return typeof block.text === "string" ? block.text : "";
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
