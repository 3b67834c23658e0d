/**
 * A one-line progress bar for long commands, drawn on stderr only when stderr is a terminal:
 * `sweep [██████░░░░░░░░] 1,234/10,000 seeds  12%  210/s  ETA 42s`. It redraws at most ten times
 * a second and reads the wall clock for the rate: the one place agentsim reads real time, and it
 * never reaches a result.
 */

/** Where the bar is drawn. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A progress display. */
export interface Progress {
  /** `done` of `total` units finished. */
  update(done: number, total: number): void;
  /** Clears the bar; returns the seconds elapsed since it was created. */
  finish(): number;
}

const WIDTH = 24;
const REDRAW_MS = 100;

/** A bar on `stream` (a no-op display when it is not a terminal). */
export function progressBar(stream: ProgressStream, label: string, unit: string): Progress {
  const started = Date.now(); // nondeterminism-ok: progress display
  const elapsed = (): number => (Date.now() - started) / 1000; // nondeterminism-ok: progress display
  if (!stream.isTTY) return { update: () => {}, finish: elapsed };
  let drawn = 0;
  return {
    update(done, total) {
      const now = Date.now(); // nondeterminism-ok: progress display
      if (done < total && now - drawn < REDRAW_MS) return;
      drawn = now;
      stream.write(`\r\x1b[K${progressLine(label, unit, done, total, elapsed())}`);
    },
    finish() {
      stream.write("\r\x1b[K");
      return elapsed();
    },
  };
}

/** The text of the bar (no control codes). */
export function progressLine(label: string, unit: string, done: number, total: number, seconds: number): string {
  const share = total > 0 ? done / total : 1;
  const filled = Math.round(share * WIDTH);
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const parts = [
    `${label} [${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}]`,
    `${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit}`,
    `${Math.floor(share * 100)}%`,
    `${Math.round(rate).toLocaleString("en-US")}/s`,
    eta === undefined ? "" : `ETA ${eta}s`,
  ];
  return parts.filter(Boolean).join("  ");
}
