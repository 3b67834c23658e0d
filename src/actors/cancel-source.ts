/**
 * A cancellation the caller controls, AbortController-style: hand `signal` to a tool call as
 * `ToolRequest.cancel`, and call `cancel(reason)` when the call is abandoned (`cancel-on-abandon`).
 * A process's own `ctx.signal` works too; this is for cancelling one call without cancelling the
 * process that made it.
 */
import type { CancelSignal } from "../sim/process.js";

/** Owns a `CancelSignal` and fires it once. */
export class CancelSource {
  #reason: string | undefined;
  #callbacks: ((reason: string) => void)[] = [];

  /** The read-only view to pass along with a request. */
  readonly signal: CancelSignal;

  constructor() {
    const src = this;
    this.signal = {
      get cancelled(): boolean {
        return src.#reason !== undefined;
      },
      get reason(): string | undefined {
        return src.#reason;
      },
      onCancel(cb) {
        if (src.#reason !== undefined) {
          cb(src.#reason);
          return () => {};
        }
        src.#callbacks.push(cb);
        return () => {
          const i = src.#callbacks.indexOf(cb);
          if (i >= 0) src.#callbacks.splice(i, 1);
        };
      },
    };
  }

  /** Fires the signal (a no-op after the first time). */
  cancel(reason = "cancelled"): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    const cbs = this.#callbacks;
    this.#callbacks = [];
    for (const cb of cbs) cb(reason);
  }
}
