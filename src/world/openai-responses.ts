/**
 * OpenAI Responses on the simulated OpenAI API: reading a request into a model turn, and writing
 * one call's answer.
 *
 * Contract:
 * - A request needs `model`; `input` is a string (one user message) or items: messages (`role`
 *   with string content or `input_text`/`output_text` parts; `system` and `developer` join
 *   `instructions` as the system prompt), `function_call` and `function_call_output` (which must
 *   answer a `call_id` made earlier in the conversation, else 400 "No tool call found for function
 *   call output with call_id …", param `input`). `previous_response_id` continues a response this
 *   endpoint gave (its input and output come first; an unknown id is 400
 *   `previous_response_not_found`). `max_output_tokens` caps the output.
 * - A plain answer is a `response` with `status` `completed` (or `incomplete`, reason
 *   `max_output_tokens`), `output` items (a `message` with one `output_text` part; a
 *   `function_call` per tool call, arguments as a JSON string) and `usage` with
 *   `input_tokens_details.cached_tokens`.
 * - A streamed answer is the API's typed events, each with a `sequence_number`:
 *   `response.created`, `response.in_progress`; per output item `response.output_item.added`, for
 *   a message `response.content_part.added`, one `response.output_text.delta` a token,
 *   `response.output_text.done`, `response.content_part.done`, for a function call one
 *   `response.function_call_arguments.delta` a piece, `response.function_call_arguments.done`;
 *   then `response.output_item.done`; last `response.completed` (or `response.incomplete`) with
 *   the whole response. A stream that breaks off sends an `error` event, which the SDKs raise.
 */
import type { ArrivalUsage, CallWire, FinalAnswer } from "./llm-endpoint.js";
import type { ContentBlock, ModelTurn, TurnMessage } from "./model-turn.js";
import { asArray, contentText, functionTool, openAiTurn } from "./openai-chat.js";
import { missing, rejection, temperatureProblem, type OpenAICallInfo, type Rejection } from "./openai-endpoint.js";
import { jsonResponse } from "./sim-fetch.js";
import type { OutputPiece, SseStream } from "./sse-stream.js";

/** The responses this endpoint gave, for `previous_response_id`. */
export class ResponseStore {
  readonly #conversations = new Map<string, TurnMessage[]>();

  /** The conversation up to and including response `id`'s output. */
  get(id: string): TurnMessage[] | undefined {
    return this.#conversations.get(id);
  }

  set(id: string, messages: TurnMessage[]): void {
    this.#conversations.set(id, messages);
  }
}

/** A Responses request as a model turn, or the 400 the API answers. */
export function readResponsesTurn(body: Record<string, unknown>, store: ResponseStore): ModelTurn | Rejection {
  if (typeof body.model !== "string" || body.model === "") return missing("model");
  const temperature = temperatureProblem(body);
  if (temperature) return temperature;
  const previous = typeof body.previous_response_id === "string" ? store.get(body.previous_response_id) : [];
  if (previous === undefined)
    return {
      status: 400,
      error: {
        message: `Previous response with id '${String(body.previous_response_id)}' not found.`,
        type: "invalid_request_error",
        param: "previous_response_id",
        code: "previous_response_not_found",
      },
    };
  const system: string[] = typeof body.instructions === "string" ? [body.instructions] : [];
  const messages: TurnMessage[] = previous.map((m) => (m.role === "assistant" ? { ...m, toolCalls: [...m.toolCalls] } : m));
  const asked = new Set(previous.flatMap((m) => (m.role === "assistant" ? m.toolCalls.map((c) => c.id) : [])));
  const items = typeof body.input === "string" ? [{ role: "user", content: body.input }] : asArray(body.input);
  for (const raw of items) {
    const item = (raw ?? {}) as Record<string, unknown>;
    if (item.type === "function_call") {
      const id = String(item.call_id);
      asked.add(id);
      const last = messages.at(-1);
      const call = { id, name: String(item.name), input: item.arguments };
      if (last?.role === "assistant") last.toolCalls.push(call);
      else messages.push({ role: "assistant", text: "", toolCalls: [call] });
    } else if (item.type === "function_call_output") {
      const id = String(item.call_id);
      if (!asked.has(id)) return rejection(`No tool call found for function call output with call_id ${id}.`, "input", null);
      messages.push({ role: "tool", callId: id, text: typeof item.output === "string" ? item.output : contentText(item.output), isError: false });
    } else if (item.role === "system" || item.role === "developer") system.push(contentText(item.content));
    else if (item.role === "assistant") messages.push({ role: "assistant", text: contentText(item.content), toolCalls: [] });
    else if (item.role === "user" || item.type === "message") messages.push({ role: "user", text: contentText(item.content) });
  }
  const tools = asArray(body.tools)
    .map((t) => (t ?? {}) as Record<string, unknown>)
    .filter((t) => t.type === "function")
    .map(functionTool);
  return openAiTurn("openai-responses", body, body.model, system, messages, tools, body.max_output_tokens);
}

/** The wire of one Responses call; see the file's contract. */
export function responsesWire(info: OpenAICallInfo, body: Record<string, unknown>, turn: ModelTurn, store: ResponseStore): CallWire {
  let sequence = 0;
  /** Per content block: its output item's id and index. */
  const items = new Map<number, { id: string; index: number; text: string; args: string; call?: { id: string; name: string } }>();
  let open: number | undefined;
  const send = (s: SseStream, type: string, data: Record<string, unknown>): void => s.send(type, { type, sequence_number: sequence++, ...data });
  const shell = (status: string): Record<string, unknown> => ({
    id: info.id,
    object: "response",
    created_at: info.created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: info.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: null,
    user: null,
    metadata: body.metadata ?? {},
  });
  const outputItem = (b: ContentBlock, id: string, status: string): Record<string, unknown> =>
    b.type === "text"
      ? {
          id,
          type: "message",
          status,
          role: "assistant",
          content: status === "in_progress" ? [] : [{ type: "output_text", text: b.text, annotations: [], logprobs: [] }],
        }
      : { id, type: "function_call", status, arguments: status === "in_progress" ? "" : JSON.stringify(b.input), call_id: b.id, name: b.name };
  const itemId = (b: ContentBlock): string => (b.type === "text" ? `msg_${info.newId(48)}` : `fc_${info.newId(48)}`);
  const finished = (a: FinalAnswer): Record<string, unknown> => {
    const output = a.content.map((b, i) => outputItem(b, items.get(i)?.id ?? itemId(b), "completed"));
    const u = a.usage;
    const input = u.inputTokens + u.cacheCreationInputTokens + u.cacheReadInputTokens;
    const incomplete = a.stop === "max_tokens";
    const text = a.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
    const calls = a.content.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name, input: JSON.stringify(b.input) }] : []));
    store.set(info.id, [...turn.messages, { role: "assistant", text, toolCalls: calls }]);
    return {
      ...shell(incomplete ? "incomplete" : "completed"),
      incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
      output,
      usage: {
        input_tokens: input,
        input_tokens_details: { cached_tokens: u.cacheReadInputTokens },
        output_tokens: u.outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: input + u.outputTokens,
      },
    };
  };
  const closeItem = (s: SseStream, block: number | undefined): void => {
    const it = block === undefined ? undefined : items.get(block);
    if (!it || block === undefined) return;
    if (it.call) {
      send(s, "response.function_call_arguments.done", { item_id: it.id, output_index: it.index, arguments: it.args, name: it.call.name });
      send(s, "response.output_item.done", {
        output_index: it.index,
        item: { id: it.id, type: "function_call", status: "completed", arguments: it.args, call_id: it.call.id, name: it.call.name },
      });
      return;
    }
    const part = { type: "output_text", text: it.text, annotations: [], logprobs: [] };
    send(s, "response.output_text.done", { item_id: it.id, output_index: it.index, content_index: 0, text: it.text, logprobs: [] });
    send(s, "response.content_part.done", { item_id: it.id, output_index: it.index, content_index: 0, part });
    send(s, "response.output_item.done", {
      output_index: it.index,
      item: { id: it.id, type: "message", status: "completed", role: "assistant", content: [part] },
    });
  };
  return {
    headers: info.headers,
    open(s: SseStream, _arrival: ArrivalUsage) {
      send(s, "response.created", { response: shell("in_progress") });
      send(s, "response.in_progress", { response: shell("in_progress") });
    },
    piece(s: SseStream, p: OutputPiece) {
      if (p.block !== open) {
        closeItem(s, open);
        open = p.block;
        const index = items.size;
        if (p.kind === "tool-start") {
          const id = `fc_${info.newId(48)}`;
          items.set(p.block, { id, index, text: "", args: "", call: { id: p.id, name: p.name } });
          send(s, "response.output_item.added", {
            output_index: index,
            item: { id, type: "function_call", status: "in_progress", arguments: "", call_id: p.id, name: p.name },
          });
        } else {
          const id = `msg_${info.newId(48)}`;
          items.set(p.block, { id, index, text: "", args: "" });
          send(s, "response.output_item.added", { output_index: index, item: { id, type: "message", status: "in_progress", role: "assistant", content: [] } });
          send(s, "response.content_part.added", {
            item_id: id,
            output_index: index,
            content_index: 0,
            part: { type: "output_text", text: "", annotations: [], logprobs: [] },
          });
        }
      }
      const it = items.get(p.block);
      if (!it) return;
      if (p.kind === "text") {
        it.text += p.text;
        send(s, "response.output_text.delta", { item_id: it.id, output_index: it.index, content_index: 0, delta: p.text, logprobs: [] });
      } else if (p.kind === "args") {
        it.args += p.text;
        send(s, "response.function_call_arguments.delta", { item_id: it.id, output_index: it.index, delta: p.text });
      }
    },
    close(s: SseStream, a: FinalAnswer) {
      closeItem(s, open);
      const response = finished(a);
      send(s, a.stop === "max_tokens" ? "response.incomplete" : "response.completed", { response });
    },
    breakOff(s: SseStream, message: string) {
      send(s, "error", { error: { type: "server_error", code: "server_error", message, param: null } });
    },
    json(a: FinalAnswer) {
      return jsonResponse(200, finished(a), info.headers());
    },
    error: info.error,
  };
}
