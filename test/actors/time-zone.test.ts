import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  addDays,
  localDate,
  localParts,
  nextLocalTime,
  parseClockTime,
  parseDate,
  TimeZoneError,
  utcOfLocal,
  utcOfLocalTime,
  weekdayOf,
  zoneOffsetMs,
} from "../../src/actors/time-zone.js";

const NY = "America/New_York";
const HOUR = 3_600_000;

/** The zone's offset at an instant as Intl names it ("GMT-05:00"): an independent reading of the rules. */
function intlOffset(utcMs: number, timeZone: string): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(utcMs).find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

describe("localParts", () => {
  it("reads New York wall time with the offset the rules give in winter and in summer", () => {
    const winter = Date.UTC(2026, 0, 15, 17, 30);
    const summer = Date.UTC(2026, 6, 15, 17, 30);
    expect(intlOffset(winter, NY)).toBe("GMT-05:00");
    expect(intlOffset(summer, NY)).toBe("GMT-04:00");
    expect(localParts(winter, NY)).toMatchObject({ hour: 12, minute: 30, date: "2026-01-15", weekday: 4, offsetMs: -5 * HOUR });
    expect(localParts(summer, NY)).toMatchObject({ hour: 13, minute: 30, date: "2026-07-15", weekday: 3, offsetMs: -4 * HOUR });
  });

  it("gives the local date, which lags the UTC date in the evening west of Greenwich", () => {
    const t = Date.UTC(2026, 2, 9, 3, 0);
    expect(localDate(t, NY)).toBe("2026-03-08");
    expect(localDate(t, "Asia/Tokyo")).toBe("2026-03-09");
    expect(localParts(t, "Asia/Kolkata")).toMatchObject({ hour: 8, minute: 30 });
  });

  it("switches offset at the instant the rules say on the US spring-forward day", () => {
    // Independent of our code: Intl's own offset names one second either side of 07:00Z.
    const change = Date.UTC(2026, 2, 8, 7, 0);
    expect(intlOffset(change - 1000, NY)).toBe("GMT-05:00");
    expect(intlOffset(change, NY)).toBe("GMT-04:00");
    expect(zoneOffsetMs(change - 1000, NY)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(change, NY)).toBe(-4 * HOUR);
    expect(localParts(change - 1000, NY)).toMatchObject({ hour: 1, minute: 59, second: 59 });
    expect(localParts(change, NY)).toMatchObject({ hour: 3, minute: 0, second: 0 });
  });

  it("keeps the milliseconds of the instant", () => {
    expect(localParts(Date.UTC(2026, 2, 9, 12, 0, 0, 250), "UTC")).toMatchObject({ hour: 12, second: 0, millisecond: 250 });
  });

  it("rejects an unknown zone with the expected form", () => {
    expect(() => localParts(0, "Mars/Olympus")).toThrow(TimeZoneError);
    expect(() => localParts(0, "Mars/Olympus")).toThrow(/IANA name such as "America\/New_York"/);
  });
});

describe("utcOfLocal", () => {
  it("finds 09:00 New York at 14:00Z before the spring change and 13:00Z after it", () => {
    expect(new Date(utcOfLocalTime("2026-03-07", "09:00", NY)).toISOString()).toBe("2026-03-07T14:00:00.000Z");
    expect(new Date(utcOfLocalTime("2026-03-08", "09:00", NY)).toISOString()).toBe("2026-03-08T13:00:00.000Z");
  });

  it("maps a wall time in the spring gap to the end of the gap", () => {
    // 02:30 does not exist on 2026-03-08 in New York: clocks jump from 01:59:59 to 03:00.
    const t = utcOfLocalTime("2026-03-08", "02:30", NY);
    expect(new Date(t).toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(localParts(t, NY)).toMatchObject({ hour: 3, minute: 0 });
  });

  it("maps a wall time in the autumn overlap to its earlier occurrence", () => {
    // 01:30 happens twice on 2026-11-01 in New York: first in EDT (05:30Z), then in EST (06:30Z).
    const t = utcOfLocalTime("2026-11-01", "01:30", NY);
    expect(new Date(t).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(localParts(t + HOUR, NY)).toMatchObject({ hour: 1, minute: 30 });
  });

  it("handles a 30-minute daylight shift (Lord Howe Island)", () => {
    const t = utcOfLocalTime("2026-10-04", "02:15", "Australia/Lord_Howe");
    expect(localParts(t, "Australia/Lord_Howe")).toMatchObject({ date: "2026-10-04", hour: 2, minute: 30 });
    expect(localParts(t - 1000, "Australia/Lord_Howe")).toMatchObject({ hour: 1, minute: 59 });
  });

  it("inverts localParts, up to the earlier occurrence of an overlapped wall time (property)", () => {
    const zones = [NY, "Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo", "UTC"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }), fc.constantFrom(...zones), (t, zone) => {
        const instant = Math.floor(t / 1000) * 1000;
        const p = localParts(instant, zone);
        const back = utcOfLocal(p, zone);
        if (back !== instant) {
          // Only the second occurrence of an autumn-overlap wall time maps elsewhere: to its first.
          expect(back).toBeLessThan(instant);
          expect(localParts(back, zone)).toMatchObject({ date: p.date, hour: p.hour, minute: p.minute, second: p.second });
        }
        expect(localParts(back, zone)).toMatchObject({ date: p.date, hour: p.hour, minute: p.minute });
      }),
      { numRuns: 400 },
    );
  });

  it("never maps a later wall time to an earlier instant (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 730 }), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 180 }), (dayIndex, minute, step) => {
        const date = addDays("2026-01-01", dayIndex);
        const { year, month, day } = parseDate(date);
        const a = utcOfLocal({ year, month, day, hour: 0, minute }, NY);
        const b = utcOfLocal({ year, month, day, hour: 0, minute: minute + step }, NY);
        expect(b).toBeGreaterThanOrEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});

describe("nextLocalTime and civil dates", () => {
  it("finds the next 09:00 strictly after an instant, rolling to tomorrow once 09:00 has passed", () => {
    const at9 = utcOfLocalTime("2026-03-09", "09:00", NY);
    expect(nextLocalTime(at9 - 1, "09:00", NY)).toBe(at9);
    expect(nextLocalTime(at9, "09:00", NY)).toBe(utcOfLocalTime("2026-03-10", "09:00", NY));
  });

  it("adds days across month and year ends and knows weekdays", () => {
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(weekdayOf("2026-03-09")).toBe(1); // a Monday
    expect(weekdayOf("2026-03-08")).toBe(0);
  });

  it("rejects malformed dates and clock times with what was expected", () => {
    expect(() => utcOfLocalTime("2026-02-30", "09:00", NY)).toThrow(/not a calendar date/);
    expect(() => utcOfLocalTime("9 March", "09:00", NY)).toThrow(/such as 2026-03-09/);
    expect(() => parseClockTime("9am")).toThrow(/such as "09:00"/);
    expect(() => parseClockTime("24:30")).toThrow(TimeZoneError);
    expect(parseClockTime("24:00")).toBe(1440);
  });
});
