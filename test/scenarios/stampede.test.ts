import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { stampede } from "../../src/scenarios/stampede.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = stampede.defaults.seed;
const WORKERS = 1_000;
const TTL = 5 * 60_000;
const KICKOFF = 70 * 60_000;
/** FACTS.md: a 14K-token write at Sonnet prices ($3/MTok x 1.25) and a read (x 0.1). */
const WRITE_USD = (14_000 * 3 * 1.25) / 1e6;
const READ_USD = (14_000 * 3 * 0.1) / 1e6;

const memo = new Map<string, Promise<RunResult>>();
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> => {
  const key = JSON.stringify([mitigations, params, seed]);
  if (!memo.has(key)) memo.set(key, runScenario({ scenario: stampede, seed, mitigations, params }));
  return memo.get(key) as Promise<RunResult>;
};
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const kinds = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind);
/** Cache events of one generation of the prefix. */
const ofGeneration = (r: RunResult, kind: string, g: number): TraceEvent[] => kinds(r, kind).filter((e) => e.attrs?.generation === g);

describe("stampede at its default seed", () => {
  it("every worker of the batch writes the expired prefix: 1,000 writes for one expiry, each evidence a cache write", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "cache-writes-per-expiry");
    expect(v).toBeDefined();
    const writes = v!.evidence.map((id) => ev(r, id));
    for (const w of writes) expect(w).toMatchObject({ kind: "cache.write", layer: "cache", attrs: { generation: 1, prefixKey: "support-agent-system@v42" } });
    expect(ofGeneration(r, "cache.write", 1)).toHaveLength(WORKERS);
    expect(v!.message).toMatch(
      /^1,000 workers each wrote the 14,000-token prefix support-agent-system@v42 after it expired at \+01:0\d:\d\d\.\d{3}: \$52\.50 of cache writes that as reads would have cost \$4\.20 \(at most 1 allowed\)$/,
    );
    // It broke when the second write of the generation became visible: one write was allowed.
    expect(v!.evidence).toHaveLength(2);
    expect(v!.at).toBe(ofGeneration(r, "cache.write", 1)[1]?.t);
    expect(ev(r, v!.evidence.at(-1) as number).t).toBe(v!.at);
  });

  it("the entry lapsed in the quiet spell: one lifetime after the last session's read, before the batch", async () => {
    const r = await run();
    const expire = kinds(r, "cache.expire")[0] as TraceEvent;
    const lastRead = kinds(r, "cache.hit")
      .filter((e) => e.t < KICKOFF)
      .at(-1) as TraceEvent;
    expect(expire.attrs?.expiredAt).toBe(lastRead.t + TTL);
    expect(expire.attrs?.expiredAt as number).toBeLessThan(KICKOFF);
    expect(kinds(r, "cache.expire")).toHaveLength(1);
  });

  it("the writes raced: every miss of the expiry arrived before the first write became visible", async () => {
    const r = await run();
    const firstVisible = ofGeneration(r, "cache.write", 1)[0]!.t;
    const misses = ofGeneration(r, "cache.miss", 1);
    expect(misses).toHaveLength(WORKERS);
    for (const m of misses) expect(m.t).toBeLessThan(firstVisible);
    // All within the 200 ms window of the kick-off.
    expect(Math.max(...misses.map((m) => m.t)) - KICKOFF).toBeLessThanOrEqual(200);
  });

  it("the causal chain of a stampede write runs from the scheduler's kick-off through a model call to the cache", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "cache-writes-per-expiry")!;
    const chain = r.trace.causalChain(v.evidence.at(-1) as number);
    expect(chain.map((e) => [e.layer, e.kind])).toEqual([
      ["clock", "batch.kick-off"],
      ["model", "llm.call"],
      ["cache", "cache.write"],
    ]);
  });

  it("spend in the worst 3 minutes is many times the trailing hourly rate, and cache writes are most of it", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "spend-spike");
    expect(v).toBeDefined();
    expect(v!.at).toBeGreaterThan(KICKOFF);
    // The post's spike: about nine times the trailing hourly rate (the bound is 5x).
    expect(metric(r, "spike")).toBeGreaterThan(7);
    expect(metric(r, "spike")).toBeLessThan(11);
    const worst = metric(r, "worst 3-min spend");
    expect(worst).toBeGreaterThan(5 * metric(r, "trailing rate per 3 min"));
    // The writes alone are more than the bound allows; reads in their place would not be.
    expect(WORKERS * WRITE_USD).toBeGreaterThan(0.9 * worst);
    expect(worst - WORKERS * (WRITE_USD - READ_USD)).toBeLessThan(5 * metric(r, "trailing rate per 3 min"));
    const last = ev(r, v!.evidence.at(-1) as number);
    expect(last).toMatchObject({ kind: "llm.call", phase: "end", layer: "model" });
    expect(r.trace.causalChain(last.id)[0]?.kind).toBe("batch.kick-off");
  });

  it("its metrics agree with the cache's log: $52.50 of writes where reads would have cost $4.20", async () => {
    const r = await run();
    const writes = ofGeneration(r, "cache.write", 1).length;
    expect(metric(r, "writes in the worst expiry")).toBe(writes);
    expect(metric(r, "stampede write cost")).toBeCloseTo(writes * WRITE_USD, 9);
    expect(metric(r, "same requests as reads")).toBeCloseTo(writes * READ_USD, 9);
    expect(metric(r, "cache writes")).toBe(kinds(r, "cache.write").length);
    expect(metric(r, "cache hits")).toBe(kinds(r, "cache.hit").length);
    expect(metric(r, "cache misses")).toBe(kinds(r, "cache.miss").length);
    expect(metric(r, "expiries")).toBe(1);
    const series = r.series["spend per 10 s (USD)"] ?? [];
    const spent = series.reduce((s, [, usd]) => s + usd, 0);
    expect(spent).toBeCloseTo(metric(r, "total spend"), 6);
    // One point per life of the prefix: the cold start's single write, then the stampede.
    const perExpiry = r.series["cache writes per expiry"] ?? [];
    expect(perExpiry.map(([, n]) => n)).toEqual([ofGeneration(r, "cache.write", 0).length, writes]);
    expect(perExpiry[1]?.[0]).toBe(ofGeneration(r, "cache.miss", 1)[0]?.t);
  });
});

describe("stampede needs an expiry", () => {
  it("with the 1 h lifetime the quiet spell is too short to expire it: the batch reads, both invariants hold", async () => {
    const r = await run([], { cache: { ttl: "1h", writeMultiplier: 2 } });
    expect(kinds(r, "cache.expire")).toHaveLength(0);
    expect(r.verdict).toBe("held");
  });
});

describe("stampede with single-flight", () => {
  it("holds: one worker re-warms, the others wait for its first token and then read", async () => {
    const r = await run(["single-flight"]);
    expect(r.verdict).toBe("held");
    expect(ofGeneration(r, "cache.write", 1)).toHaveLength(1);
    const lead = kinds(r, "single-flight.lead").find((e) => e.t >= KICKOFF) as TraceEvent;
    const leaderCall = r.trace.events.find((e) => e.kind === "llm.call" && e.phase === "begin" && e.parent === lead.id) as TraceEvent;
    const leaderFirstToken = r.trace.events.find((e) => e.kind === "llm.first-token" && e.parent === leaderCall.id) as TraceEvent;
    const followers = r.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "begin" && e.parent === leaderFirstToken.id);
    expect(followers).toHaveLength(WORKERS - 1);
    for (const f of followers) expect(f.t).toBe(leaderFirstToken.t);
    // Waiters over the whole run: the batch's followers and any session turn that waited out the cold start.
    const firstTokens = new Set(r.trace.events.filter((e) => e.kind === "llm.first-token").map((e) => e.id));
    const waited = r.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "begin" && firstTokens.has(e.parent as number));
    expect(metric(r, "single-flight waiters")).toBe(waited.length);
    expect(metric(r, "single-flight max wait")).toBeLessThanOrEqual(leaderFirstToken.t - KICKOFF);
    expect(metric(r, "spike")).toBeLessThan(5);
  });
});

describe("stampede with jittered-refresh", () => {
  it("holds: the fleet refreshes the prefix before each recorded expiry, so it never lapses and the batch reads", async () => {
    const r = await run(["jittered-refresh"]);
    expect(r.verdict).toBe("held");
    expect(kinds(r, "cache.expire")).toHaveLength(0);
    const fires = kinds(r, "keep-warm.fire");
    expect(fires.length).toBeGreaterThan(0);
    for (const f of fires) expect(f.t).toBeLessThan(f.attrs?.expiresAt as number);
    // Refreshes start only once the sessions have gone quiet: busy traffic keeps the entry warm itself.
    expect(fires[0]!.t).toBeGreaterThan(55 * 60_000);
    expect(kinds(r, "cache.hit").filter((e) => e.t >= KICKOFF && e.t <= KICKOFF + 200)).toHaveLength(WORKERS);
    expect(metric(r, "keep-warm refreshes")).toBe(fires.length);
    expect(metric(r, "keep-warm spend")).toBeLessThan(0.01 * fires.length);
  });

  it("a cold start is not an expiry: with busy traffic from the first second, several workers write the new prefix and cache-writes-per-expiry still holds; single-flight coordinates even that", async () => {
    const busy = { sessions: { perHour: 20_000, for: "1m" }, fleet: { workers: 200 } };
    const jittered = await run(["jittered-refresh"], busy);
    expect(jittered.violations.filter((v) => v.invariant === "cache-writes-per-expiry")).toEqual([]);
    expect(ofGeneration(jittered, "cache.write", 0).length).toBeGreaterThan(1);
    expect(metric(jittered, "cold-start writes")).toBe(ofGeneration(jittered, "cache.write", 0).length);
    const both = await run(["jittered-refresh", "single-flight"], busy);
    expect(ofGeneration(both, "cache.write", 0)).toHaveLength(1);
    expect(both.violations.filter((v) => v.invariant === "cache-writes-per-expiry")).toEqual([]);
  });
});

describe("stampede with both mitigations", () => {
  it("holds with a single write of the prefix in the whole run", async () => {
    const r = await run(["single-flight", "jittered-refresh"]);
    expect(r.verdict).toBe("held");
    expect(kinds(r, "cache.write")).toHaveLength(1);
  });
});

/** Seeds a test sweeps; the finding was 13 of 50. */
const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);

describe("stampede: a worker is a unit of concurrency", () => {
  it("one worker never stampedes: over 50 seeds every invariant holds (before: 13 of 50 'stampeded' at the cold start)", async () => {
    const verdicts = await Promise.all(SEEDS.map((seed) => run([], { fleet: { workers: 1 } }, seed)));
    expect(verdicts.filter((r) => r.verdict !== "held").map((r) => [r.seed, r.violations[0]?.message])).toEqual([]);
  });

  it("a worker sends one request at a time: no two of its model calls overlap", async () => {
    const r = await run([], { fleet: { workers: 3 }, sessions: { perHour: 20_000, for: "5m" } });
    const open = new Map<number, TraceEvent>();
    const spans = new Map<string, [number, number][]>();
    for (const e of r.trace.events) {
      if (e.kind !== "llm.call") continue;
      if (e.phase === "begin") open.set(e.id, e);
      else if (e.phase === "end") {
        const b = open.get(e.span as number) as TraceEvent;
        const caller = String(b.attrs?.caller);
        spans.set(caller, [...(spans.get(caller) ?? []), [b.t, e.t]]);
      }
    }
    expect([...spans.keys()].sort()).toEqual(["worker-0", "worker-1", "worker-2"]);
    for (const list of spans.values()) {
      expect(list.length).toBeGreaterThan(10);
      for (let i = 1; i < list.length; i++) expect(list[i]![0]).toBeGreaterThanOrEqual(list[i - 1]![1]);
    }
  });
});

describe("stampede: each mitigation alone holds, as scenarios/stampede.yaml says", () => {
  it.each(["single-flight", "jittered-refresh"])("%s alone holds on 50 seeds (before: jittered-refresh alone failed 13 of 50)", async (m) => {
    const verdicts = await Promise.all(SEEDS.map((seed) => run([m], {}, seed)));
    expect(verdicts.filter((r) => r.verdict !== "held").map((r) => [r.seed, r.violations[0]?.message])).toEqual([]);
  });
});

describe("stampede: a quiet spell cannot zero the spend baseline", () => {
  it("with both mitigations and the batch 80 minutes after traffic stops, the prefix is written once and the batch is no spike (before: ~1,900x)", async () => {
    const late = { batch: { at: "2h20m" } };
    const r = await runScenario({ scenario: stampede, seed: SEED, mitigations: ["single-flight", "jittered-refresh"], params: late, horizon: "2h30m" });
    expect(kinds(r, "cache.write")).toHaveLength(1);
    expect(r.violations.map((v) => v.message)).toEqual([]);
    expect(metric(r, "spike")).toBeLessThan(2);
    // Without mitigations, the same late batch still stampedes and spikes at about the post's 9x.
    const bare = await runScenario({ scenario: stampede, seed: SEED, params: late, horizon: "2h30m" });
    expect(bare.violations.map((v) => v.invariant).sort()).toEqual(["cache-writes-per-expiry", "spend-spike"]);
    expect(metric(bare, "spike")).toBeGreaterThan(7);
  });
});
