/**
 * A person's calendar: when they can act on anything at all.
 *
 * Contract: a calendar is declared in local wall time in one time zone (working hours on working
 * days, lunch, meetings one-off or weekly, absences by date) and answered in UTC instants:
 * `availableAt(utcMs)`, `nextAvailable(utcMs)`, `statusAt(utcMs)` (why not, when not) and
 * `addWorkingTime(utcMs, workMs)` (when `workMs` of available time has passed: work stops at lunch
 * and resumes after it). Pure: nothing here reads the real clock. Daylight-saving time comes from
 * the zone's rules (see time-zone.ts).
 */
import { addDays, assertTimeZone, localParts, parseClockTime, parseDate, utcOfLocal, weekdayOf } from "./time-zone.js";
import { CALENDAR_DEFAULTS } from "./defaults.js";

/** A local interval of one day, `"HH:MM"` to `"HH:MM"`, start inclusive, end exclusive. */
export interface LocalInterval {
  start: string;
  end: string;
}

/** A meeting: one-off on `date`, weekly on `days`, or, with neither, every working day. */
export interface MeetingSpec extends LocalInterval {
  /** What it is, shown when someone waits on it ("customer call"). */
  title?: string;
  /** The local date of a one-off meeting, `YYYY-MM-DD`. */
  date?: string;
  /** Weekdays of a weekly meeting, 0 = Sunday ... 6 = Saturday. */
  days?: number[];
}

/** A whole-day absence, local dates inclusive. */
export interface AbsenceSpec {
  from: string;
  to: string;
  reason?: string;
}

/** How a calendar is written (in scenario files or code). */
export interface CalendarSpec {
  /** IANA zone name, e.g. `"America/New_York"`. */
  timeZone: string;
  /** Default `CALENDAR_DEFAULTS.workingHours` (defaults.ts). */
  workingHours?: LocalInterval;
  /** Weekdays worked, 0 = Sunday ... 6 = Saturday. Default Monday to Friday. */
  workDays?: number[];
  /** Default `CALENDAR_DEFAULTS.lunch` (defaults.ts); `null` for no lunch break. */
  lunch?: LocalInterval | null;
  meetings?: MeetingSpec[];
  absences?: AbsenceSpec[];
}

/** Where a person is at an instant: available, or not and why. */
export type CalendarStatus =
  | { available: true }
  | { available: false; reason: "day-off" | "absent" | "before-hours" | "after-hours" | "lunch" | "meeting"; detail?: string };

/** A stretch of availability, UTC ms, `[start, end)`. */
export interface Spell {
  start: number;
  end: number;
}

/** Thrown for a malformed calendar; the message says which entry and what was expected. */
export class CalendarError extends Error {
  override name = "CalendarError";
}

type Minutes = [number, number];

interface Meeting {
  span: Minutes;
  title: string;
  date?: string;
  days?: ReadonlySet<number>;
}

/** One person's calendar. */
export class Calendar {
  readonly timeZone: string;
  readonly #work: Minutes;
  readonly #workDays: ReadonlySet<number>;
  readonly #lunch: Minutes | undefined;
  readonly #meetings: readonly Meeting[];
  readonly #absences: readonly { from: string; to: string; reason: string }[];

  constructor(spec: CalendarSpec) {
    this.timeZone = assertTimeZone(spec.timeZone);
    this.#work = interval(spec.workingHours ?? CALENDAR_DEFAULTS.workingHours, "workingHours");
    this.#workDays = weekdays(spec.workDays ?? CALENDAR_DEFAULTS.workDays, "workDays");
    const lunch = spec.lunch === undefined ? CALENDAR_DEFAULTS.lunch : spec.lunch;
    this.#lunch = lunch === null ? undefined : interval(lunch, "lunch");
    this.#meetings = (spec.meetings ?? []).map((m, i) => ({
      span: interval(m, `meetings[${i}]`),
      title: m.title ?? "meeting",
      ...(m.date !== undefined ? { date: checkedDate(m.date, `meetings[${i}].date`) } : {}),
      ...(m.days !== undefined ? { days: weekdays(m.days, `meetings[${i}].days`) } : {}),
    }));
    this.#absences = (spec.absences ?? []).map((a, i) => {
      const from = checkedDate(a.from, `absences[${i}].from`);
      const to = checkedDate(a.to, `absences[${i}].to`);
      if (to < from) throw new CalendarError(`absences[${i}]: "to" (${to}) is before "from" (${from})`);
      return { from, to, reason: a.reason ?? "absent" };
    });
  }

  /** Whether the person can act at `utcMs`. */
  availableAt(utcMs: number): boolean {
    return this.statusAt(utcMs).available;
  }

  /** Whether the person can act at `utcMs`, and if not, why. */
  statusAt(utcMs: number): CalendarStatus {
    const p = localParts(utcMs, this.timeZone);
    const minute = p.hour * 60 + p.minute + p.second / 60 + p.millisecond / 60_000;
    if (!this.#workDays.has(p.weekday)) return { available: false, reason: "day-off" };
    const absence = this.#absences.find((a) => a.from <= p.date && p.date <= a.to);
    if (absence) return { available: false, reason: "absent", detail: absence.reason };
    if (minute < this.#work[0]) return { available: false, reason: "before-hours" };
    if (minute >= this.#work[1]) return { available: false, reason: "after-hours" };
    if (this.#lunch && within(minute, this.#lunch)) return { available: false, reason: "lunch" };
    const meeting = this.#meetingsOn(p.date).find((m) => within(minute, m.span));
    if (meeting) return { available: false, reason: "meeting", detail: meeting.title };
    return { available: true };
  }

  /** The first instant at or after `utcMs` when the person is available; Infinity if none within the horizon. */
  nextAvailable(utcMs: number): number {
    for (const spell of this.spells(utcMs)) return spell.start;
    return Infinity;
  }

  /**
   * The instant at which `workMs` of available time, starting at `utcMs`, has passed: work pauses
   * outside available spells and resumes in the next one. Infinity if the horizon runs out first.
   */
  addWorkingTime(utcMs: number, workMs: number): number {
    let remaining = workMs;
    for (const spell of this.spells(utcMs)) {
      if (remaining <= spell.end - spell.start) return spell.start + remaining;
      remaining -= spell.end - spell.start;
    }
    return Infinity;
  }

  /** The available spells from `utcMs` on, in order, the first clipped to start no earlier than `utcMs`. */
  *spells(utcMs: number, horizonDays: number = CALENDAR_DEFAULTS.horizonDays): Generator<Spell> {
    const first = localParts(utcMs, this.timeZone).date;
    for (let i = 0; i < horizonDays; i++) {
      const date = addDays(first, i);
      for (const [s, e] of this.freeMinutes(date)) {
        const end = this.#utcAt(date, e);
        if (end <= utcMs) continue;
        yield { start: Math.max(utcMs, this.#utcAt(date, s)), end };
      }
    }
  }

  /** The free intervals of local date `date`, in minutes after local midnight, in order. */
  freeMinutes(date: string): Minutes[] {
    if (!this.#workDays.has(weekdayOf(date))) return [];
    if (this.#absences.some((a) => a.from <= date && date <= a.to)) return [];
    let free: Minutes[] = [[...this.#work]];
    if (this.#lunch) free = subtract(free, this.#lunch);
    for (const m of this.#meetingsOn(date)) free = subtract(free, m.span);
    return free;
  }

  #meetingsOn(date: string): Meeting[] {
    const weekday = weekdayOf(date);
    return this.#meetings.filter((m) => (m.date !== undefined ? m.date === date : m.days ? m.days.has(weekday) : true));
  }

  #utcAt(date: string, minutes: number): number {
    const { year, month, day } = parseDate(date);
    return utcOfLocal({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, this.timeZone);
  }
}

function within(minute: number, [s, e]: Minutes): boolean {
  return minute >= s && minute < e;
}

/** `free` minus `[s, e)`. */
function subtract(free: Minutes[], [s, e]: Minutes): Minutes[] {
  const out: Minutes[] = [];
  for (const [a, b] of free) {
    if (e <= a || s >= b) out.push([a, b]);
    else {
      if (a < s) out.push([a, s]);
      if (e < b) out.push([e, b]);
    }
  }
  return out;
}

function interval(i: LocalInterval, where: string): Minutes {
  let span: Minutes;
  try {
    span = [parseClockTime(i.start), parseClockTime(i.end)];
  } catch (e) {
    throw new CalendarError(`${where}: ${(e as Error).message}`);
  }
  if (span[1] <= span[0]) throw new CalendarError(`${where}: end ${i.end} must be after start ${i.start} (intervals within one day)`);
  return span;
}

function weekdays(days: readonly number[], where: string): ReadonlySet<number> {
  for (const d of days) {
    if (!Number.isInteger(d) || d < 0 || d > 6) throw new CalendarError(`${where}: expected weekdays 0 (Sunday) to 6 (Saturday), got ${d}`);
  }
  return new Set(days);
}

function checkedDate(date: string, where: string): string {
  try {
    parseDate(date);
  } catch (e) {
    throw new CalendarError(`${where}: ${(e as Error).message}`);
  }
  return date;
}
