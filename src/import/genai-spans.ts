/**
 * The OpenTelemetry GenAI semantic conventions, as spans say them: which spans are model calls,
 * tool executions and agent invocations, and what they carry (model, tool, tokens, errors).
 *
 * Conventions read: GenAI v1.36 (`gen_ai.operation.name` chat / text_completion /
 * generate_content / execute_tool / invoke_agent / create_agent, `gen_ai.request.model`,
 * `gen_ai.tool.name`, `gen_ai.tool.call.id`, `gen_ai.conversation.id`, `gen_ai.usage.input_tokens`
 * and `output_tokens`, `error.type`), the latest experimental names (`gen_ai.provider.name`,
 * `gen_ai.tool.call.arguments`, `gen_ai.usage.cache_read.input_tokens` and
 * `cache_creation.input_tokens`), and older spellings still emitted by instrumentations
 * (`gen_ai.system`, `gen_ai.usage.prompt_tokens` / `completion_tokens`, OpenLLMetry's
 * `llm.request.type`, OpenInference's `openinference.span.kind`, `llm.model_name`, `tool.name`,
 * `session.id`, `llm.token_count.*`).
 */
import type { AttrValue, Attrs } from "../sim/trace.js";
import type { SpanRecord } from "./otlp-json.js";

/** What a GenAI span did. */
export type GenAiOperation = "chat" | "execute_tool" | "invoke_agent" | "embeddings";

/** A span read as a GenAI operation. */
export interface GenAiSpan {
  span: SpanRecord;
  operation: GenAiOperation;
  /** The model (chat, embeddings) or the agent's name (invoke_agent). */
  model?: string;
  /** The tool (execute_tool). */
  tool?: string;
  toolCallId?: string;
  /** The tool call's arguments as the span recorded them (parsed when JSON), if it did. */
  args?: AttrValue;
  conversation?: string;
  usage: { input?: number; output?: number; cacheRead?: number; cacheCreation?: number };
  /** The error, when the span failed: `error.type`, else the status message or HTTP status. */
  error?: string;
  /** The HTTP status the call answered with, if recorded. */
  httpStatus?: number;
  /** The HTTP method of a tool's request, if recorded (a hint of side effects). */
  httpMethod?: string;
  /** Attributes none of the conventions above name: kept, not dropped. */
  unknown: Attrs;
}

const CHAT_OPS = new Set(["chat", "text_completion", "generate_content", "completion"]);

/** Every attribute name this module reads. */
const KNOWN = new Set([
  "gen_ai.operation.name",
  "gen_ai.system",
  "gen_ai.provider.name",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "gen_ai.tool.name",
  "gen_ai.tool.call.id",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.type",
  "gen_ai.tool.description",
  "gen_ai.conversation.id",
  "gen_ai.agent.name",
  "gen_ai.agent.id",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.prompt_tokens",
  "gen_ai.usage.completion_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.cache_read_input_tokens",
  "gen_ai.usage.cache_creation_input_tokens",
  "gen_ai.request.max_tokens",
  "gen_ai.request.temperature",
  "gen_ai.request.top_p",
  "gen_ai.response.id",
  "gen_ai.response.finish_reasons",
  "gen_ai.output.type",
  "error.type",
  "http.response.status_code",
  "http.status_code",
  "http.request.method",
  "http.method",
  "server.address",
  "server.port",
  "llm.request.type",
  "llm.model_name",
  "openinference.span.kind",
  "tool.name",
  "tool.parameters",
  "session.id",
  "llm.token_count.prompt",
  "llm.token_count.completion",
  "llm.token_count.prompt_details.cache_read",
  "llm.token_count.prompt_details.cache_write",
]);

/** Reads a span as a GenAI operation, or undefined when it is not one. */
export function genAiSpan(span: SpanRecord): GenAiSpan | undefined {
  const a = span.attributes;
  const operation = operationOf(span);
  if (!operation) return undefined;
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) if (typeof a[k] === "number") return a[k] as number;
    return undefined;
  };
  const str = (...keys: string[]): string | undefined => {
    for (const k of keys) if (typeof a[k] === "string" && a[k] !== "") return a[k] as string;
    return undefined;
  };
  const httpStatus = num("http.response.status_code", "http.status_code");
  const errorType = str("error.type");
  const failed = span.status.code === 2 || errorType !== undefined || (httpStatus !== undefined && httpStatus >= 400);
  const unknown: Attrs = {};
  for (const [k, v] of Object.entries(a)) if (!KNOWN.has(k) && !k.startsWith("gen_ai.prompt") && !k.startsWith("gen_ai.completion")) unknown[k] = v;
  const args = a["gen_ai.tool.call.arguments"] ?? a["tool.parameters"];
  const fromName = operation === "execute_tool" ? span.name.replace(/^execute_tool\s+/, "") : undefined;
  const model =
    str("gen_ai.request.model", "gen_ai.response.model", "llm.model_name", "gen_ai.agent.name") ??
    (operation === "chat" ? span.name.replace(/^\S+\s+/, "") || undefined : undefined);
  const tool = str("gen_ai.tool.name", "tool.name") ?? fromName;
  const toolCallId = str("gen_ai.tool.call.id");
  const conversation = str("gen_ai.conversation.id", "session.id");
  const error = failed ? (errorType ?? span.status.message ?? (httpStatus !== undefined ? String(httpStatus) : "error")) : undefined;
  const httpMethod = str("http.request.method", "http.method");
  return {
    span,
    operation,
    ...(model !== undefined && operation !== "execute_tool" ? { model } : {}),
    ...(tool !== undefined && operation === "execute_tool" ? { tool } : {}),
    ...(toolCallId !== undefined ? { toolCallId } : {}),
    ...(args !== undefined ? { args: parseMaybeJson(args) } : {}),
    ...(conversation !== undefined ? { conversation } : {}),
    usage: {
      ...defined("input", num("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")),
      ...defined("output", num("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")),
      ...defined("cacheRead", num("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read")),
      ...defined(
        "cacheCreation",
        num("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"),
      ),
    },
    ...(error !== undefined ? { error } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(httpMethod !== undefined ? { httpMethod } : {}),
    unknown,
  };
}

function operationOf(span: SpanRecord): GenAiOperation | undefined {
  const a = span.attributes;
  const op = typeof a["gen_ai.operation.name"] === "string" ? (a["gen_ai.operation.name"] as string) : undefined;
  if (op !== undefined) {
    if (CHAT_OPS.has(op)) return "chat";
    if (op === "execute_tool") return "execute_tool";
    if (op === "invoke_agent" || op === "create_agent") return "invoke_agent";
    if (op === "embeddings") return "embeddings";
  }
  const legacy = a["llm.request.type"];
  if (legacy === "chat" || legacy === "completion") return "chat";
  const oi = a["openinference.span.kind"];
  if (oi === "LLM") return "chat";
  if (oi === "TOOL") return "execute_tool";
  if (oi === "AGENT") return "invoke_agent";
  if (oi === "EMBEDDING") return "embeddings";
  if (/^execute_tool\s/.test(span.name)) return "execute_tool";
  if (/^invoke_agent(\s|$)/.test(span.name)) return "invoke_agent";
  if (/^(chat|text_completion|generate_content)\s/.test(span.name) && (a["gen_ai.system"] !== undefined || a["gen_ai.provider.name"] !== undefined))
    return "chat";
  return undefined;
}

function defined<K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, number>);
}

function parseMaybeJson(v: AttrValue): AttrValue {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as AttrValue;
  } catch {
    return v;
  }
}
