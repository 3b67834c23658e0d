import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { CronError, CronSchedule, parseCron, spawnCron, type CronFire } from "../../src/actors/cron.js";
import { uniform } from "../../src/sim/distributions.js";
import { Simulation } from "../../src/sim/simulation.js";

const NY = "America/New_York";
const MIN = 60_000;
const HOUR = 60 * MIN;
const iso = (t: number): string => new Date(t).toISOString();

/** The zone's offset at an instant as Intl names it ("GMT-04:00"). */
function intlOffset(utcMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(utcMs).find((p) => p.type === "timeZoneName")?.value ?? "";
}

/** The first `n` fire instants after `after`. */
function fires(schedule: CronSchedule, after: number, n: number): string[] {
  const out: string[] = [];
  for (let t = after, i = 0; i < n; i++) out.push(iso((t = schedule.next(t))));
  return out;
}

describe("parseCron", () => {
  it("reads *, numbers, ranges, steps and lists", () => {
    const f = parseCron("0,30 9-11 */10 1-12/3 1-5");
    expect(f.minutes).toEqual([0, 30]);
    expect(f.hours).toEqual([9, 10, 11]);
    expect(f.daysOfMonth).toEqual([1, 11, 21, 31]);
    expect(f.months).toEqual([1, 4, 7, 10]);
    expect(f.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect([f.domRestricted, f.dowRestricted]).toEqual([false, true]);
  });

  it("treats day-of-week 7 as Sunday", () => {
    expect(parseCron("0 0 * * 5-7").daysOfWeek).toEqual([0, 5, 6]);
  });

  it("names the field and the expected forms in its errors", () => {
    expect(() => parseCron("0 9 * *")).toThrow(/expected five fields/);
    expect(() => parseCron("0 24 * * *")).toThrow(/hour field "24": values must lie in 0-23/);
    expect(() => parseCron("0 9 * JAN *")).toThrow(CronError);
    expect(() => parseCron("0 9 5-1 * *")).toThrow(/day of month/);
  });
});

describe("CronSchedule.next", () => {
  it("fires 09:00 New York at 14:00Z before the spring change and 13:00Z from the change day on", () => {
    // Check the rule with Intl itself: EST (UTC-5) until 2026-03-08 07:00Z, EDT (UTC-4) after.
    expect(intlOffset(Date.UTC(2026, 2, 7, 14), NY)).toBe("GMT-05:00");
    expect(intlOffset(Date.UTC(2026, 2, 8, 13), NY)).toBe("GMT-04:00");
    const nine = new CronSchedule("0 9 * * *", NY);
    expect(fires(nine, Date.UTC(2026, 2, 6), 4)).toEqual([
      "2026-03-06T14:00:00.000Z",
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });

  it("fires back at 14:00Z after the autumn change", () => {
    expect(fires(new CronSchedule("0 9 * * *", NY), Date.UTC(2026, 9, 31), 2)).toEqual(["2026-10-31T13:00:00.000Z", "2026-11-01T14:00:00.000Z"]);
  });

  it("fires a job scheduled in the skipped hour once, at the end of the gap", () => {
    expect(fires(new CronSchedule("30 2 * * *", NY), Date.UTC(2026, 2, 7, 12), 2)).toEqual(["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  });

  it("fires a job in the repeated hour once, at the first occurrence", () => {
    expect(fires(new CronSchedule("30 1 * * *", NY), Date.UTC(2026, 9, 31, 12), 2)).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]);
  });

  it("is strictly after its argument", () => {
    const s = new CronSchedule("0 9 * * *", "UTC");
    const t = Date.UTC(2026, 2, 9, 9);
    expect(s.next(t - 1)).toBe(t);
    expect(s.next(t)).toBe(t + 24 * HOUR);
  });

  it("fires on a day matching either day field when both are restricted (Vixie cron)", () => {
    // The 13th of the month or any Friday: every Friday from Friday 2026-03-13, and Monday 2026-04-13 too.
    const s = new CronSchedule("0 0 13 * 5", "UTC");
    expect(fires(s, Date.UTC(2026, 2, 9), 5).map((t) => t.slice(0, 10))).toEqual(["2026-03-13", "2026-03-20", "2026-03-27", "2026-04-03", "2026-04-10"]);
    expect(fires(s, Date.UTC(2026, 3, 11), 1)[0]?.slice(0, 10)).toBe("2026-04-13");
  });

  it("finds a leap day years ahead, and refuses an expression that never fires", () => {
    expect(new CronSchedule("0 0 29 2 *", "UTC").next(Date.UTC(2026, 2, 9))).toBe(Date.UTC(2028, 1, 29));
    expect(() => new CronSchedule("0 0 30 2 *", "UTC").next(0)).toThrow(/never fires/);
  });

  it("agrees with a minute-by-minute scan in zones without DST (property)", () => {
    const field = (min: number, max: number): fc.Arbitrary<string> =>
      fc.oneof(
        fc.constant("*"),
        fc.integer({ min, max }).map(String),
        fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(",")),
        fc.integer({ min: 2, max: 9 }).map((n) => `*/${n}`),
      );
    const expr = fc.tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6)).map((f) => f.join(" "));
    const zones = [
      { zone: "UTC", offset: 0 },
      { zone: "Asia/Kolkata", offset: 5.5 * HOUR },
    ];
    fc.assert(
      fc.property(expr, fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }), fc.constantFrom(...zones), (e, after, { zone, offset }) => {
        const f = parseCron(e);
        const matches = (utc: number): boolean => {
          const d = new Date(utc + offset);
          const dom = f.daysOfMonth.includes(d.getUTCDate());
          const dow = f.daysOfWeek.includes(d.getUTCDay());
          const day = f.domRestricted && f.dowRestricted ? dom || dow : (!f.domRestricted || dom) && (!f.dowRestricted || dow);
          return f.minutes.includes(d.getUTCMinutes()) && f.hours.includes(d.getUTCHours()) && f.months.includes(d.getUTCMonth() + 1) && day;
        };
        let t = Math.floor(after / MIN) * MIN + MIN;
        while (!matches(t)) t += MIN;
        expect(iso(new CronSchedule(e, zone).next(after))).toBe(iso(t));
      }),
      { numRuns: 40 },
    );
  });
});

describe("spawnCron", () => {
  it("fires on the simulation clock at the right UTC instants across the DST change, and starts each job 2 s later", async () => {
    const sim = new Simulation({ seed: 1, epochMs: Date.UTC(2026, 2, 6) });
    const starts: { utc: string; fire: CronFire; name: string }[] = [];
    spawnCron(sim, {
      name: "standup-summary",
      schedule: new CronSchedule("0 9 * * *", NY),
      maxFires: 4,
      job: async (ctx, fire) => {
        starts.push({ utc: iso(sim.epochMs + ctx.now), fire, name: ctx.process.name });
      },
    });
    await sim.run();
    const fired = sim.trace.events.filter((e) => e.kind === "cron.fire");
    expect(fired.map((e) => iso(sim.epochMs + e.t))).toEqual([
      "2026-03-06T14:00:00.000Z",
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
    expect(fired.every((e) => e.layer === "clock" && e.attrs?.scheduled === iso(sim.epochMs + e.t))).toBe(true);
    expect(starts.map((s) => s.utc)).toEqual(["2026-03-06T14:00:02.000Z", "2026-03-07T14:00:02.000Z", "2026-03-08T13:00:02.000Z", "2026-03-09T13:00:02.000Z"]);
    expect(starts.map((s) => s.fire.scheduledDate)).toEqual(["2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"]);
    expect(starts.map((s) => s.name)).toEqual(["standup-summary#1", "standup-summary#2", "standup-summary#3", "standup-summary#4"]);
    expect(starts[2]?.fire.eventId).toBe(fired[2]?.id);
  });

  it("fires at its start instant when that is a scheduled instant", async () => {
    const sim = new Simulation({ seed: 1, epochMs: Date.UTC(2026, 2, 9, 9) });
    spawnCron(sim, { name: "c", schedule: new CronSchedule("0 9 * * *", "UTC"), maxFires: 1, startDelay: 0, job: async () => {} });
    await sim.run();
    expect(sim.trace.events.find((e) => e.kind === "cron.fire")?.t).toBe(0);
  });

  it("takes a compiled start-delay distribution (a scenario's resolved parameter)", async () => {
    const sim = new Simulation({ seed: 1, epochMs: Date.UTC(2026, 2, 9, 9) });
    const started: number[] = [];
    spawnCron(sim, {
      name: "c",
      schedule: new CronSchedule("0 9 * * *", "UTC"),
      maxFires: 2,
      startDelay: uniform(1_000, 3_000),
      job: async (ctx) => {
        started.push(ctx.now % (24 * HOUR));
      },
    });
    await sim.run();
    expect(started).toHaveLength(2);
    for (const t of started) expect(t >= 1_000 && t <= 3_000).toBe(true);
    expect(started[0]).not.toBe(started[1]);
  });

  it("fires when a skewed scheduler clock reads the scheduled instant, not when true time does", async () => {
    const sim = new Simulation({ seed: 1, epochMs: Date.UTC(2026, 2, 9) });
    const clock = sim.clock("scheduler", { offsetMs: 90_000, drift: 1e-4 });
    const readings: number[] = [];
    spawnCron(sim, {
      name: "c",
      schedule: new CronSchedule("0 9 * * *", "UTC"),
      clock,
      maxFires: 3,
      startDelay: 0,
      job: async () => {
        readings.push(clock.nowMs());
      },
    });
    await sim.run();
    const fired = sim.trace.events.filter((e) => e.kind === "cron.fire");
    const scheduled = [0, 1, 2].map((d) => Date.UTC(2026, 2, 9 + d, 9));
    readings.forEach((r, i) => expect(Math.abs(r - (scheduled[i] as number))).toBeLessThan(1));
    // The clock runs ahead (offset plus accumulated drift), so each fire comes early in true time.
    fired.forEach((e, i) => expect(sim.epochMs + e.t).toBeLessThan((scheduled[i] as number) - 90_000));
    expect(fired[0]?.attrs?.clockErrorMs).toBeCloseTo(90_000 + fired[0]!.t * 1e-4, 3);
  });
});
