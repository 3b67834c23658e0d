/**
 * Cache writes per expiry: when a cached prompt prefix lapses, one request re-writes it and the
 * rest read it. A prompt-cache stampede is the opposite: many requests arrive before the first
 * re-write becomes visible, each misses, and each pays for a write of the same prefix.
 *
 * The evidence is the provider's cache log (`PromptCache.log`: hits, misses and writes, each tagged
 * with the generation it belongs to) and its generations (`PromptCache.generations`: the n-th is
 * the life after the n-th lapse; generation 0 is the cold start). Writes are grouped by the
 * generation they re-created; a generation with more than `limit` writes is a violation.
 *
 * The writes of generation 0 created the prefix at the run's cold start, which no expiry caused:
 * they are not judged unless `coldStart` says the run's start stands for one (a run that begins
 * where production's entry had lapsed, as an imported incident whose first calls wrote the cache).
 */
import { formatTimestamp } from "../sim/duration.js";
import { atMostOnceEffects } from "./at-most-once.js";
import type { Verdict } from "./verdict.js";

/** One line of a prompt cache's log (the fields this checker reads of `CacheLogEntry`). */
export interface CacheLogLine {
  t: number;
  prefixKey: string;
  kind: "hit" | "miss" | "write";
  /** The prefix's tokens. */
  tokens: number;
  /** USD the line adds to the bill. */
  cost: number;
  /** The life of the prefix it belongs to. */
  generation: number;
  /** The trace event that recorded it. */
  eventId: number;
}

/** One life of a prefix (the fields this checker reads of `CacheGeneration`). */
export interface CacheLife {
  prefixKey: string;
  /** 0 for the cold start, n for the life after the n-th lapse. */
  index: number;
  /** When the previous entry expired (absent for the cold start). */
  lapsedAt?: number;
}

/** How `cacheWritesPerExpiry` judges and words its violations. */
export interface CacheWritesPerExpiryOptions {
  invariant?: string;
  /** Writes of one prefix allowed per expiry (default 1: one re-warm is all a fleet needs). */
  limit?: number;
  /** Judge only this prefix (default: every prefix in the log). */
  prefixKey?: string;
  /** Whether the writes of the cold start (generation 0) count as an expiry's (default false). */
  coldStart?: boolean;
  /** Who wrote, plural, for messages (default "requests"). */
  writers?: string;
  /** What `n` reads of the prefix would have cost (USD), to say what the writes cost instead. */
  asReadsUsd?: (n: number, prefixKey: string) => number;
}

/** Judges that no expiry of a cached prefix is followed by more than `limit` writes of it. */
export function cacheWritesPerExpiry(log: readonly CacheLogLine[], lives: readonly CacheLife[], options: CacheWritesPerExpiryOptions = {}): Verdict {
  const invariant = options.invariant ?? "cache-writes-per-expiry";
  const limit = options.limit ?? 1;
  const ofPrefix = <T extends { prefixKey: string }>(x: T): boolean => options.prefixKey === undefined || x.prefixKey === options.prefixKey;
  const lifeKey = (prefixKey: string, generation: number): string => `${prefixKey}\u0000${generation}`;
  const judgedLives = new Map(
    lives.filter((g) => ofPrefix(g) && (g.lapsedAt !== undefined || (options.coldStart ?? false))).map((g) => [lifeKey(g.prefixKey, g.index), g]),
  );
  const writes = log.filter((e) => e.kind === "write" && ofPrefix(e) && judgedLives.has(lifeKey(e.prefixKey, e.generation)));
  const effects = writes.map((e) => ({ t: e.t, effect: e.prefixKey, key: String(e.generation), eventId: e.eventId }));
  const judged = atMostOnceEffects(effects, { invariant, limit });
  const writers = options.writers ?? "requests";
  return {
    ...judged,
    violations: judged.violations.map((violation) => {
      const first = writes.find((w) => w.eventId === violation.evidence[0]) as CacheLogLine;
      const same = writes.filter((w) => w.prefixKey === first.prefixKey && w.generation === first.generation);
      const life = judgedLives.get(lifeKey(first.prefixKey, first.generation));
      const when = life?.lapsedAt !== undefined ? `after it expired at ${formatTimestamp(life.lapsedAt)}` : "from cold, at the start of the run";
      const written = sum(same.map((w) => w.cost));
      const asReads = options.asReadsUsd ? ` that as reads would have cost ${usd(options.asReadsUsd(same.length, first.prefixKey))}` : "";
      return {
        ...violation,
        message:
          `${same.length.toLocaleString("en-US")} ${writers} each wrote the ${first.tokens.toLocaleString("en-US")}-token prefix ${first.prefixKey} ${when}: ` +
          `${usd(written)} of cache writes${asReads} (at most ${limit} allowed)`,
        evidence: [same[0], same[limit]].map((w) => w?.eventId).filter((id): id is number => id !== undefined),
      };
    }),
  };
}

/** Dollars for messages: cents, or two significant digits under a cent. */
function usd(x: number): string {
  return x > 0 && x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(2)}`;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
