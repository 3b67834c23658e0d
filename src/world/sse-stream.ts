/**
 * Server-sent events on virtual time: the response body of a streamed model call, and the
 * pacing of its tokens between the first and the last.
 *
 * Contract:
 * - `SseStream` is a response body of `event:`/`data:` frames. When the client aborts (its signal
 *   fires) before the end, the body errors with the signal's reason, as a dropped connection
 *   does, and nothing more is sent.
 * - `outputPieces` splits content into the tokens a model streams: a text block one word (with
 *   its leading space) a token; a tool call one token for its start, then its input's JSON in
 *   pieces of `charsPerToken` characters. Their count is the response's output tokens.
 * - `TokenPacer` sends piece `i` of `n` at `first + i / n * (last - first)` of virtual time (the
 *   first at the first token, evenly spread over the output time), each on a kernel timer that
 *   wakes the kernel so that the client's reads run then. `finish` sends what is left at once (at
 *   the last token); `cut` stops it (an error in the middle of the stream).
 */
import type { Simulation, TimerHandle } from "../sim/simulation.js";
import type { ContentBlock } from "./model-turn.js";

const encoder = new TextEncoder();

/** One streamed response body. */
export class SseStream {
  /** The response body: server-sent events. */
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #done = false;

  constructor(signal: AbortSignal | undefined) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
    });
    signal?.addEventListener("abort", () => this.fail(signal.reason), { once: true });
  }

  /** Whether the body has ended (closed, failed or aborted). */
  get done(): boolean {
    return this.#done;
  }

  /** Sends one event: `data` is JSON-encoded unless it is a string. */
  send(event: string | undefined, data: unknown): void {
    if (this.#done) return;
    const payload = typeof data === "string" ? data : JSON.stringify(data);
    this.#controller.enqueue(encoder.encode(`${event !== undefined ? `event: ${event}\n` : ""}data: ${payload}\n\n`));
  }

  /** Ends the body. */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.close();
  }

  /** Errors the body (a dropped connection). */
  fail(reason: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.error(reason);
  }
}

/** One streamed token: a word of a text block, the start of a tool call, or a piece of its input. */
export type OutputPiece =
  | { block: number; kind: "text"; text: string }
  | { block: number; kind: "tool-start"; id: string; name: string }
  | { block: number; kind: "args"; text: string };

/** The content's tokens, in order; see the file's contract. */
export function outputPieces(content: readonly ContentBlock[], charsPerToken: number): OutputPiece[] {
  const out: OutputPiece[] = [];
  content.forEach((b, block) => {
    if (b.type === "text") {
      for (const word of b.text.match(/\s*\S+|\s+$/g) ?? []) out.push({ block, kind: "text", text: word });
      return;
    }
    out.push({ block, kind: "tool-start", id: b.id, name: b.name });
    const json = JSON.stringify(b.input);
    for (let i = 0; i < json.length; i += charsPerToken) out.push({ block, kind: "args", text: json.slice(i, i + charsPerToken) });
  });
  return out;
}

/**
 * The content that `pieces` (a prefix of `outputPieces(content)`) carry: text cut where the
 * pieces end; a tool call whose input was cut is dropped (its JSON is incomplete).
 */
export function contentOf(content: readonly ContentBlock[], pieces: readonly OutputPiece[]): ContentBlock[] {
  const out: ContentBlock[] = [];
  content.forEach((b, block) => {
    const mine = pieces.filter((p) => p.block === block);
    if (mine.length === 0) return;
    if (b.type === "text") out.push({ type: "text", text: mine.map((p) => (p.kind === "text" ? p.text : "")).join("") });
    else if (
      mine
        .filter((p) => p.kind === "args")
        .map((p) => (p.kind === "args" ? p.text : ""))
        .join("") === JSON.stringify(b.input)
    )
      out.push(b);
  });
  return out;
}

/** Sends pieces at the model's token rate; see the file's contract. */
export class TokenPacer {
  readonly #sim: Simulation;
  readonly #pieces: readonly OutputPiece[];
  readonly #send: (piece: OutputPiece) => void;
  readonly #first: number;
  readonly #span: number;
  #next = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  /** Starts sending now (the first token); the last piece goes before `lastTokenAt`. */
  constructor(sim: Simulation, pieces: readonly OutputPiece[], lastTokenAt: number, send: (piece: OutputPiece) => void) {
    this.#sim = sim;
    this.#pieces = pieces;
    this.#send = send;
    this.#first = sim.now;
    this.#span = Math.max(0, lastTokenAt - sim.now);
    this.#tick();
  }

  /** Pieces sent so far. */
  get sent(): number {
    return this.#next;
  }

  /** Sends every piece not yet sent, now. */
  finish(): void {
    this.#stop();
    while (this.#next < this.#pieces.length) this.#send(this.#pieces[this.#next++] as OutputPiece);
  }

  /** Stops sending (nothing more goes out). */
  cut(): void {
    this.#stop();
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#sim.cancel(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    const n = this.#pieces.length;
    const now = this.#sim.now;
    while (!this.#stopped && this.#next < n && this.#dueAt(this.#next) <= now) this.#send(this.#pieces[this.#next++] as OutputPiece);
    if (this.#stopped || this.#next >= n) return;
    this.#timer = this.#sim.at(this.#dueAt(this.#next), () => {
      this.#sim.wake();
      this.#tick();
    });
  }

  #dueAt(i: number): number {
    return this.#first + (i / this.#pieces.length) * this.#span;
  }
}
