/**
 * Which seeds a sweep runs: a seed list written as ranges (`1..10000`, `1..100,500,900..999`) and,
 * for splitting one sweep across machines, a shard `i/n`.
 *
 * Sharding is round-robin over the list: shard `i/n` takes every seed whose position in the list
 * (counted from 0) modulo `n` equals `i - 1`. Every seed falls in exactly one shard, and each shard
 * gets an even mix of the range (no shard is stuck with all the slow, large seeds).
 */

/** The most seeds one sweep may list (a guard against `1..1e15`). */
export const MAX_SEEDS = 10_000_000;

/** A parsed seed list: the text as written and the seeds in order, without repeats. */
export interface SeedList {
  spec: string;
  seeds: number[];
}

/** A shard of a sweep: the `index`-th (from 1) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `a..b` ranges (inclusive) and single seeds, comma-separated. */
export function parseSeedList(spec: string): { ok: true; list: SeedList } | { ok: false; message: string } {
  const seeds: number[] = [];
  const seen = new Set<number>();
  const parts = spec.split(",").map((s) => s.trim());
  for (const part of parts) {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(part);
    if (!m) return { ok: false, message: `"${part}" is not a seed or a range; expected seeds such as 1..10000 or 1..100,500,900..999` };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return { ok: false, message: `"${part}" holds a seed above ${Number.MAX_SAFE_INTEGER}` };
    if (to < from) return { ok: false, message: `"${part}" is an empty range; write the lower seed first, such as ${to}..${from}` };
    if (seeds.length + (to - from + 1) > MAX_SEEDS)
      return { ok: false, message: `"${spec}" lists more than ${MAX_SEEDS.toLocaleString("en-US")} seeds; split the sweep with --shard` };
    for (let s = from; s <= to; s++) {
      if (seen.has(s)) continue;
      seen.add(s);
      seeds.push(s);
    }
  }
  return { ok: true, list: { spec: parts.join(","), seeds } };
}

/** Parses `i/n` with 1 <= i <= n. */
export function parseShard(text: string): { ok: true; shard: Shard } | { ok: false; message: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) return { ok: false, message: `"${text}" is not a shard; expected i/n with 1 <= i <= n, such as 2/4` };
  return { ok: true, shard: { index, count } };
}

/** The seeds of one shard: those at positions p with p mod count = index - 1. */
export function shardSeeds(seeds: readonly number[], shard: Shard | undefined): number[] {
  if (!shard) return [...seeds];
  return seeds.filter((_, p) => p % shard.count === shard.index - 1);
}

/** `2/4`. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
