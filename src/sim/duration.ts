/**
 * Durations as users write them: `200ms`, `7.9s`, `5m`, `19h`, `1d`, or compound `1h30m`.
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

const PART = /(\d+(?:\.\d+)?|\.\d+)(us|ms|s|m|h|d|w)/y;

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
      throw new DurationError(
        `malformed duration "${input}": expected a number with a unit (us, ms, s, m, h, d, w), e.g. "200ms", "7.9s", "1h30m"`,
      );
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  if (text.length === 0) throw new DurationError(`empty duration: expected e.g. "200ms", "7.9s", "5m"`);
  return total;
}

/** Formats milliseconds the short way a person reads them: `850ms`, `7.9s`, `5m`, `19h 3m`, `1d 2h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? "-" : "";
  const a = Math.abs(ms);
  if (a < 1_000) return `${sign}${round(a, a < 10 ? 2 : 0)}ms`;
  if (a < 60_000) return `${sign}${round(a / 1_000, 2)}s`;
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = round((a - m * 60_000) / 1_000, 1);
    return s === 0 ? `${sign}${m}m` : `${sign}${m}m ${s}s`;
  }
  if (a < 86_400_000) {
    const h = Math.floor(a / 3_600_000);
    const m = Math.round((a - h * 3_600_000) / 60_000);
    return m === 0 ? `${sign}${h}h` : `${sign}${h}h ${m}m`;
  }
  const d = Math.floor(a / 86_400_000);
  const h = Math.round((a - d * 86_400_000) / 3_600_000);
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

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
