/**
 * The Messages API's streaming wire format (server-sent events), for a simulated response that
 * begins at its first token and ends at its last.
 *
 * Contract:
 * - `begin` (at the first token) sends `message_start` (the message with empty content, no stop
 *   reason, and the input side of its usage) and a `ping`.
 * - `end` (at the last token) sends, per content block, `content_block_start`, one delta
 *   (`text_delta` with the block's text, or `input_json_delta` with a tool call's input as JSON)
 *   and `content_block_stop`; then `message_delta` (stop reason and final usage) and
 *   `message_stop`; and closes the body.
 * - When the client aborts (its signal fires) before the end, the body errors with the signal's
 *   reason, as a dropped connection does; nothing more is sent.
 */
import type { ContentBlock } from "./anthropic-endpoint.js";

/** The usage fields of the wire format. */
export interface WireUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** The message fields `message_start` announces. */
export interface MessageHead {
  id: string;
  model: string;
  usage: WireUsage;
}

const encoder = new TextEncoder();

/** One streamed response body. */
export class MessageEventStream {
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
    signal?.addEventListener("abort", () => this.#fail(signal.reason), { once: true });
  }

  /** Sends `message_start` and a `ping`. */
  begin(head: MessageHead): void {
    this.#send("message_start", {
      type: "message_start",
      message: { id: head.id, type: "message", role: "assistant", model: head.model, content: [], stop_reason: null, stop_sequence: null, usage: head.usage },
    });
    this.#send("ping", { type: "ping" });
  }

  /** Sends the content, the final `message_delta` and `message_stop`, and closes the body. */
  end(content: readonly ContentBlock[], stopReason: string, usage: WireUsage): void {
    content.forEach((block, index) => {
      const start = block.type === "text" ? { type: "text", text: "" } : { type: "tool_use", id: block.id, name: block.name, input: {} };
      this.#send("content_block_start", { type: "content_block_start", index, content_block: start });
      const delta = block.type === "text" ? { type: "text_delta", text: block.text } : { type: "input_json_delta", partial_json: JSON.stringify(block.input) };
      this.#send("content_block_delta", { type: "content_block_delta", index, delta });
      this.#send("content_block_stop", { type: "content_block_stop", index });
    });
    this.#send("message_delta", { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage });
    this.#send("message_stop", { type: "message_stop" });
    if (!this.#done) {
      this.#done = true;
      this.#controller.close();
    }
  }

  #send(event: string, data: unknown): void {
    if (!this.#done) this.#controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  }

  #fail(reason: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#controller.error(reason);
  }
}
