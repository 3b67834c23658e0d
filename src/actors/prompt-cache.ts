/**
 * The provider's prompt cache (Anthropic's semantics, FACTS.md "Provider prompt cache"): entries
 * keyed by the identity of a prompt prefix, priced as multiples of the base input price.
 *
 * Contract:
 * - An entry lives `ttlMs` (5 min, or 1 h with `lifetime: "1h"`) after it became visible or after
 *   its last hit, whichever is later: every hit refreshes it. It is live while `now < expiresAt`.
 * - A lookup happens when a request arrives. A hit reads the prefix at `readMultiplier` (0.1x).
 *   A miss returns a pending write priced at `writeMultiplier` (1.25x, 2x for 1 h); the entry
 *   becomes visible only when the provider commits that write, at the writing response's first
 *   token. Requests that arrive before then miss and each write again: the stampede emerges from
 *   this, nothing scripts it.
 * - A prefix shorter than `minCacheableTokens` is silently never cached: no write, no error, no
 *   counter moves, nothing is traced.
 * - Generations: the n-th generation of a prefix is the life it is given after its n-th lapse
 *   (generation 0: the cold start). A miss belongs to the generation current at its arrival, so
 *   the writes of a generation are all the writes that raced to re-create one expired entry:
 *   the evidence `cache-writes-per-expiry` counts.
 *
 * Trace (layer `cache`, parent = the request event): `cache.hit` and `cache.miss` at arrival,
 * `cache.expire` when a request finds the entry lapsed (attr `expiredAt` says when it did),
 * `cache.write` when a write becomes visible.
 */
import type { Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import { PROMPT_CACHE_DEFAULTS } from "./defaults.js";

/** The two lifetimes the provider offers; each sets a lifetime and a write price. */
export type CacheLifetime = "5m" | "1h";

/** How a provider's prompt cache behaves: lifetime, prices, minimum prefix. */
export interface PromptCacheOptions {
  /** The actor name in the trace (default `prompt-cache`). */
  name?: string;
  /** `5m` (default) or `1h`: picks the default `ttlMs` and `writeMultiplier`. */
  lifetime?: CacheLifetime;
  /** Overrides the lifetime's duration (ms). */
  ttlMs?: number;
  /** Overrides the lifetime's write price, as a multiple of base input. */
  writeMultiplier?: number;
  /** Read price as a multiple of base input (default 0.1). */
  readMultiplier?: number;
  /** Shorter prefixes are never cached (default 1024 tokens). */
  minCacheableTokens?: number;
}

/** A request's question to the cache, asked when the request arrives. */
export interface CacheLookupRequest {
  prefixKey: string;
  /** The prefix's length in tokens. */
  tokens: number;
  /** The model's base input price, USD per million tokens. */
  inputUsdPerMTok: number;
  /** Who asked, for the log and the trace. */
  caller?: string;
  /** The request's trace event. */
  parent?: number;
}

/** A write the cache has priced but not yet made visible; commit it at the first token. */
export interface PendingCacheWrite {
  readonly prefixKey: string;
  readonly tokens: number;
  /** USD the write costs. */
  readonly cost: number;
  /** The generation it tries to create. */
  readonly generation: number;
  readonly requestedAt: number;
  readonly caller: string | undefined;
  readonly parent: number | undefined;
}

/** The answer to a lookup. */
export type CacheLookup =
  | { kind: "hit"; tokens: number; cost: number }
  | { kind: "miss"; tokens: number; write: PendingCacheWrite }
  /** Below the minimum length: the prefix is plain input, the cache never saw it. */
  | { kind: "uncacheable" };

/** One line of the cache's ordered log. `cost` is USD the event adds to the bill (0 for a miss). */
export interface CacheLogEntry {
  t: number;
  prefixKey: string;
  kind: "hit" | "miss" | "write";
  tokens: number;
  cost: number;
  caller?: string;
  generation: number;
  /** The trace event that recorded it (`cache.hit`, `cache.miss` or `cache.write`). */
  eventId: number;
}

/** One life of a prefix's entry and the writes that raced to create it. */
export interface CacheGeneration {
  prefixKey: string;
  /** 0 for the cold start, n for the life after the n-th lapse. */
  index: number;
  /** When the previous entry expired (absent for the cold start). */
  lapsedAt?: number;
  /** The first miss of this generation. */
  firstMissAt: number;
  misses: number;
  /** Writes made visible for this generation (every miss writes, so misses once all committed). */
  writes: number;
  /** USD of those writes. */
  writeCost: number;
  /** When the first of them became visible. */
  visibleAt?: number;
}

/** Counters for one prefix or all of them. */
export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  readCost: number;
  writeCost: number;
}

interface PrefixState {
  entry: { expiresAt: number } | undefined;
  lapses: number;
  lastLapseAt: number | undefined;
  generations: CacheGeneration[];
  stats: CacheStats;
}

/** The provider's prefix cache. */
export class PromptCache {
  readonly name: string;
  readonly ttlMs: number;
  readonly writeMultiplier: number;
  readonly readMultiplier: number;
  readonly minCacheableTokens: number;
  readonly #sim: Simulation;
  readonly #prefixes = new Map<string, PrefixState>();
  readonly #log: CacheLogEntry[] = [];
  readonly #pending = new Set<PendingCacheWrite>();

  constructor(sim: Simulation, options: PromptCacheOptions = {}) {
    const long = options.lifetime === "1h";
    this.#sim = sim;
    this.name = options.name ?? "prompt-cache";
    this.ttlMs = options.ttlMs ?? (long ? PROMPT_CACHE_DEFAULTS.longTtlMs : PROMPT_CACHE_DEFAULTS.ttlMs);
    this.writeMultiplier = options.writeMultiplier ?? (long ? PROMPT_CACHE_DEFAULTS.longWriteMultiplier : PROMPT_CACHE_DEFAULTS.writeMultiplier);
    this.readMultiplier = options.readMultiplier ?? PROMPT_CACHE_DEFAULTS.readMultiplier;
    this.minCacheableTokens = options.minCacheableTokens ?? PROMPT_CACHE_DEFAULTS.minCacheableTokens;
  }

  /** The ordered log of hits, misses and writes. */
  get log(): readonly CacheLogEntry[] {
    return this.#log;
  }

  /** Prefix keys the cache has seen, in first-seen order. */
  get prefixes(): string[] {
    return [...this.#prefixes.keys()];
  }

  /** Looks the prefix up for a request arriving now; see the file's contract. */
  lookup(req: CacheLookupRequest): CacheLookup {
    if (req.tokens < this.minCacheableTokens) return { kind: "uncacheable" };
    const now = this.#sim.now;
    const state = this.#state(req.prefixKey);
    const entry = this.#liveEntry(state, req.prefixKey, req.parent);
    const base = (req.tokens * req.inputUsdPerMTok) / 1e6;
    if (entry) {
      entry.expiresAt = now + this.ttlMs;
      const cost = base * this.readMultiplier;
      state.stats.hits++;
      state.stats.readCost += cost;
      this.#record(req, "hit", cost, state.lapses, { expiresAt: entry.expiresAt });
      return { kind: "hit", tokens: req.tokens, cost };
    }
    const generation = this.#generation(state, req.prefixKey, now);
    generation.misses++;
    state.stats.misses++;
    this.#record(req, "miss", 0, generation.index, {});
    const write: PendingCacheWrite = {
      prefixKey: req.prefixKey,
      tokens: req.tokens,
      cost: base * this.writeMultiplier,
      generation: generation.index,
      requestedAt: now,
      caller: req.caller,
      parent: req.parent,
    };
    this.#pending.add(write);
    return { kind: "miss", tokens: req.tokens, write };
  }

  /**
   * Makes a pending write visible now (the writing response's first token): the entry lives
   * `ttlMs` from now, or longer if a hit or an earlier write already gave it longer.
   */
  commit(write: PendingCacheWrite): void {
    if (!this.#pending.delete(write)) throw new Error(`PromptCache.commit: this write of "${write.prefixKey}" is not pending (committed twice?)`);
    const now = this.#sim.now;
    const state = this.#state(write.prefixKey);
    const live = this.#liveEntry(state, write.prefixKey, write.parent);
    const expiresAt = Math.max(live?.expiresAt ?? 0, now + this.ttlMs);
    state.entry = { expiresAt };
    const generation = state.generations.findLast((g) => g.index === write.generation) as CacheGeneration;
    generation.writes++;
    generation.writeCost += write.cost;
    generation.visibleAt ??= now;
    state.stats.writes++;
    state.stats.writeCost += write.cost;
    this.#record(write, "write", write.cost, write.generation, { visibleUntil: expiresAt });
  }

  /** Counters for one prefix, or summed over all prefixes. Zeros for a prefix never cached. */
  stats(prefixKey?: string): CacheStats {
    const states = prefixKey === undefined ? [...this.#prefixes.values()] : [this.#prefixes.get(prefixKey)].filter((s) => s !== undefined);
    const sum: CacheStats = { hits: 0, misses: 0, writes: 0, readCost: 0, writeCost: 0 };
    for (const s of states) {
      sum.hits += s.stats.hits;
      sum.misses += s.stats.misses;
      sum.writes += s.stats.writes;
      sum.readCost += s.stats.readCost;
      sum.writeCost += s.stats.writeCost;
    }
    return sum;
  }

  /**
   * The generations of one prefix (or of every prefix, prefix by prefix), oldest first. A
   * generation appears with its first miss, so `writes` per generation is the evidence for
   * `cache-writes-per-expiry`.
   */
  generations(prefixKey?: string): readonly CacheGeneration[] {
    if (prefixKey !== undefined) return this.#prefixes.get(prefixKey)?.generations ?? [];
    return [...this.#prefixes.values()].flatMap((s) => s.generations);
  }

  #state(prefixKey: string): PrefixState {
    let s = this.#prefixes.get(prefixKey);
    if (!s) {
      s = { entry: undefined, lapses: 0, lastLapseAt: undefined, generations: [], stats: { hits: 0, misses: 0, writes: 0, readCost: 0, writeCost: 0 } };
      this.#prefixes.set(prefixKey, s);
    }
    return s;
  }

  /** The entry if it is live now; a lapsed one is dropped, counted and traced. */
  #liveEntry(state: PrefixState, prefixKey: string, parent: number | undefined): { expiresAt: number } | undefined {
    const e = state.entry;
    if (!e || this.#sim.now < e.expiresAt) return e;
    state.entry = undefined;
    state.lapses++;
    state.lastLapseAt = e.expiresAt;
    this.#sim.trace.instant({ actor: this.name, layer: "cache", kind: "cache.expire", parent, attrs: { prefixKey, expiredAt: e.expiresAt } });
    return undefined;
  }

  /** The generation current now, opened by this miss if it is the first since the last lapse. */
  #generation(state: PrefixState, prefixKey: string, now: number): CacheGeneration {
    const last = state.generations.at(-1);
    if (last?.index === state.lapses) return last;
    const g: CacheGeneration = {
      prefixKey,
      index: state.lapses,
      ...(state.lastLapseAt !== undefined ? { lapsedAt: state.lastLapseAt } : {}),
      firstMissAt: now,
      misses: 0,
      writes: 0,
      writeCost: 0,
    };
    state.generations.push(g);
    return g;
  }

  #record(
    who: { prefixKey: string; tokens: number; caller?: string | undefined; parent?: number | undefined },
    kind: CacheLogEntry["kind"],
    cost: number,
    generation: number,
    extra: Attrs,
  ): void {
    const t = this.#sim.now;
    const attrs: Attrs = { prefixKey: who.prefixKey, tokens: who.tokens, cost, generation, ...extra };
    if (who.caller !== undefined) attrs.caller = who.caller;
    const eventId = this.#sim.trace.instant({ actor: this.name, layer: "cache", kind: `cache.${kind}`, parent: who.parent, attrs });
    this.#log.push({
      t,
      prefixKey: who.prefixKey,
      kind,
      tokens: who.tokens,
      cost,
      generation,
      ...(who.caller !== undefined ? { caller: who.caller } : {}),
      eventId,
    });
  }
}
