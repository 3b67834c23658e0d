/**
 * OpenAI Chat Completions on the simulated OpenAI API: reading a request into a model turn, and
 * writing one call's answer.
 *
 * Contract:
 * - A request needs `model` and a non-empty `messages`; `system` and `developer` messages are the
 *   system prompt; a `tool` message must answer a `tool_calls` id of an earlier assistant message
 *   (else 400, param `messages.[i].role`, as the API words it). `max_completion_tokens` (or the
 *   older `max_tokens`) caps the output.
 * - A plain answer is a `chat.completion`: one choice with the text (or `null`) and `tool_calls`
 *   (arguments as a JSON string), `finish_reason` `stop`, `tool_calls` or `length`, and `usage`
 *   with `prompt_tokens_details.cached_tokens`.
 * - A streamed answer is `chat.completion.chunk`s: the first carries the role; each token a
 *   `content` delta, or a `tool_calls` delta (the call's `index`, `id`, `type` and `name` on its
 *   first, then `arguments` pieces); then the `finish_reason`; with
 *   `stream_options.include_usage` a last chunk with empty `choices` and the usage (every chunk
 *   carries `usage: null` before it); then `data: [DONE]`. A stream that breaks off sends
 *   `{ error: { message, type: "server_error" } }`, which the SDKs raise.
 */
import type { ArrivalUsage, CallWire, FinalAnswer, StopReason } from "./llm-endpoint.js";
import type { ModelTurn, ToolChoice, ToolDeclaration, TurnMessage } from "./model-turn.js";
import { missing, rejection, temperatureProblem, type OpenAICallInfo, type Rejection } from "./openai-endpoint.js";
import { jsonResponse } from "./sim-fetch.js";
import type { OutputPiece, SseStream } from "./sse-stream.js";

const FINISH: Readonly<Record<StopReason, string>> = { end_turn: "stop", tool_use: "tool_calls", max_tokens: "length" };

/** A Chat Completions request as a model turn, or the 400 the API answers. */
export function readChatTurn(body: Record<string, unknown>): ModelTurn | Rejection {
  if (typeof body.model !== "string" || body.model === "") return missing("model");
  if (!Array.isArray(body.messages)) return missing("messages");
  if (body.messages.length === 0)
    return rejection("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array");
  const temperature = temperatureProblem(body);
  if (temperature) return temperature;
  const system: string[] = [];
  const messages: TurnMessage[] = [];
  const asked = new Set<string>();
  for (const [i, raw] of (body.messages as unknown[]).entries()) {
    const m = (raw ?? {}) as Record<string, unknown>;
    const text = contentText(m.content);
    if (m.role === "system" || m.role === "developer") system.push(text);
    else if (m.role === "assistant") {
      const calls = asArray(m.tool_calls).map((c) => {
        const call = (c ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
        return { id: String(call.id), name: String(call.function?.name), input: call.function?.arguments };
      });
      for (const c of calls) asked.add(c.id);
      messages.push({ role: "assistant", text, toolCalls: calls });
    } else if (m.role === "tool") {
      const callId = String(m.tool_call_id);
      if (!asked.has(callId))
        return rejection(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
          null,
        );
      messages.push({ role: "tool", callId, text, isError: false });
    } else messages.push({ role: "user", text });
  }
  const tools = asArray(body.tools)
    .map((t) => ((t ?? {}) as { function?: Record<string, unknown> }).function)
    .filter((f): f is Record<string, unknown> => f !== undefined)
    .map(functionTool);
  return openAiTurn("openai-chat", body, body.model, system, messages, tools, body.max_completion_tokens ?? body.max_tokens);
}

/** A declared function tool as both OpenAI APIs write it: name, description, JSON-schema `parameters`. */
export function functionTool(f: Record<string, unknown>): ToolDeclaration {
  return {
    name: String(f.name),
    description: String(f.description ?? ""),
    schema: (f.parameters ?? { type: "object", properties: {} }) as Record<string, unknown>,
  };
}

/** The turn of either OpenAI API, once its messages, system parts and tools are read. */
export function openAiTurn(
  api: "openai-chat" | "openai-responses",
  body: Record<string, unknown>,
  model: string,
  system: readonly string[],
  messages: TurnMessage[],
  tools: ToolDeclaration[],
  max: unknown,
): ModelTurn {
  return {
    api,
    model,
    system: system.join("\n\n"),
    messages,
    tools,
    toolChoice: readToolChoice(body.tool_choice),
    maxTokens: typeof max === "number" ? max : undefined,
    body,
  };
}

/** `tool_choice` as both OpenAI APIs write it. */
export function readToolChoice(choice: unknown): ToolChoice {
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "required" };
  const c = (choice ?? {}) as { type?: unknown; name?: unknown; function?: { name?: unknown } };
  const name = c.function?.name ?? c.name;
  return c.type === "function" && typeof name === "string" ? { type: "tool", name } : { type: "auto" };
}

/** The wire of one Chat Completions call; see the file's contract. */
export function chatWire(info: OpenAICallInfo, body: Record<string, unknown>): CallWire {
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const toolIndex = new Map<number, number>();
  const base = {
    id: info.id,
    object: "chat.completion.chunk",
    created: info.created,
    model: info.model,
    service_tier: "default",
    system_fingerprint: "fp_agentsim",
  };
  const chunk = (s: SseStream, delta: Record<string, unknown>, finish: string | null = null): void => {
    s.send(undefined, { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  };
  return {
    headers: info.headers,
    open(s: SseStream, _arrival: ArrivalUsage) {
      chunk(s, { role: "assistant", content: "", refusal: null });
    },
    piece(s: SseStream, p: OutputPiece) {
      if (p.kind === "text") return chunk(s, { content: p.text });
      if (p.kind === "tool-start") {
        toolIndex.set(p.block, toolIndex.size);
        return chunk(s, { tool_calls: [{ index: toolIndex.get(p.block), id: p.id, type: "function", function: { name: p.name, arguments: "" } }] });
      }
      chunk(s, { tool_calls: [{ index: toolIndex.get(p.block) ?? 0, function: { arguments: p.text } }] });
    },
    close(s: SseStream, a: FinalAnswer) {
      chunk(s, {}, FINISH[a.stop]);
      if (includeUsage) s.send(undefined, { ...base, choices: [], usage: usage(a) });
      s.send(undefined, "[DONE]");
    },
    breakOff(s: SseStream, message: string) {
      s.send(undefined, { error: { message, type: "server_error", param: null, code: null } });
    },
    json(a: FinalAnswer) {
      const text = a.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
      const calls = a.content.flatMap((b) =>
        b.type === "tool_use" ? [{ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } }] : [],
      );
      const message = {
        role: "assistant",
        content: text === "" && calls.length ? null : text,
        refusal: null,
        annotations: [],
        ...(calls.length ? { tool_calls: calls } : {}),
      };
      return jsonResponse(
        200,
        {
          id: info.id,
          object: "chat.completion",
          created: info.created,
          model: info.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[a.stop] }],
          usage: usage(a),
          service_tier: "default",
          system_fingerprint: "fp_agentsim",
        },
        info.headers(),
      );
    },
    error: info.error,
  };
}

function usage(a: FinalAnswer): Record<string, unknown> {
  const u = a.usage;
  const prompt = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cacheReadInputTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** A message's `content` as text: a string, or its text parts joined. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return asArray(content)
    .map((p) => {
      const part = (p ?? {}) as { text?: unknown };
      return typeof part.text === "string" ? part.text : "";
    })
    .join("");
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
