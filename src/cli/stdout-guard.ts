/**
 * stdout carries only the document the user asked for, and a closed pipe ends quietly.
 *
 * When the command line writes to the real process streams, `guardStdout` (1) keeps the real
 * `process.stdout.write` for the command's own output and sends everything else written to
 * stdout (a scenario module's `console.log`, a library's progress) to stderr, so that
 * `--format json` stays parseable; and (2) swallows EPIPE: `agentsim run x --format jsonl | head`
 * stops writing when `head` exits, with no stack trace, and the command ends with its own status.
 */
import type { CliIo } from "./shared.js";

let guarding = 0;

/** Whether the command line is writing to the real process streams (a watchdog may then stop the process). */
export function writingToProcess(): boolean {
  return guarding > 0;
}

/** The io to use, and a function that puts process.stdout back as it was. */
export function guardStdout(io: CliIo): { io: CliIo; restore(): void } {
  const out = process.stdout;
  if (io.stdout !== out) return { io, restore: () => {} };
  const realWrite = out.write;
  guarding++;
  let closed = false;
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") closed = true;
    else throw e;
  };
  out.on("error", onError);
  const write = (text: string): boolean => {
    if (closed || out.destroyed) return false;
    return realWrite.call(out, text) as boolean;
  };
  out.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof out.write;
  return {
    io: { ...io, stdout: { write, isTTY: out.isTTY } },
    restore: () => {
      guarding--;
      out.write = realWrite;
    },
  };
}
