/** Seed lists and shards: parsing, and shards that partition a list (every seed in exactly one shard). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SEEDS, parseSeedList, parseShard, shardSeeds } from "../../src/run/sweep-seeds.js";

const seedsOf = (spec: string): number[] => {
  const r = parseSeedList(spec);
  if (!r.ok) throw new Error(r.message);
  return r.list.seeds;
};

describe("parseSeedList", () => {
  it("reads inclusive ranges and single seeds, in order, without repeats", () => {
    expect(seedsOf("1..5")).toEqual([1, 2, 3, 4, 5]);
    expect(seedsOf("7")).toEqual([7]);
    expect(seedsOf("10..12, 3,11..14")).toEqual([10, 11, 12, 3, 13, 14]);
    expect(parseSeedList(" 1..3 ,9").ok && parseSeedList(" 1..3 ,9")).toMatchObject({ list: { spec: "1..3,9" } });
  });

  it("says what is wrong with a bad list", () => {
    expect(parseSeedList("5..1")).toEqual({ ok: false, message: `"5..1" is an empty range; write the lower seed first, such as 1..5` });
    expect(parseSeedList("1-100")).toMatchObject({ ok: false, message: expect.stringContaining("expected seeds such as 1..10000") });
    expect(parseSeedList("")).toMatchObject({ ok: false });
    expect(parseSeedList(`1..${MAX_SEEDS + 1}`)).toMatchObject({ ok: false, message: expect.stringContaining("--shard") });
  });
});

describe("shards", () => {
  it("parses i/n with 1 <= i <= n only", () => {
    expect(parseShard("2/4")).toEqual({ ok: true, shard: { index: 2, count: 4 } });
    for (const bad of ["0/4", "5/4", "1/0", "a/b", "3"]) expect(parseShard(bad).ok, bad).toBe(false);
  });

  it("deals seeds round-robin by position", () => {
    expect(shardSeeds([10, 11, 12, 13, 14, 15, 16], { index: 1, count: 3 })).toEqual([10, 13, 16]);
    expect(shardSeeds([10, 11, 12, 13, 14, 15, 16], { index: 3, count: 3 })).toEqual([12, 15]);
  });

  it("for any list and n, the n shards are disjoint, their union is the list, and sizes differ by at most one", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1e6 }), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (list, n) => {
        const shards = Array.from({ length: n }, (_, i) => shardSeeds(list, { index: i + 1, count: n }));
        const union = shards.flat();
        expect(union.length).toBe(list.length);
        expect([...union].sort((a, b) => a - b)).toEqual([...list].sort((a, b) => a - b));
        const sizes = shards.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
