/**
 * How a Messages API request's text becomes the token counts and cache prefix the LLM provider
 * actor works with.
 *
 * - The prompt is read in the order the provider caches it: `tools`, then `system`, then
 *   `messages`, each split into blocks (a tool definition, a system text block, one content
 *   block of a message; a string is one block).
 * - Tokens are estimated from characters: `ceil(chars / charsPerToken)` (default 4 characters a
 *   token, the usual rule of thumb for English text). A block's characters are its text for a
 *   text block, and its JSON (without `cache_control`) for anything else.
 * - `cache_control` marks a cache breakpoint on a block. The prefix is every block up to and
 *   including the last marked one; its key is a hash of the model and the prefix's content, so two
 *   requests share a cache entry exactly when they send the same prefix to the same model. The
 *   provider looks up one prefix per request: the longest marked one (earlier breakpoints are not
 *   tried separately). At most 4 breakpoints are allowed, as on the real API.
 */
import { createHash } from "node:crypto";

/** The most `cache_control` breakpoints one request may carry (the real API's limit). */
export const MAX_CACHE_BREAKPOINTS = 4;

/** The cache-relevant shape of a request, as the provider sees it. */
export interface PromptTokens {
  /** Tokens up to and including the last cache breakpoint (0 without one). */
  prefixTokens: number;
  /** The prefix's identity, when there is a breakpoint. */
  prefixKey: string | undefined;
  /** Tokens after the prefix. */
  restTokens: number;
  /** How many blocks carried `cache_control`. */
  breakpoints: number;
}

/** One block of the prompt, in cache order. */
interface Block {
  /** Where it sits: `tools`, `system`, or a message's role (part of the prefix's identity). */
  where: string;
  text: string;
  marked: boolean;
}

/** Splits a request into blocks and counts its tokens; see the file's contract. */
export function promptTokens(body: Record<string, unknown>, charsPerToken = 4): PromptTokens {
  const blocks = promptBlocks(body);
  let last = -1;
  let breakpoints = 0;
  blocks.forEach((b, i) => {
    if (b.marked) {
      last = i;
      breakpoints++;
    }
  });
  const chars = (bs: Block[]): number => bs.reduce((n, b) => n + b.text.length, 0);
  const prefix = blocks.slice(0, last + 1);
  const rest = blocks.slice(last + 1);
  const tokens = (n: number): number => Math.ceil(n / charsPerToken);
  return {
    prefixTokens: tokens(chars(prefix)),
    prefixKey: last >= 0 ? prefixKey(String(body.model), prefix) : undefined,
    restTokens: tokens(chars(rest)),
    breakpoints,
  };
}

/** The prompt's blocks in cache order: tools, system, messages. */
function promptBlocks(body: Record<string, unknown>): Block[] {
  const out: Block[] = [];
  for (const tool of asArray(body.tools)) out.push(block("tools", tool));
  if (typeof body.system === "string") out.push({ where: "system", text: body.system, marked: false });
  else for (const b of asArray(body.system)) out.push(block("system", b));
  for (const m of asArray(body.messages)) {
    const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown };
    const where = String(role);
    if (typeof content === "string") out.push({ where, text: content, marked: false });
    else for (const b of asArray(content)) out.push(block(where, b));
  }
  return out;
}

function block(where: string, b: unknown): Block {
  if (b === null || typeof b !== "object") return { where, text: String(b ?? ""), marked: false };
  const { cache_control: cc, ...rest } = b as Record<string, unknown>;
  const text = rest.type === "text" && typeof rest.text === "string" ? rest.text : JSON.stringify(rest);
  return { where, text, marked: cc !== undefined && cc !== null };
}

function prefixKey(model: string, prefix: Block[]): string {
  const h = createHash("sha256").update(model);
  for (const b of prefix) h.update(`\u0000${b.where}\u0000`).update(b.text);
  return `prefix:${h.digest("hex").slice(0, 16)}`;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
