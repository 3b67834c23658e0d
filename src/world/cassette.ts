/**
 * Scripted and recorded model responses: a cassette answers each model call with the first entry
 * whose match fits the request, for teams that have transcripts of their agent's conversations.
 *
 * Contract:
 * - Entries are tried in order. A match is a predicate over the `ModelTurn`, or an object whose
 *   fields must all fit: `model` (equal), `lastUser` (the last user message: equal to a string or
 *   matching a RegExp), `lastToolResult` (the newest tool result since the last user message,
 *   likewise), `conversation` (equal to `conversationKey(turn)`: a recorded request, replayed
 *   exactly), `afterToolResults` (true: tool results came back since the last user message; false:
 *   none did).
 * - An entry with `times` answers that many calls and is then used up; without, it answers any
 *   number.
 * - A response is content blocks or a function of the turn and context. A tool call's `id` may be
 *   left out: the endpoint's id format fills it in.
 * - A call no entry matches goes to `fallback` (e.g. `defaultModel()`); without one it throws a
 *   `CassetteMissError` naming the request, and the endpoint crashes the run with it.
 */
import { createHash } from "node:crypto";
import { sinceLastUser, type ContentBlock, type ModelTurn, type Responder, type ResponseContext } from "./model-turn.js";

/** A content block as a cassette writes it: a tool call's id is optional. */
export type CassetteBlock = { type: "text"; text: string } | { type: "tool_use"; id?: string; name: string; input: Record<string, unknown> };

/** What an entry matches. */
export type CassetteMatch =
  | ((turn: ModelTurn) => boolean)
  | { model?: string; lastUser?: string | RegExp; lastToolResult?: string | RegExp; conversation?: string; afterToolResults?: boolean };

/** One scripted or recorded answer. */
export interface CassetteEntry {
  match: CassetteMatch;
  response: readonly CassetteBlock[] | ((turn: ModelTurn, context: ResponseContext) => readonly CassetteBlock[]);
  /** How many calls it answers (default: any number). */
  times?: number;
}

/** Thrown when no entry matches and there is no fallback. */
export class CassetteMissError extends Error {
  override name = "CassetteMissError";
}

/** How a cassette treats calls no entry matches. */
export interface CassetteOptions {
  /** Answers unmatched calls (default: none, a miss throws). */
  fallback?: Responder;
}

/** A responder that plays `entries`; see the file's contract. */
export function cassette(entries: readonly CassetteEntry[], options: CassetteOptions = {}): Responder {
  const left = entries.map((e) => e.times ?? Infinity);
  return (turn, ctx) => {
    const i = entries.findIndex((e, j) => (left[j] ?? 0) > 0 && fits(e.match, turn));
    const entry = entries[i];
    if (!entry) {
      if (options.fallback) return options.fallback(turn, ctx);
      const last = turn.messages.at(-1);
      throw new CassetteMissError(
        `agentsim: no cassette entry matches ${turn.api} request ${ctx.requestId} (model ${turn.model}, ${turn.messages.length} messages, last ${last ? `${last.role}: ${JSON.stringify(last.text.slice(0, 80))}` : "none"}, conversation ${conversationKey(turn)})`,
      );
    }
    left[i] = (left[i] ?? 0) - 1;
    const blocks = typeof entry.response === "function" ? entry.response(turn, ctx) : entry.response;
    return blocks.map((b): ContentBlock => (b.type === "tool_use" ? { type: "tool_use", id: b.id ?? ctx.toolCallId(), name: b.name, input: b.input } : b));
  };
}

/**
 * A stable key for a request's conversation (model, system, messages; not ids, which differ
 * between runs): record it beside a response to replay that response for that exact request.
 */
export function conversationKey(turn: ModelTurn): string {
  const h = createHash("sha256").update(turn.model).update("\u0000").update(turn.system);
  for (const m of turn.messages) {
    h.update(`\u0000${m.role}\u0000${m.text}`);
    if (m.role === "assistant")
      for (const c of m.toolCalls) h.update(`\u0000${c.name}\u0000${typeof c.input === "string" ? c.input : JSON.stringify(c.input)}`);
  }
  return h.digest("hex").slice(0, 16);
}

function fits(match: CassetteMatch, turn: ModelTurn): boolean {
  if (typeof match === "function") return match(turn);
  const recent = sinceLastUser(turn);
  const lastUser = [...turn.messages].reverse().find((m) => m.role === "user");
  const lastResult = [...recent].reverse().find((m) => m.role === "tool");
  if (match.model !== undefined && match.model !== turn.model) return false;
  if (match.lastUser !== undefined && !textFits(match.lastUser, lastUser?.text)) return false;
  if (match.lastToolResult !== undefined && !textFits(match.lastToolResult, lastResult?.text)) return false;
  if (match.afterToolResults !== undefined && match.afterToolResults !== (lastResult !== undefined)) return false;
  if (match.conversation !== undefined && match.conversation !== conversationKey(turn)) return false;
  return true;
}

function textFits(want: string | RegExp, text: string | undefined): boolean {
  if (text === undefined) return false;
  return typeof want === "string" ? want === text : want.test(text);
}
