/**
 * Wall time in a time zone, from the platform's time-zone rules (Intl, IANA database).
 *
 * Contract: pure functions of a UTC instant (ms since the Unix epoch) and a zone name; nothing
 * here reads the real clock. Daylight-saving time comes from the rules, never from hand-written
 * offsets. Converting a local wall time back to an instant follows one policy everywhere:
 * - a wall time that occurs twice (the autumn overlap) means its earlier occurrence;
 * - a wall time that does not exist (the spring gap) means the first instant after the gap
 *   (e.g. 02:30 on the US spring-forward day means 03:00 daylight time, the transition itself),
 *   as Vixie cron does for jobs scheduled in the skipped hour.
 * Under this policy later wall times never map to earlier instants.
 */

/** A local wall time, as read off a clock on the wall in some zone. */
export interface WallTime {
  year: number;
  /** 1-12. */
  month: number;
  /** 1-31. */
  day: number;
  /** 0-23. */
  hour: number;
  /** 0-59. */
  minute: number;
  /** 0-59 (default 0). */
  second?: number;
}

/** The local reading of an instant: wall time, weekday, date and offset. */
export interface LocalParts extends Required<WallTime> {
  /** Milliseconds within the second. */
  millisecond: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
  /** The local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** Local time minus UTC, in ms (New York in winter: -18,000,000). */
  offsetMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Remembered offsets per zone, by UTC hour (NaN: a transition inside that hour). */
const offsets = new Map<string, Map<number, number>>();
const OFFSET_CACHE_LIMIT = 200_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Thrown for an unknown zone name or a malformed local date or time. */
export class TimeZoneError extends Error {
  override name = "TimeZoneError";
}

/**
 * Checks a zone name against the platform's rules and returns it.
 * @throws TimeZoneError naming what was expected.
 */
export function assertTimeZone(timeZone: string): string {
  formatter(timeZone);
  return timeZone;
}

/** The local wall time, weekday, date and offset of `utcMs` in `timeZone`. */
export function localParts(utcMs: number, timeZone: string): LocalParts {
  const second = Math.floor(utcMs / 1000) * 1000;
  const offsetMs = zoneOffsetMs(second, timeZone);
  const local = new Date(second + offsetMs);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  const day = local.getUTCDate();
  return {
    year,
    month,
    day,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: utcMs - second,
    weekday: local.getUTCDay(),
    date: formatDate(year, month, day),
    offsetMs,
  };
}

/** The local calendar date (`YYYY-MM-DD`) of `utcMs` in `timeZone`. */
export function localDate(utcMs: number, timeZone: string): string {
  return localParts(utcMs, timeZone).date;
}

/**
 * Local time minus UTC at `utcMs`, in ms. The zone's rules are read with Intl (`formatToParts`)
 * once per zone and UTC hour and remembered: an hour whose two ends agree holds no transition.
 */
export function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const hour = Math.floor(utcMs / HOUR_MS);
  let cache = offsets.get(timeZone);
  if (!cache || cache.size > OFFSET_CACHE_LIMIT) offsets.set(timeZone, (cache = new Map()));
  let offset = cache.get(hour);
  if (offset === undefined) {
    const start = ruleOffsetMs(hour * HOUR_MS, timeZone);
    offset = start === ruleOffsetMs(hour * HOUR_MS + HOUR_MS - 1000, timeZone) ? start : NaN;
    cache.set(hour, offset);
  }
  return Number.isNaN(offset) ? ruleOffsetMs(utcMs, timeZone) : offset;
}

/**
 * The UTC instant at which clocks in `timeZone` read `wall` (see the file's policy for wall
 * times that occur twice or never).
 */
export function utcOfLocal(wall: WallTime, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  const before = zoneOffsetMs(asUtc - DAY_MS, timeZone);
  const after = zoneOffsetMs(asUtc + DAY_MS, timeZone);
  const early = asUtc - Math.max(before, after);
  const late = asUtc - Math.min(before, after);
  if (zoneOffsetMs(early, timeZone) === asUtc - early) return early;
  if (zoneOffsetMs(late, timeZone) === asUtc - late) return late;
  return firstInstantAfterGap(early, late, zoneOffsetMs(late, timeZone), timeZone);
}

/** The UTC instant of local time `hhmm` (`"09:00"`) on local date `date` (`"2026-03-09"`). */
export function utcOfLocalTime(date: string, hhmm: string, timeZone: string): number {
  const { year, month, day } = parseDate(date);
  const minutes = parseClockTime(hhmm);
  return utcOfLocal({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, timeZone);
}

/** The first instant strictly after `afterUtcMs` at which clocks in `timeZone` read `hhmm`. */
export function nextLocalTime(afterUtcMs: number, hhmm: string, timeZone: string): number {
  let date = localDate(afterUtcMs, timeZone);
  for (;;) {
    const t = utcOfLocalTime(date, hhmm, timeZone);
    if (t > afterUtcMs) return t;
    date = addDays(date, 1);
  }
}

/** Parses `YYYY-MM-DD` into its numbers. @throws TimeZoneError if malformed. */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new TimeZoneError(`expected a date such as 2026-03-09, got "${date}"`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new TimeZoneError(`"${date}" is not a calendar date`);
  }
  return { year, month, day };
}

/** Parses `HH:MM` (00:00 to 24:00) into minutes after midnight. @throws TimeZoneError if malformed. */
export function parseClockTime(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || !(minutes <= 24 * 60)) {
    throw new TimeZoneError(`expected a local time such as "09:00" or "17:30", got "${hhmm}"`);
  }
  return minutes;
}

/** The civil date `n` days after `date` (negative `n` goes back). */
export function addDays(date: string, n: number): string {
  const { year, month, day } = parseDate(date);
  const d = new Date(Date.UTC(year, month - 1, day) + n * DAY_MS);
  return formatDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The weekday of a civil date, 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(date: string): number {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function formatDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Bisects (lo, hi] to the whole second at which the offset becomes `target` (the gap's end). */
function firstInstantAfterGap(lo: number, hi: number, target: number, timeZone: string): number {
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (zoneOffsetMs(mid, timeZone) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The offset at `utcMs` straight from the rules: the zone's wall reading minus the instant. */
function ruleOffsetMs(utcMs: number, timeZone: string): number {
  const second = Math.floor(utcMs / 1000) * 1000;
  const f: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(second)) f[p.type] = p.value;
  const wall = Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
  return wall - second;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new TimeZoneError(`unknown time zone "${timeZone}": expected an IANA name such as "America/New_York" or "UTC"`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}
