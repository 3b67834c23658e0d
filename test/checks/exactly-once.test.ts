import { describe, expect, it } from "vitest";
import { exactlyOnceEffects } from "../../src/checks/exactly-once.js";

const charge = (key: string, t: number, eventId: number) => ({ effect: "charge", key, t, eventId });

describe("exactlyOnceEffects", () => {
  it("holds when each key commits once and every claim has its commit", () => {
    const v = exactlyOnceEffects([charge("order O-1", 1, 10), charge("order O-2", 2, 20)], [charge("order O-1", 5, 50)]);
    expect(v).toMatchObject({ invariant: "effects-exactly-once", held: true });
  });

  it("reports a key committed twice, at the second commit", () => {
    const v = exactlyOnceEffects([charge("order O-1", 1, 10), charge("order O-1", 7, 70)], []);
    expect(v.violations).toMatchObject([{ at: 7, evidence: [10, 70], message: "charge for order O-1 committed 2 times (at most 1 allowed)" }]);
  });

  it("reports a claimed effect that never committed, at the claim, with the claim as evidence", () => {
    const v = exactlyOnceEffects([charge("order O-1", 1, 10)], [charge("order O-2", 9, 90)], { invariant: "mine", claimant: "agent.run" });
    expect(v.violations).toMatchObject([
      { invariant: "mine", at: 9, evidence: [90], message: "charge for order O-2 never committed, though agent.run reported success" },
    ]);
  });

  it("tells effects of the same key apart", () => {
    const v = exactlyOnceEffects([charge("order O-1", 1, 10)], [{ effect: "email", key: "order O-1", t: 3, eventId: 30 }]);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]?.message).toContain("email for order O-1 never committed");
  });
});
