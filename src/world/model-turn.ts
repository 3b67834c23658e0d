/**
 * One call to a simulated model, whatever API it came through: the conversation, the declared
 * tools and what the model answers. The Anthropic Messages endpoint and the OpenAI Chat
 * Completions and Responses endpoints each read their wire format into a `ModelTurn`; a
 * `Responder` (the default model, a cassette, or the user's function) answers it with content
 * blocks, which each endpoint writes back in its own wire format.
 *
 * Content blocks are Anthropic's shape (`text`, `tool_use` with a parsed `input`); a tool call's
 * `id` is the one the client sees (`toolu_…` on Anthropic, `call_…` on OpenAI).
 */
import type { RandomStream } from "../sim/rng.js";

/** A content block of a response. */
export type ContentBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** A tool call the model made earlier in the conversation. */
export interface TurnToolCall {
  id: string;
  name: string;
  /** The arguments as sent (a JSON string on OpenAI, an object on Anthropic). */
  input: unknown;
}

/** One message of the conversation, normalized. */
export type TurnMessage =
  | { role: "user"; text: string }
  | { role: "assistant"; text: string; toolCalls: TurnToolCall[] }
  | { role: "tool"; callId: string; text: string; isError: boolean };

/** A tool the request declares, with its input's JSON schema. */
export interface ToolDeclaration {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

/** Which tools the model may call: as the request's `tool_choice` says. */
export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

/** A request to the model, read from any of the simulated APIs. */
export interface ModelTurn {
  api: "anthropic-messages" | "openai-chat" | "openai-responses";
  model: string;
  /** System prompt or instructions (several joined by a blank line). */
  system: string;
  messages: TurnMessage[];
  tools: ToolDeclaration[];
  toolChoice: ToolChoice;
  /** The output cap the request set, if it set one. */
  maxTokens: number | undefined;
  /** The request body as sent. */
  body: Readonly<Record<string, unknown>>;
}

/** What a responder is told about the call it answers. */
export interface ResponseContext {
  /** Output tokens drawn for a free-text answer of this call (before the `max_tokens` cap). */
  outputTokens: number;
  /** The calling agent. */
  caller: string;
  /** The request's number on the network. */
  requestId: number;
  /** The endpoint's seeded stream for the model's choices. */
  rng: RandomStream;
  /** A fresh tool-call id in the API's format. */
  toolCallId: () => string;
}

/** Answers one model call with content blocks. */
export type Responder = (turn: ModelTurn, context: ResponseContext) => ContentBlock[];

/** The messages after the last user message (the model's work on the current request so far). */
export function sinceLastUser(turn: ModelTurn): TurnMessage[] {
  const i = turn.messages.map((m) => m.role).lastIndexOf("user");
  return turn.messages.slice(i + 1);
}

/**
 * The first tool result that answers no tool call of an earlier assistant message (the APIs
 * reject such a request with a 400), as its message index and call id.
 */
export function orphanToolResult(turn: ModelTurn): { index: number; callId: string } | undefined {
  const asked = new Set<string>();
  for (const [index, m] of turn.messages.entries()) {
    if (m.role === "assistant") for (const c of m.toolCalls) asked.add(c.id);
    if (m.role === "tool" && !asked.has(m.callId)) return { index, callId: m.callId };
  }
  return undefined;
}

/** The tokens of a text at `charsPerToken` characters a token (at least 1 for non-empty text). */
export function textTokens(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken);
}
