/**
 * Cron schedules in a time zone, firing on the simulation clock.
 *
 * Contract:
 * - `CronSchedule(expression, timeZone)` reads five fields (minute, hour, day of month, month,
 *   day of week 0-7 with 0 and 7 Sunday), each `*`, a number, a range `a-b`, a step `*\/n` or
 *   `a-b/n`, or a comma list of these. As in Vixie cron, when both day fields are restricted a day
 *   matching either one fires.
 * - `next(afterUtcMs)` is the first fire instant strictly after `afterUtcMs`. Wall times are read
 *   in the schedule's zone by its rules, so `0 9 * * *` in America/New_York fires at 14:00Z in
 *   winter and 13:00Z in summer. A fire time in the spring-forward gap fires once at the end of the
 *   gap; one in the autumn overlap fires once, at its first occurrence (see time-zone.ts).
 * - `spawnCron` runs a daemon that, at each fire time as read by the scheduler's clock (the true
 *   clock, or a skewed `ActorClock`), traces `cron.fire` (layer `clock`, attrs: the scheduled
 *   instant, the clock's reading, the local date) and spawns the job as a child process after a
 *   start delay (a pod spinning up).
 */
import type { ActorClock } from "../sim/clock.js";
import type { Distribution, DistributionSpec } from "../sim/distributions.js";
import type { ProcessContext, ProcessHandle, Simulation } from "../sim/simulation.js";
import { CRON_DEFAULTS } from "./defaults.js";
import { addDays, assertTimeZone, localDate, parseDate, utcOfLocal, weekdayOf } from "./time-zone.js";
import { toDistribution } from "../sim/distributions.js";

/** Thrown for a malformed expression; the message names the field and what was expected. */
export class CronError extends Error {
  override name = "CronError";
}

/** A parsed expression: the allowed values of each field, ascending. */
export interface CronFields {
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday ... 6 = Saturday. */
  daysOfWeek: number[];
  /** Whether the day-of-month field was restricted (did not start with `*`). */
  domRestricted: boolean;
  /** Whether the day-of-week field was restricted (did not start with `*`). */
  dowRestricted: boolean;
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

/** Longest gap between fires of a satisfiable expression (Feb 29 recurs within 8 years). */
const SEARCH_DAYS = 8 * 366 + 1;

/** Parses a five-field expression. @throws CronError naming the field. */
export function parseCron(expression: string): CronFields {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new CronError(`expected five fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * *", got "${expression}"`);
  }
  const [minutes, hours, daysOfMonth, months, dow] = parts.map((p, i) => parseField(p, FIELDS[i] as (typeof FIELDS)[number])) as number[][];
  return {
    minutes: minutes as number[],
    hours: hours as number[],
    daysOfMonth: daysOfMonth as number[],
    months: months as number[],
    daysOfWeek: [...new Set((dow as number[]).map((d) => d % 7))].sort((a, b) => a - b),
    domRestricted: !(parts[2] as string).startsWith("*"),
    dowRestricted: !(parts[4] as string).startsWith("*"),
  };
}

function parseField(text: string, field: (typeof FIELDS)[number]): number[] {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new CronError(`${field.name} field "${text}": expected *, n, a-b, */n, a-b/n or a comma list`);
    const lo = m[1] === "*" ? field.min : Number(m[2]);
    const hi = m[1] === "*" ? field.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? field.max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < field.min || hi > field.max || lo > hi || step < 1) {
      throw new CronError(`${field.name} field "${text}": values must lie in ${field.min}-${field.max}, ranges ascending, steps at least 1`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** A cron expression read in one time zone. */
export class CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  readonly fields: CronFields;

  constructor(expression: string = CRON_DEFAULTS.expression, timeZone: string = CRON_DEFAULTS.timeZone) {
    this.expression = expression;
    this.timeZone = assertTimeZone(timeZone);
    this.fields = parseCron(expression);
  }

  /** Whether the schedule fires at all on local date `date` (`YYYY-MM-DD`). */
  firesOn(date: string): boolean {
    const { month, day } = parseDate(date);
    const f = this.fields;
    if (!f.months.includes(month)) return false;
    const dom = f.daysOfMonth.includes(day);
    const dow = f.daysOfWeek.includes(weekdayOf(date));
    if (f.domRestricted && f.dowRestricted) return dom || dow;
    return (!f.domRestricted || dom) && (!f.dowRestricted || dow);
  }

  /** The first fire instant (UTC ms) strictly after `afterUtcMs`. @throws CronError if it never fires. */
  next(afterUtcMs: number): number {
    const first = localDate(afterUtcMs, this.timeZone);
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const date = addDays(first, i);
      if (!this.firesOn(date)) continue;
      const t = this.#firstOnDate(date, afterUtcMs);
      if (t !== undefined) return t;
    }
    throw new CronError(`"${this.expression}" never fires (no matching date within ${SEARCH_DAYS} days)`);
  }

  /** Local wall times map to instants in order (see the gap and overlap policy), so hours can be skipped whole. */
  #firstOnDate(date: string, afterUtcMs: number): number | undefined {
    const { year, month, day } = parseDate(date);
    const { hours, minutes } = this.fields;
    const at = (hour: number, minute: number): number => utcOfLocal({ year, month, day, hour, minute }, this.timeZone);
    for (const hour of hours) {
      if (at(hour, minutes[minutes.length - 1] as number) <= afterUtcMs) continue;
      for (const minute of minutes) {
        const t = at(hour, minute);
        if (t > afterUtcMs) return t;
      }
    }
    return undefined;
  }
}

/** One firing, as the job sees it. */
export interface CronFire {
  /** 1 for the first fire. */
  index: number;
  /** The instant the schedule named (UTC ms). */
  scheduledUtcMs: number;
  /** The scheduled instant as ISO-8601 UTC. */
  scheduledIso: string;
  /** The scheduled instant's local date in the schedule's zone. */
  scheduledDate: string;
  /** What the scheduler's clock read when it fired (UTC ms). */
  clockReadingMs: number;
  /** The `cron.fire` event. */
  eventId: number;
}

/** A cron job: its name, schedule, the clock it reads, and the job run at each fire. */
export interface CronJobOptions {
  /** Actor name in the trace; jobs are named `<name>#<index>`. */
  name: string;
  schedule: CronSchedule;
  /** The scheduler's clock; it fires when this clock reads the scheduled instant. Default: true time. */
  clock?: ActorClock;
  /**
   * Delay from fire to job start (stream `cron:<name>:start`), as written or already compiled.
   * Default `CRON_DEFAULTS.startDelay` (defaults.ts).
   */
  startDelay?: DistributionSpec | Distribution;
  /** Stop after this many fires. Default: never. */
  maxFires?: number;
  /** The job, run as a child process per fire. */
  job: (ctx: ProcessContext, fire: CronFire) => Promise<void>;
}

/**
 * Spawns the scheduler daemon. Its first fire is the first scheduled instant at or after the
 * moment it starts, as read by its clock.
 */
export function spawnCron(sim: Simulation, options: CronJobOptions): ProcessHandle<void> {
  const startDelay = toDistribution(options.startDelay ?? CRON_DEFAULTS.startDelay);
  const read = (): number => (options.clock ? options.clock.nowMs() : sim.epochMs + sim.now);
  const rate = 1 + (options.clock?.drift ?? 0);
  return sim.spawn(
    `cron:${options.name}`,
    async (ctx) => {
      let scheduled = options.schedule.next(read() - 1);
      for (let index = 1; options.maxFires === undefined || index <= options.maxFires; index++) {
        await ctx.sleep(Math.max(0, (scheduled - read()) / rate), `${options.name} waiting for ${new Date(scheduled).toISOString()}`);
        const fire = fireEvent(sim, options, index, scheduled, read());
        const delay = startDelay.sample(ctx.rng(`cron:${options.name}:start`));
        ctx.spawn(`${options.name}#${index}`, async (job) => {
          await job.sleep(delay, `${options.name}#${index} starting`);
          await options.job(job, fire);
        });
        scheduled = options.schedule.next(scheduled);
      }
    },
    { daemon: true },
  );
}

function fireEvent(sim: Simulation, options: CronJobOptions, index: number, scheduledUtcMs: number, clockReadingMs: number): CronFire {
  const scheduledIso = new Date(scheduledUtcMs).toISOString();
  const scheduledDate = localDate(scheduledUtcMs, options.schedule.timeZone);
  const eventId = sim.trace.instant({
    actor: options.name,
    layer: "clock",
    kind: "cron.fire",
    attrs: {
      index,
      expression: options.schedule.expression,
      timeZone: options.schedule.timeZone,
      scheduled: scheduledIso,
      scheduledMs: scheduledUtcMs,
      scheduledDate,
      clockReading: new Date(Math.round(clockReadingMs)).toISOString(),
      clockErrorMs: clockReadingMs - (sim.epochMs + sim.now),
    },
  });
  return { index, scheduledUtcMs, scheduledIso, scheduledDate, clockReadingMs, eventId };
}
