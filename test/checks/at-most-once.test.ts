import { describe, expect, it } from "vitest";
import { atMostOnceEffects } from "../../src/checks/at-most-once.js";

describe("atMostOnceEffects", () => {
  it("holds when each key commits once", () => {
    const v = atMostOnceEffects([
      { t: 1, effect: "refund", key: "r1", eventId: 1 },
      { t: 2, effect: "refund", key: "r2", eventId: 2 },
    ]);
    expect(v.held).toBe(true);
  });

  it("reports the second commit of a key, with every commit as evidence", () => {
    const v = atMostOnceEffects([
      { t: 9, effect: "refund", key: "r1", eventId: 9 },
      { t: 3, effect: "refund", key: "r1", eventId: 3 },
      { t: 5, effect: "refund", key: "r1", eventId: 5 },
    ]);
    expect(v.held).toBe(false);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]?.at).toBe(5);
    expect(v.violations[0]?.evidence).toEqual([3, 5, 9]);
    expect(v.violations[0]?.message).toContain("3 times");
  });

  it("counts the same key under different effects separately and honours a limit", () => {
    const effects = [
      { t: 1, effect: "write", key: "p", eventId: 1 },
      { t: 2, effect: "write", key: "p", eventId: 2 },
      { t: 3, effect: "email", key: "p", eventId: 3 },
    ];
    expect(atMostOnceEffects(effects, { limit: 2 }).held).toBe(true);
    expect(atMostOnceEffects(effects, { limit: 1 }).violations).toHaveLength(1);
  });
});
