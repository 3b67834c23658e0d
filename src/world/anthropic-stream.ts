/**
 * The Messages API's wire format for one call: its streamed events and its whole response.
 *
 * Contract (streamed, server-sent events):
 * - At the first token: `message_start` (the message with empty content, no stop reason, and the
 *   input side of its usage) and a `ping`.
 * - Each token as it comes: the first token of a content block opens it (`content_block_start`:
 *   an empty text block, or a `tool_use` block with its id, name and empty input), and closes the
 *   block before it (`content_block_stop`); a word is a `text_delta`, a piece of a tool call's
 *   input JSON an `input_json_delta`.
 * - At the last token: `content_block_stop` for the open block, `message_delta` (stop reason and
 *   final usage) and `message_stop`.
 * - A stream that breaks off sends an `error` event (`api_error`), as the API does when it fails
 *   after its 200; the SDK raises it.
 * A plain response is the message (`{ id, type: "message", role, content, model, stop_reason,
 * stop_sequence, usage }`, with `cache_creation` split by lifetime and `service_tier`). An error
 * is `{ type: "error", error: { type, message }, request_id }`.
 */
import type { LlmResponse } from "../actors/contracts.js";
import type { ArrivalUsage, CallWire, FinalAnswer } from "./llm-endpoint.js";
import { jsonResponse } from "./sim-fetch.js";
import type { OutputPiece, SseStream } from "./sse-stream.js";

/** The usage fields of the wire format. */
export interface WireUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** The error type the API names for each status. */
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** The API's error body and status, with the request id's header. */
export function anthropicError(status: number, message: string, headers: Record<string, string>): Response {
  const body = { type: "error", error: { type: ANTHROPIC_ERROR_TYPES[status] ?? "api_error", message }, request_id: headers["request-id"] };
  return jsonResponse(status, body, headers);
}

/** What the wire needs to know about its message. */
export interface AnthropicCallInfo {
  id: string;
  model: string;
  /** Whether the cache's lifetime is an hour (usage's `cache_creation` split). */
  longLived: boolean;
  /** Fresh headers for each response (request id, rate limits). */
  headers: () => Record<string, string>;
  /** `retry-after` for a provider error, in ms. */
  retryAfterMs: (answer: Extract<LlmResponse, { ok: false }>) => number | undefined;
}

/** The Messages API's wire for one call; see the file's contract. */
export function anthropicWire(info: AnthropicCallInfo): CallWire {
  let open = -1;
  const usageOf = (a: FinalAnswer): WireUsage => ({
    input_tokens: a.usage.inputTokens,
    cache_creation_input_tokens: a.usage.cacheCreationInputTokens,
    cache_read_input_tokens: a.usage.cacheReadInputTokens,
    output_tokens: a.usage.outputTokens,
  });
  const closeBlock = (s: SseStream): void => {
    if (open >= 0) s.send("content_block_stop", { type: "content_block_stop", index: open });
  };
  return {
    headers: info.headers,
    open(s: SseStream, arrival: ArrivalUsage) {
      const usage: WireUsage = {
        input_tokens: arrival.inputTokens,
        cache_creation_input_tokens: arrival.cacheCreationInputTokens,
        cache_read_input_tokens: arrival.cacheReadInputTokens,
        output_tokens: 1,
      };
      s.send("message_start", {
        type: "message_start",
        message: { id: info.id, type: "message", role: "assistant", model: info.model, content: [], stop_reason: null, stop_sequence: null, usage },
      });
      s.send("ping", { type: "ping" });
    },
    piece(s: SseStream, p: OutputPiece) {
      if (p.block !== open) {
        closeBlock(s);
        open = p.block;
        const block = p.kind === "tool-start" ? { type: "tool_use", id: p.id, name: p.name, input: {} } : { type: "text", text: "" };
        s.send("content_block_start", { type: "content_block_start", index: p.block, content_block: block });
      }
      if (p.kind === "text") s.send("content_block_delta", { type: "content_block_delta", index: p.block, delta: { type: "text_delta", text: p.text } });
      else if (p.kind === "args")
        s.send("content_block_delta", { type: "content_block_delta", index: p.block, delta: { type: "input_json_delta", partial_json: p.text } });
    },
    close(s: SseStream, a: FinalAnswer) {
      closeBlock(s);
      s.send("message_delta", { type: "message_delta", delta: { stop_reason: a.stop, stop_sequence: null }, usage: usageOf(a) });
      s.send("message_stop", { type: "message_stop" });
    },
    breakOff(s: SseStream, message: string) {
      s.send("error", { type: "error", error: { type: "api_error", message } });
    },
    json(a: FinalAnswer) {
      const u = usageOf(a);
      const created = a.usage.cacheCreationInputTokens;
      const usage = {
        ...u,
        cache_creation: { ephemeral_5m_input_tokens: info.longLived ? 0 : created, ephemeral_1h_input_tokens: info.longLived ? created : 0 },
        service_tier: "standard",
      };
      return jsonResponse(
        200,
        { id: info.id, type: "message", role: "assistant", model: info.model, content: a.content, stop_reason: a.stop, stop_sequence: null, usage },
        info.headers(),
      );
    },
    error(answer) {
      const headers = info.headers();
      const retryAfterMs = info.retryAfterMs(answer);
      if (retryAfterMs !== undefined) headers["retry-after"] = String(Math.ceil(retryAfterMs / 1000));
      return anthropicError(answer.status, answer.message.replace(/^[a-z_]+: /, ""), headers);
    },
  };
}
