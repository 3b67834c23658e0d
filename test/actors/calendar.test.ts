import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Calendar, CalendarError } from "../../src/actors/calendar.js";
import { utcOfLocalTime } from "../../src/actors/time-zone.js";

const NY = "America/New_York";
const MIN = 60_000;
const HOUR = 60 * MIN;
/** The UTC instant of a New York wall time. */
const ny = (date: string, hhmm: string): number => utcOfLocalTime(date, hhmm, NY);

// 2026-03-09 is a Monday; 2026-03-06 the Friday before; the US spring-forward is 2026-03-08.
const priya = new Calendar({ timeZone: NY });

describe("Calendar availability", () => {
  it("is available in working hours and not at lunch, before hours or after hours", () => {
    expect(priya.availableAt(ny("2026-03-09", "10:00"))).toBe(true);
    expect(priya.statusAt(ny("2026-03-09", "12:30"))).toEqual({ available: false, reason: "lunch" });
    expect(priya.statusAt(ny("2026-03-09", "08:59"))).toEqual({ available: false, reason: "before-hours" });
    expect(priya.statusAt(ny("2026-03-09", "17:30"))).toEqual({ available: false, reason: "after-hours" });
    expect(priya.availableAt(ny("2026-03-09", "17:29"))).toBe(true);
    expect(priya.statusAt(ny("2026-03-07", "10:00"))).toEqual({ available: false, reason: "day-off" });
  });

  it("comes back from lunch at 13:00 local", () => {
    expect(priya.nextAvailable(ny("2026-03-09", "12:10"))).toBe(ny("2026-03-09", "13:00"));
  });

  it("is available now when available now", () => {
    const t = ny("2026-03-09", "10:17") + 1234;
    expect(priya.nextAvailable(t)).toBe(t);
  });

  it("waits until the next morning after hours", () => {
    expect(priya.nextAvailable(ny("2026-03-09", "18:00"))).toBe(ny("2026-03-10", "09:00"));
  });

  it("waits across the weekend, and across the DST change inside it, to Monday 09:00 local", () => {
    const fridayEvening = ny("2026-03-06", "17:45");
    const monday = priya.nextAvailable(fridayEvening);
    expect(new Date(monday).toISOString()).toBe("2026-03-09T13:00:00.000Z");
    // 63h15m of wall-clock time, but an hour was skipped on Sunday: 62h15m really elapsed.
    expect(monday - fridayEvening).toBe(62 * HOUR + 15 * MIN);
  });

  it("honours one-off and weekly meetings, naming them", () => {
    const marcus = new Calendar({
      timeZone: "Europe/London",
      meetings: [
        { title: "customer call", date: "2026-03-09", start: "13:30", end: "15:00" },
        { title: "standup", days: [1, 3], start: "09:30", end: "09:45" },
      ],
    });
    const london = (date: string, hhmm: string): number => utcOfLocalTime(date, hhmm, "Europe/London");
    expect(marcus.statusAt(london("2026-03-09", "14:00"))).toEqual({ available: false, reason: "meeting", detail: "customer call" });
    expect(marcus.availableAt(london("2026-03-10", "14:00"))).toBe(true);
    expect(marcus.nextAvailable(london("2026-03-09", "13:45"))).toBe(london("2026-03-09", "15:00"));
    expect(marcus.statusAt(london("2026-03-11", "09:40"))).toMatchObject({ reason: "meeting", detail: "standup" });
    expect(marcus.availableAt(london("2026-03-10", "09:40"))).toBe(true);
  });

  it("skips absences, whole days inclusive", () => {
    const away = new Calendar({ timeZone: NY, absences: [{ from: "2026-03-10", to: "2026-03-12", reason: "conference" }] });
    expect(away.statusAt(ny("2026-03-11", "10:00"))).toEqual({ available: false, reason: "absent", detail: "conference" });
    expect(away.nextAvailable(ny("2026-03-09", "17:45"))).toBe(ny("2026-03-13", "09:00"));
  });

  it("answers Infinity when the person never works", () => {
    const never = new Calendar({ timeZone: "UTC", workDays: [] });
    expect(never.nextAvailable(Date.UTC(2026, 2, 9))).toBe(Infinity);
  });

  it("is always available with a 24/7 on-call calendar", () => {
    const onCall = new Calendar({ timeZone: "UTC", workingHours: { start: "00:00", end: "24:00" }, workDays: [0, 1, 2, 3, 4, 5, 6], lunch: null });
    const t = Date.UTC(2026, 2, 8, 3, 17);
    expect(onCall.nextAvailable(t)).toBe(t);
    expect(onCall.addWorkingTime(t, 2 * HOUR)).toBe(t + 2 * HOUR);
  });

  it("agrees with itself: nothing available before nextAvailable, available at it (property)", () => {
    const cal = new Calendar({ timeZone: NY, meetings: [{ title: "1:1", days: [2], start: "15:00", end: "16:00" }] });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 2, 1), max: Date.UTC(2026, 3, 1) }), (t) => {
        const next = cal.nextAvailable(t);
        expect(cal.availableAt(next)).toBe(true);
        for (let u = t; u < next; u += 13 * MIN) expect(cal.availableAt(u)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe("Calendar.addWorkingTime", () => {
  it("pauses work at lunch and resumes after it", () => {
    expect(priya.addWorkingTime(ny("2026-03-09", "11:50"), 30 * MIN)).toBe(ny("2026-03-09", "13:20"));
  });

  it("carries work left at the end of the day to the next morning", () => {
    expect(priya.addWorkingTime(ny("2026-03-09", "17:20"), 30 * MIN)).toBe(ny("2026-03-10", "09:20"));
  });

  it("starts counting only once available", () => {
    expect(priya.addWorkingTime(ny("2026-03-09", "07:00"), 5 * MIN)).toBe(ny("2026-03-09", "09:05"));
  });
});

describe("Calendar validation", () => {
  it("rejects intervals that end before they start, bad weekdays, bad dates, unknown zones", () => {
    expect(() => new Calendar({ timeZone: NY, lunch: { start: "13:00", end: "12:00" } })).toThrow(/lunch: end 12:00 must be after start 13:00/);
    expect(() => new Calendar({ timeZone: NY, workDays: [7] })).toThrow(CalendarError);
    expect(() => new Calendar({ timeZone: NY, meetings: [{ date: "2026-13-01", start: "10:00", end: "11:00" }] })).toThrow(/meetings\[0\]\.date/);
    expect(() => new Calendar({ timeZone: NY, absences: [{ from: "2026-03-12", to: "2026-03-10" }] })).toThrow(/before "from"/);
    expect(() => new Calendar({ timeZone: "Nowhere/Land" })).toThrow(/unknown time zone/);
  });
});
