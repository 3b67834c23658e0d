/**
 * The seams between actors: how a harness calls a tool and a model, and what comes back.
 * Actors implement these; the harness, retry policies and scenarios are written against them,
 * so a user's own tool or model stub plugs in the same way.
 *
 * Causality: every request carries `parent`, the id of the trace event that caused it, and every
 * response carries `eventId`, the id of the event that recorded it. Chaining these ids is what
 * makes one run read as one causal trace across model, tool, harness, cache and humans.
 */
import type { AttrValue, Attrs } from "../sim/trace.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { CancelSignal } from "../sim/process.js";

/** How a tool call failed. The classification the `classify-errors` mitigation relies on. */
export type ToolErrorKind =
  /** 5xx: the server failed; retrying may help. */
  | "transient"
  /** 429: slow down; `retryAfterMs` says how long. */
  | "rate-limited"
  /** 4xx validation: the caller sent bad arguments; retrying the same call will not help. */
  | "caller"
  /** 409: the same idempotency key is still in flight. */
  | "conflict"
  /** The same idempotency key was used with different parameters. */
  | "idempotency-mismatch"
  /** The tool's own timeout fired (the tool gave up, server side). */
  | "timeout"
  /** The call was cancelled before it committed. */
  | "cancelled";

/** Which error kinds are worth retrying as they are. */
export const TRANSIENT_ERRORS: ReadonlySet<ToolErrorKind> = new Set(["transient", "rate-limited", "conflict", "timeout"]);

/** One call of a tool: its arguments and what the caller adds (key, deadline, cancellation, parent). */
export interface ToolRequest {
  /** The call's arguments, as the model produced them. */
  args: Attrs;
  /** One key per logical operation, stable across retries (the `idempotency-keys` mitigation). */
  idempotencyKey?: string;
  /**
   * The absolute virtual time (ms) after which the caller no longer wants the result
   * (`deadline-propagation`): a tool that honours it gives up instead of committing late.
   */
  deadlineAt?: number;
  /** The trace event that caused this call. */
  parent?: number;
  /** Who is calling (an agent's name), for the trace. */
  caller?: string;
  /**
   * The caller's cancellation (`cancel-on-abandon`), e.g. a child process's `ctx.signal`: a tool
   * that honours cancellation stops before committing when it fires.
   */
  cancel?: CancelSignal;
}

/** A tool's answer: a result, or an error kind with a message. */
export type ToolResponse =
  | {
      ok: true;
      /** The tool's result; `null` for a query shape the tool has no answer for. */
      result: AttrValue;
      /** For async tools: the call returned a receipt (job id), not the outcome. */
      receipt?: string;
      /** True when an idempotency key replayed a saved response. */
      replayed?: boolean;
      eventId: number;
    }
  | {
      ok: false;
      error: ToolErrorKind;
      message: string;
      /** For `rate-limited`: how long to wait. */
      retryAfterMs?: number;
      /** True when an idempotency key replayed a saved error (a saved 500 is replayed too). */
      replayed?: boolean;
      eventId: number;
    };

/** Anything the harness can call as a tool. */
export interface ToolPort {
  readonly name: string;
  call(ctx: ProcessContext, request: ToolRequest): Promise<ToolResponse>;
}

/** A chat message, for token accounting. */
export interface LlmRequest {
  /** Who calls (an agent or worker name), for the trace. */
  caller: string;
  /** Tokens of the stable, cacheable prefix (system prompt, tool definitions). */
  prefixTokens?: number;
  /** The identity of that prefix (its hash); requests with the same key can share a cache entry. */
  prefixKey?: string;
  /** Tokens after the prefix (the conversation so far). */
  inputTokens: number;
  /** Tokens the answer will have (drawn by the caller or the provider's distribution). */
  outputTokens?: number;
  /** Whether to mark the prefix for caching (`cache_control`). Default true when a prefix is given. */
  cachePrefix?: boolean;
  parent?: number;
  /**
   * Streaming: called when the response begins (its first token), with the id of the event that
   * records it. A prefix this request wrote to the cache is visible from then on. Not called for
   * an error.
   */
  onFirstToken?: (eventId: number, timing: FirstTokenTiming) => void;
  /**
   * Answer a 429 or 529 at arrival, as an HTTP API's front door does, rather than after a
   * time-to-first-token (the simulated endpoints set it). The draws are the same either way.
   */
  rejectAtArrival?: boolean;
}

/** When a streamed response's tokens come: what `onFirstToken` is told. */
export interface FirstTokenTiming {
  /** The call's output speed. */
  tokensPerSecond: number;
  /** Virtual time of the last token (when the call's answer comes). */
  lastTokenAt: number;
}

/** The tokens a model call used, in Anthropic's usage fields, and what it cost. */
export interface LlmUsage {
  inputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** A model's answer: usage and latency, or an HTTP error (429, 500, 529). */
export type LlmResponse =
  | { ok: true; usage: LlmUsage; eventId: number; latencyMs: number }
  | { ok: false; status: 429 | 500 | 529; retryAfterMs?: number; message: string; eventId: number };

/** Anything the harness can call as a model. */
export interface ModelPort {
  readonly name: string;
  complete(ctx: ProcessContext, request: LlmRequest): Promise<LlmResponse>;
}

/**
 * The one rule for a tool result that holds no answer, shared by the harness's validator and the
 * model's reading of a result: null or absent, blank text, and arrays or objects holding nothing
 * but such values (`[]`, `{}`, `{ result: null }`, `[null]`). `0` and `false` are answers.
 */
export function isEmptyResult(v: AttrValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.every(isEmptyResult);
  if (typeof v === "object") return Object.values(v).every(isEmptyResult);
  return false;
}
