import { describe, expect, it } from "vitest";
import { cacheWritesPerExpiry, type CacheLife, type CacheLogLine } from "../../src/checks/cache-writes-per-expiry.js";

const write = (t: number, generation: number, eventId: number, prefixKey = "sys@v1"): CacheLogLine => ({
  t,
  prefixKey,
  kind: "write",
  tokens: 4_000,
  cost: 0.02,
  generation,
  eventId,
});

describe("cacheWritesPerExpiry", () => {
  const lives: CacheLife[] = [
    { prefixKey: "sys@v1", index: 0 },
    { prefixKey: "sys@v1", index: 1, lapsedAt: 600_000 },
  ];

  it("judges the writes of each expiry, not the cold start's, naming the first write and the first one over the limit", () => {
    const log = [write(1_000, 0, 1), write(1_200, 0, 2), write(1_300, 0, 3), write(700_000, 1, 10), write(700_100, 1, 11), write(700_200, 1, 12)];
    const v = cacheWritesPerExpiry(log, lives, { writers: "model calls" });
    expect(v.held).toBe(false);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]).toEqual({
      invariant: "cache-writes-per-expiry",
      at: 700_100,
      message: "3 model calls each wrote the 4,000-token prefix sys@v1 after it expired at +00:10:00.000: $0.06 of cache writes (at most 1 allowed)",
      evidence: [10, 11],
    });
  });

  it("judges the cold start too when told the run's start stands for an expiry", () => {
    const log = [write(1_000, 0, 1), write(1_200, 0, 2), write(1_300, 0, 3)];
    expect(cacheWritesPerExpiry(log, lives).held).toBe(true);
    const v = cacheWritesPerExpiry(log, lives, { coldStart: true, limit: 2, asReadsUsd: (n) => n * 0.0012 });
    expect(v.violations.map((x) => [x.at, x.evidence, x.message])).toEqual([
      [
        1_300,
        [1, 3],
        "3 requests each wrote the 4,000-token prefix sys@v1 from cold, at the start of the run: $0.06 of cache writes that as reads would have cost $0.0036 (at most 2 allowed)",
      ],
    ]);
  });

  it("holds at one write per expiry, and counts only the prefix it is told to", () => {
    const other = [write(700_000, 1, 20, "other"), write(700_001, 1, 21, "other")];
    const log = [write(700_000, 1, 10), ...other];
    const both: CacheLife[] = [...lives, { prefixKey: "other", index: 1, lapsedAt: 650_000 }];
    expect(cacheWritesPerExpiry(log, both, { prefixKey: "sys@v1" }).held).toBe(true);
    expect(cacheWritesPerExpiry(log, both).violations.map((v) => v.evidence)).toEqual([[20, 21]]);
  });
});
