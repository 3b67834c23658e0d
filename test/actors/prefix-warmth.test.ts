import { describe, expect, it } from "vitest";
import { PrefixWarmth } from "../../src/actors/prefix-warmth.js";

describe("PrefixWarmth", () => {
  it("knows nothing until a response begins; then the entry is surely live until arrival + ttl", () => {
    const w = new PrefixWarmth("p", 300_000);
    expect(w.warmAt(0)).toBe(false);
    expect(w.expiresAt).toBe(-Infinity);
    w.observe({ arrivedAt: 1_000, firstTokenAt: 2_500, eventId: 7 });
    expect(w.expiresAt).toBe(301_000);
    expect(w.deltaMs).toBe(1_500);
    expect(w.eventId).toBe(7);
    expect(w.warmAt(300_999)).toBe(true);
    expect(w.warmAt(301_000)).toBe(false);
  });

  it("keeps the latest bound: an older request that begins late moves nothing, but still updates delta", () => {
    const w = new PrefixWarmth("p", 300_000);
    const changes: number[] = [];
    w.onChange(() => changes.push(w.expiresAt));
    w.observe({ arrivedAt: 5_000, firstTokenAt: 6_000, eventId: 1 });
    w.observe({ arrivedAt: 4_000, firstTokenAt: 9_000, eventId: 2 });
    expect(w.expiresAt).toBe(305_000);
    expect(w.eventId).toBe(1);
    expect(w.deltaMs).toBe(5_000);
    expect(changes).toEqual([305_000]);
  });
});
