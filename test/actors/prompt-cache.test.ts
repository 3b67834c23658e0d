import { describe, it, expect } from "vitest";
import { PromptCache, type CacheLookup, type PendingCacheWrite } from "../../src/actors/prompt-cache.js";
import { Simulation } from "../../src/sim/simulation.js";

const S = 1_000;
const MIN = 60 * S;
const SONNET_IN = 3; // FACTS.md: $3 per million input tokens

/** Runs `fn` at virtual time `t`. */
function at(sim: Simulation, t: number, fn: () => void): void {
  sim.schedule(t, fn);
}

/** A lookup of `key` that, on a miss, commits its write right away (a response that begins at once). */
function request(cache: PromptCache, key: string, tokens = 2_000, parent?: number): CacheLookup {
  const r = cache.lookup({ prefixKey: key, tokens, inputUsdPerMTok: SONNET_IN, caller: "w", ...(parent !== undefined ? { parent } : {}) });
  if (r.kind === "miss") cache.commit(r.write);
  return r;
}

describe("PromptCache lifetime", () => {
  it("a hit at 4:59 keeps the entry alive; a request 5:01 after that last hit misses", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const kinds: string[] = [];
    at(sim, 0, () => kinds.push(request(cache, "p").kind));
    at(sim, 4 * MIN + 59 * S, () => kinds.push(request(cache, "p").kind));
    // Past the first 5 minutes: alive only because the 4:59 hit refreshed it.
    at(sim, 5 * MIN + 1 * S, () => kinds.push(request(cache, "p").kind));
    at(sim, 5 * MIN + 1 * S + 5 * MIN + 1 * S, () => kinds.push(request(cache, "p").kind));
    await sim.run();
    expect(kinds).toEqual(["miss", "hit", "hit", "miss"]);
  });

  it("without a hit, the entry is gone at 5:01 (and is live until just before 5:00)", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const kinds: string[] = [];
    at(sim, 0, () => request(cache, "a"));
    at(sim, 5 * MIN - 1, () => kinds.push(request(cache, "a").kind));
    at(sim, 0, () => request(cache, "b"));
    at(sim, 5 * MIN, () => kinds.push(request(cache, "b").kind));
    at(sim, 0, () => request(cache, "c"));
    at(sim, 5 * MIN + 1 * S, () => kinds.push(request(cache, "c").kind));
    await sim.run();
    expect(kinds).toEqual(["hit", "miss", "miss"]);
  });

  it("the 1 h lifetime keeps an entry 59 minutes and prices its write at 2x", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim, { lifetime: "1h" });
    const results: CacheLookup[] = [];
    at(sim, 0, () => results.push(request(cache, "p", 10_000)));
    at(sim, 59 * MIN, () => results.push(request(cache, "p", 10_000)));
    await sim.run();
    expect(results.map((r) => r.kind)).toEqual(["miss", "hit"]);
    const write = results[0] as Extract<CacheLookup, { kind: "miss" }>;
    expect(write.write.cost).toBeCloseTo((10_000 * SONNET_IN * 2) / 1e6, 12);
  });
});

describe("PromptCache visibility", () => {
  it("requests before the first write is committed all miss and each writes; after it, they hit", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const pending: PendingCacheWrite[] = [];
    const kinds: string[] = [];
    const ask = (): void => {
      const r = cache.lookup({ prefixKey: "sys", tokens: 14_000, inputUsdPerMTok: SONNET_IN });
      kinds.push(r.kind);
      if (r.kind === "miss") pending.push(r.write);
    };
    at(sim, 0, ask);
    at(sim, 100, ask);
    at(sim, 599, ask);
    at(sim, 600, () => cache.commit(pending[0] as PendingCacheWrite)); // first writer's first token
    at(sim, 601, ask);
    at(sim, 700, () => cache.commit(pending[1] as PendingCacheWrite));
    at(sim, 1_199, () => cache.commit(pending[2] as PendingCacheWrite));
    await sim.run();
    expect(kinds).toEqual(["miss", "miss", "miss", "hit"]);
    expect(cache.stats("sys")).toMatchObject({ hits: 1, misses: 3, writes: 3 });
    // Each write pays 1.25x base input for the whole prefix.
    expect(cache.stats("sys").writeCost).toBeCloseTo((3 * 14_000 * SONNET_IN * 1.25) / 1e6, 12);
    expect(cache.stats("sys").readCost).toBeCloseTo((14_000 * SONNET_IN * 0.1) / 1e6, 12);
  });

  it("a late write of the same generation extends the entry from its own commit", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const pending: PendingCacheWrite[] = [];
    const kinds: string[] = [];
    const ask = (): void => {
      const r = cache.lookup({ prefixKey: "p", tokens: 2_000, inputUsdPerMTok: SONNET_IN });
      kinds.push(r.kind);
      if (r.kind === "miss") pending.push(r.write);
    };
    at(sim, 0, ask);
    at(sim, 10, ask);
    at(sim, 100, () => cache.commit(pending[0] as PendingCacheWrite));
    at(sim, 2_000, () => cache.commit(pending[1] as PendingCacheWrite));
    at(sim, 2_000 + 5 * MIN - 1, ask); // alive only thanks to the second commit
    await sim.run();
    expect(kinds).toEqual(["miss", "miss", "hit"]);
  });

  it("refuses to commit a write twice", () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const r = cache.lookup({ prefixKey: "p", tokens: 2_000, inputUsdPerMTok: SONNET_IN });
    if (r.kind !== "miss") throw new Error("expected a miss");
    cache.commit(r.write);
    expect(() => cache.commit(r.write)).toThrow(/not pending/);
  });
});

describe("PromptCache minimum length", () => {
  it("a prefix below the minimum is silently never cached: no write, no error, counters read 0", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++) at(sim, i * S, () => kinds.push(request(cache, "short", 1_023).kind));
    at(sim, 0, () => kinds.push(request(cache, "long", 1_024).kind));
    at(sim, S, () => kinds.push(request(cache, "long", 1_024).kind));
    await sim.run();
    expect(kinds).toEqual(["uncacheable", "miss", "uncacheable", "hit", "uncacheable"]);
    expect(cache.stats("short")).toEqual({ hits: 0, misses: 0, writes: 0, readCost: 0, writeCost: 0 });
    expect(cache.log.filter((e) => e.prefixKey === "short")).toEqual([]);
    expect(sim.trace.events.filter((e) => e.attrs?.prefixKey === "short")).toEqual([]);
  });

  it("the minimum is configurable (models differ: 1024 to 4096)", () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim, { minCacheableTokens: 4_096 });
    expect(request(cache, "p", 2_048).kind).toBe("uncacheable");
  });
});

describe("PromptCache generations and evidence", () => {
  it("groups writes by the expiry they raced to repair", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const pending: PendingCacheWrite[] = [];
    const ask = (): void => {
      const r = cache.lookup({ prefixKey: "p", tokens: 2_000, inputUsdPerMTok: SONNET_IN });
      if (r.kind === "miss") pending.push(r.write);
    };
    const commitAll = (): void => {
      for (const w of pending.splice(0)) cache.commit(w);
    };
    // Cold start: one writer. Then a quiet spell past the lifetime, then three racing writers.
    at(sim, 0, ask);
    at(sim, 500, commitAll);
    at(sim, 10 * MIN, ask);
    at(sim, 10 * MIN + 50, ask);
    at(sim, 10 * MIN + 90, ask);
    at(sim, 10 * MIN + 600, commitAll);
    at(sim, 10 * MIN + 700, ask); // a hit
    await sim.run();
    const gens = cache.generations("p");
    expect(gens.map((g) => [g.index, g.misses, g.writes])).toEqual([
      [0, 1, 1],
      [1, 3, 3],
    ]);
    expect(gens[0]?.lapsedAt).toBeUndefined();
    expect(gens[1]?.lapsedAt).toBe(500 + 5 * MIN); // last visibility + lifetime
    expect(gens[1]?.firstMissAt).toBe(10 * MIN);
    expect(gens[1]?.visibleAt).toBe(10 * MIN + 600);
    const expire = sim.trace.events.filter((e) => e.kind === "cache.expire");
    expect(expire).toHaveLength(1);
    expect(expire[0]?.attrs?.expiredAt).toBe(500 + 5 * MIN);
  });

  it("logs hits, misses and writes in order with time, tokens and cost", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    at(sim, 0, () => request(cache, "p", 10_000));
    at(sim, S, () => request(cache, "p", 10_000));
    await sim.run();
    expect(cache.log.map((e) => [e.t, e.kind, e.tokens])).toEqual([
      [0, "miss", 10_000],
      [0, "write", 10_000],
      [S, "hit", 10_000],
    ]);
    expect(cache.log.map((e) => e.cost)).toEqual([0, (10_000 * SONNET_IN * 1.25) / 1e6, (10_000 * SONNET_IN * 0.1) / 1e6]);
  });

  it("traces each cache event in layer cache with the request event as parent", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    const req = sim.trace.instant({ actor: "w", layer: "model", kind: "llm.call" });
    at(sim, 0, () => request(cache, "p", 2_000, req));
    at(sim, S, () => request(cache, "p", 2_000, req));
    await sim.run();
    const cacheEvents = sim.trace.events.filter((e) => e.layer === "cache");
    expect(cacheEvents.map((e) => e.kind)).toEqual(["cache.miss", "cache.write", "cache.hit"]);
    expect(cacheEvents.every((e) => e.parent === req && e.actor === "prompt-cache")).toBe(true);
  });

  it("names each log entry's trace event, so a judgement over the log can cite evidence", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    at(sim, 0, () => request(cache, "p", 2_000));
    at(sim, S, () => request(cache, "p", 2_000));
    await sim.run();
    const events = cache.log.map((e) => sim.trace.get(e.eventId));
    expect(events.map((e) => e?.kind)).toEqual(["cache.miss", "cache.write", "cache.hit"]);
    expect(events.map((e) => e?.t)).toEqual(cache.log.map((e) => e.t));
  });

  it("keeps prefixes apart", async () => {
    const sim = new Simulation({ seed: 1 });
    const cache = new PromptCache(sim);
    at(sim, 0, () => request(cache, "a"));
    at(sim, S, () => request(cache, "b"));
    await sim.run();
    expect(cache.stats("a")).toMatchObject({ misses: 1, writes: 1, hits: 0 });
    expect(cache.stats("b")).toMatchObject({ misses: 1, writes: 1, hits: 0 });
    expect(cache.stats()).toMatchObject({ misses: 2, writes: 2 });
    expect(cache.prefixes).toEqual(["a", "b"]);
  });
});
