/**
 * What every simulated model API shares, whatever its wire format: the responder that decides the
 * content, the provider actor that decides timing, usage, rate limits and errors, token-by-token
 * streaming on virtual time, and errors in the middle of a stream.
 *
 * A call, in virtual time (each API's front door has already answered 400/401/404 at once):
 * 1. At arrival the responder (default `defaultModel()`) decides the content; its tokens
 *    (`outputPieces`) are the output, cut at the request's `max_tokens` (stop `max_tokens`). A free
 *    text answer's length is drawn (stream `<host>:output-tokens`).
 * 2. The provider takes the call (`LlmProvider.complete`, `rejectAtArrival`): a 429 or 529 is
 *    answered at once, a 500 after a time to first token; otherwise the first token comes at its
 *    time to first token and the last at the model's token rate.
 * 3. A streamed answer begins (200) at the first token and sends each token as it comes
 *    (`TokenPacer`), then the stop reason and usage at the last token. With `pMidStreamError`
 *    (assign to change it mid-run), a stream breaks off after a drawn number of its tokens (stream
 *    `<host>:faults`) with the API's error event: the client has a 200 and a partial answer. The
 *    provider still completes and bills the call, as a real one does.
 * 4. A plain answer is sent whole at the last token.
 *
 * A responder that throws (a cassette with no matching entry) crashes the run with its error and
 * the call is answered 500.
 */
import { LLM_DEFAULTS } from "../actors/defaults.js";
import type { LlmResponse, LlmUsage } from "../actors/contracts.js";
import type { LlmProvider } from "../actors/llm-provider.js";
import type { CacheLogEntry } from "../actors/prompt-cache.js";
import type { DistributionInput } from "../sim/distributions.js";
import { distribution, type Distribution } from "../sim/distributions.js";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { defaultModel } from "./default-model.js";
import type { ContentBlock, ModelTurn, Responder } from "./model-turn.js";
import { contentOf, outputPieces, SseStream, TokenPacer, type OutputPiece } from "./sse-stream.js";
import type { Exchange } from "./sim-fetch.js";

/** What every simulated model API takes. */
export interface ModelEndpointOptions {
  /** The provider actor behind the API (its cache, rate limits, errors, latency, billing). */
  provider: LlmProvider;
  /** The host it answers for (each API has its default). */
  host?: string;
  /** Characters per token when counting a prompt's text and a tool call's input (default 4; source: the usual rule of thumb for English). */
  charsPerToken?: number;
  /** Output tokens of a free-text answer before the `max_tokens` cap (default `LLM_DEFAULTS.outputTokens`). */
  outputTokens?: DistributionInput;
  /** The response's content (default `defaultModel()`: calls declared tools, then answers with text). */
  respond?: Responder;
  /** Chance that a streamed answer breaks off with an error after its 200 (default 0). */
  pMidStreamError?: number;
  /** `retry-after` on overloaded responses (default none; source: assumption, the APIs document it for 429). */
  overloadedRetryAfter?: DurationInput;
}

/** The prompt as the provider sees it. */
export interface PromptShape {
  prefixTokens: number;
  prefixKey: string | undefined;
  restTokens: number;
}

/** The input side of the usage, known at the first token. */
export interface ArrivalUsage {
  inputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** Why the model stopped, in Anthropic's words (each wire format maps them). */
export type StopReason = "end_turn" | "tool_use" | "max_tokens";

/** A finished answer. */
export interface FinalAnswer {
  content: ContentBlock[];
  stop: StopReason;
  usage: LlmUsage;
}

/** One call in one wire format: how its stream and its whole answer are written. */
export interface CallWire {
  /** At the first token: the opening events. */
  open(stream: SseStream, arrival: ArrivalUsage): void;
  /** One token. */
  piece(stream: SseStream, piece: OutputPiece): void;
  /** At the last token: the closing events (the body is closed after). */
  close(stream: SseStream, answer: FinalAnswer): void;
  /** The error event that breaks a stream off (the body is closed after). */
  breakOff(stream: SseStream, message: string): void;
  /** The whole answer as one response. */
  json(answer: FinalAnswer): Response;
  /** An error the provider answered with (429, 500, 529). */
  error(answer: Extract<LlmResponse, { ok: false }>): Response;
  /** The headers of a streamed 200. */
  headers(): Record<string, string>;
}

/** A call ready for the provider. */
export interface ModelCall {
  turn: ModelTurn;
  prompt: PromptShape;
  exchange: Exchange;
  stream: boolean;
  /** Whether to mark the prefix for caching. */
  cachePrefix: boolean;
  wire: CallWire;
}

/** The machinery shared by the model APIs; see the file's contract. */
export class ModelEndpointCore {
  readonly host: string;
  readonly provider: LlmProvider;
  readonly charsPerToken: number;
  /** Chance that a streamed answer breaks off after its 200; assign to change it mid-run. */
  pMidStreamError: number;
  readonly overloadedRetryAfterMs: number | undefined;
  readonly #sim: Simulation;
  readonly #outputTokens: Distribution;
  readonly #respond: Responder;
  #answered = 0;

  constructor(sim: Simulation, options: ModelEndpointOptions, defaultHost: string) {
    this.#sim = sim;
    this.provider = options.provider;
    this.host = options.host ?? defaultHost;
    this.charsPerToken = options.charsPerToken ?? 4;
    const out = options.outputTokens ?? LLM_DEFAULTS.outputTokens;
    this.#outputTokens = typeof out === "object" && out !== null && "sample" in out ? out : distribution(out, "number");
    this.#respond = options.respond ?? defaultModel();
    this.pMidStreamError = options.pMidStreamError ?? 0;
    this.overloadedRetryAfterMs = options.overloadedRetryAfter === undefined ? undefined : parseDuration(options.overloadedRetryAfter);
  }

  /** Requests that reached the provider so far. */
  get calls(): number {
    return this.#answered;
  }

  /** A seeded id of `chars` hex characters from the host's id stream. */
  id(chars = 24): string {
    return this.#sim.rng(`${this.host}:ids`).hex(chars);
  }

  /** `retry-after` for a provider error, in ms (429: the rate limiter's; overloaded: the option's). */
  retryAfterMs(answer: Extract<LlmResponse, { ok: false }>): number | undefined {
    return answer.status === 529 ? this.overloadedRetryAfterMs : answer.retryAfterMs;
  }

  /** Answers one call; see the file's contract. `toolCallId` makes ids in the API's format. */
  serve(call: ModelCall, toolCallId: () => string): Promise<Response> {
    const sim = this.#sim;
    const drawn = Math.max(1, Math.round(this.#outputTokens.sample(sim.rng(`${this.host}:output-tokens`))));
    let content: ContentBlock[];
    try {
      content = this.#respond(call.turn, {
        outputTokens: drawn,
        caller: call.exchange.caller,
        requestId: call.exchange.id,
        rng: sim.rng(`${this.host}:model`),
        toolCallId,
      });
    } catch (error) {
      sim.crashed(this.host, error);
      return Promise.resolve(
        call.wire.error({ ok: false, status: 500, message: `api_error: ${error instanceof Error ? error.message : String(error)}`, eventId: -1 }),
      );
    }
    const all = outputPieces(content, this.charsPerToken);
    const max = call.turn.maxTokens;
    const capped = max !== undefined && all.length > max;
    const pieces = capped ? all.slice(0, max) : all;
    this.#answered++;
    return new Promise((resolve) => {
      sim.spawn(`${this.host} request ${call.exchange.id}`, (ctx) => this.#serve(ctx, call, content, pieces, capped, resolve), { daemon: true });
    });
  }

  async #serve(
    ctx: ProcessContext,
    call: ModelCall,
    content: ContentBlock[],
    pieces: OutputPiece[],
    capped: boolean,
    resolve: (r: Response) => void,
  ): Promise<void> {
    const sim = this.#sim;
    const { prompt, exchange, wire } = call;
    const cacheLog = this.provider.cache.log;
    const logged = cacheLog.length;
    let stream: SseStream | undefined;
    let pacer: TokenPacer | undefined;
    let broken = false;
    const answer = await this.provider.complete(ctx, {
      caller: exchange.caller,
      inputTokens: prompt.restTokens,
      outputTokens: Math.max(1, pieces.length),
      parent: exchange.span,
      rejectAtArrival: true,
      ...(prompt.prefixKey !== undefined ? { prefixKey: prompt.prefixKey, prefixTokens: prompt.prefixTokens, cachePrefix: call.cachePrefix } : {}),
      ...(call.stream
        ? {
            onFirstToken: (_eventId: number, timing: { lastTokenAt: number }) => {
              sim.wake();
              const s = new SseStream(exchange.signal);
              stream = s;
              wire.open(s, arrivalUsage(prompt, cacheLog.slice(logged)));
              resolve(new Response(s.body, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...wire.headers() } }));
              const faults = sim.rng(`${this.host}:faults`);
              const cutAt = this.pMidStreamError > 0 && faults.chance(this.pMidStreamError) ? faults.int(0, Math.max(0, pieces.length - 1)) : undefined;
              let sent = 0;
              pacer = new TokenPacer(sim, pieces, timing.lastTokenAt, (piece) => {
                if (broken) return;
                if (s.done) {
                  pacer?.cut(); // the client dropped the connection: nothing more to send
                  return;
                }
                if (sent === cutAt) {
                  broken = true;
                  sim.trace.instant({
                    actor: this.host,
                    layer: "gateway",
                    kind: "stream.error",
                    parent: exchange.span,
                    attrs: { afterTokens: sent, of: pieces.length },
                  });
                  wire.breakOff(s, "Internal server error (the stream broke off)");
                  s.close();
                  return;
                }
                sent++;
                wire.piece(s, piece);
              });
            },
          }
        : {}),
    });
    if (!answer.ok) {
      resolve(wire.error(answer));
      return;
    }
    const emitted = contentOf(content, pieces);
    const stop: StopReason = capped ? "max_tokens" : emitted.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
    const final: FinalAnswer = { content: emitted, stop, usage: answer.usage };
    if (stream) {
      pacer?.finish();
      if (!broken && !stream.done) {
        wire.close(stream, final);
        stream.close();
      }
      return;
    }
    resolve(wire.json(final));
  }
}

/**
 * The input side of the usage, known when the request arrived: what the cache's log recorded for
 * it (a hit reads the prefix, a miss writes it; no entry, the prefix is plain input).
 */
export function arrivalUsage(prompt: PromptShape, entries: readonly CacheLogEntry[]): ArrivalUsage {
  const kind = entries.find((e) => e.kind === "hit" || e.kind === "miss")?.kind;
  const prefix = prompt.prefixTokens;
  return {
    inputTokens: prompt.restTokens + (kind === undefined ? prefix : 0),
    cacheCreationInputTokens: kind === "miss" ? prefix : 0,
    cacheReadInputTokens: kind === "hit" ? prefix : 0,
  };
}

/** Reads a request's JSON object body, or undefined if it is not one. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const v: unknown = JSON.parse(await request.text());
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What every simulated model API shares: its host, its provider, the core that serves calls, and
 * the knobs a test turns mid-run. `OpenAIEndpoint` and `AnthropicEndpoint` add their wire formats.
 */
export abstract class ModelEndpointService {
  readonly host: string;
  readonly provider: LlmProvider;
  readonly core: ModelEndpointCore;
  protected readonly sim: Simulation;

  constructor(sim: Simulation, options: ModelEndpointOptions, defaultHost: string) {
    this.sim = sim;
    this.core = new ModelEndpointCore(sim, options, defaultHost);
    this.host = this.core.host;
    this.provider = options.provider;
  }

  /** Requests that reached the provider so far. */
  get calls(): number {
    return this.core.calls;
  }

  /** Chance that a streamed answer breaks off after its 200; assign to change it mid-run. */
  get pMidStreamError(): number {
    return this.core.pMidStreamError;
  }

  set pMidStreamError(p: number) {
    this.core.pMidStreamError = p;
  }
}
