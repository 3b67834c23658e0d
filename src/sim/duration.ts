/**
 * Durations as users write them: `200ms`, `7.9s`, `5m`, `19h`, `1d`, or compound `1h30m` (parts
 * may be separated by spaces, as `formatDuration` writes them: `1h 30m`).
 * Virtual time everywhere in agentsim is a number of milliseconds since the run began.
 */

/** A duration given by a user: a string such as `"7.9s"` or a number of milliseconds. */
export type DurationInput = string | number;

const UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)(us|ms|s|m|h|d|w)\s*/y;

/** Thrown for a duration that is not well formed; `message` says what was expected. */
export class DurationError extends Error {
  override name = "DurationError";
}

/**
 * Parses a duration to milliseconds. Numbers are taken as milliseconds.
 * @throws DurationError for malformed or negative input.
 */
export function parseDuration(input: DurationInput): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) {
      throw new DurationError(`duration must be a non-negative number of milliseconds, got ${input}`);
    }
    return input;
  }
  if (typeof input !== "string") {
    throw new DurationError(`duration must be a string such as "200ms" or a number of milliseconds, got ${describe(input)}`);
  }
  const text = input.trim();
  if (text.startsWith("-")) {
    throw new DurationError(`duration must not be negative, got "${input}"`);
  }
  if (text === "0") return 0;
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) {
      throw new DurationError(`malformed duration "${input}": expected a number with a unit (us, ms, s, m, h, d, w), e.g. "200ms", "7.9s", "1h30m"`);
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  if (text.length === 0) throw new DurationError(`empty duration: expected e.g. "200ms", "7.9s", "5m"`);
  return total;
}

/**
 * Formats milliseconds the short way a person reads them: `850ms`, `7.9s`, `5m`, `19h 3m`, `1d 2h`.
 * Each unit is chosen after rounding, so a value never reads as `1000ms` or `59m 60s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  const millis = round(a, a < 10 ? 2 : 0);
  if (millis < 1_000) return `${sign}${millis}ms`;
  const seconds = round(a / 1_000, 2);
  if (seconds < 60) return `${sign}${seconds}s`;
  const tenths = Math.round(a / 100);
  if (tenths < 36_000) {
    const m = Math.floor(tenths / 600);
    const s = (tenths - m * 600) / 10;
    return s === 0 ? `${sign}${m}m` : `${sign}${m}m ${s}s`;
  }
  const minutes = Math.round(a / 60_000);
  if (minutes < 1_440) {
    const h = Math.floor(minutes / 60);
    const m = minutes - h * 60;
    return m === 0 ? `${sign}${h}h` : `${sign}${h}h ${m}m`;
  }
  const hours = Math.round(a / 3_600_000);
  const d = Math.floor(hours / 24);
  const h = hours - d * 24;
  return h === 0 ? `${sign}${d}d` : `${sign}${d}d ${h}h`;
}

/** Formats a virtual timestamp as a fixed-width clock reading from the run's start: `+00:01:07.900`. */
export function formatTimestamp(ms: number): string {
  const totalMs = Math.round(ms);
  const days = Math.floor(totalMs / 86_400_000);
  const rest = totalMs - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor((rest % 3_600_000) / 60_000);
  const s = Math.floor((rest % 60_000) / 1_000);
  const milli = rest % 1_000;
  const hms = `${pad(h)}:${pad(m)}:${pad(s)}.${String(milli).padStart(3, "0")}`;
  return days > 0 ? `+${days}d ${hms}` : `+${hms}`;
}

function describe(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
