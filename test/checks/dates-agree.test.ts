import { describe, expect, it } from "vitest";
import { datesAgree, disagreementsByClock, type DatedRun } from "../../src/checks/dates-agree.js";

/** A run whose schedule says 2026-03-08, with the given witness dates (window, message, stamp). */
function run(n: number, window: string, message: string, stamp: string): DatedRun {
  const base = n * 10;
  return {
    subject: `run #${n}`,
    reference: { what: "the schedule says", clock: "the scheduler", date: "2026-03-08", eventId: base },
    witnesses: [
      { what: "the data window covers", clock: "the worker's clock", date: window, eventId: base + 1 },
      { what: "the message names", clock: "the model's belief of now", date: message, eventId: base + 2, detail: "it believes now is 2025-02-14" },
      { what: "the post's timestamp implies", clock: "the posting tool's clock", date: stamp, eventId: base + 3 },
    ],
    at: base * 1000,
    eventId: base + 3,
  };
}

describe("datesAgree", () => {
  it("holds when every layer names the schedule's day", () => {
    expect(datesAgree([run(1, "2026-03-08", "2026-03-08", "2026-03-08")]).held).toBe(true);
  });

  it("reports each disagreeing run once, naming every wrong layer and the clock it trusted", () => {
    const v = datesAgree([run(1, "2026-03-08", "2025-02-13", "2026-03-08"), run(2, "2026-03-07", "2025-02-13", "2026-03-08")]);
    expect(v.violations).toHaveLength(2);
    expect(v.violations[0]?.message).toBe(
      "run #1 should be about 2026-03-08 (the scheduler), but the message names 2025-02-13 (the model's belief of now: it believes now is 2025-02-14)",
    );
    expect(v.violations[1]?.message).toContain("the data window covers 2026-03-07 (the worker's clock)");
    expect(v.violations[1]?.evidence).toEqual([20, 21, 22, 23]);
    expect(v.violations[0]?.evidence).toEqual([10, 12, 13]);
    expect(v.violations[0]?.at).toBe(10_000);
  });

  it("counts wrong runs per clock, zero for clocks that were always right", () => {
    const counts = disagreementsByClock([run(1, "2026-03-08", "2025-02-13", "2026-03-08"), run(2, "2026-03-07", "2025-02-13", "2026-03-08")]);
    expect(Object.fromEntries(counts)).toEqual({ "the worker's clock": 1, "the model's belief of now": 2, "the posting tool's clock": 0 });
  });
});
