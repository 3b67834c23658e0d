import { describe, it, expect } from "vitest";
import type { LlmRequest, LlmResponse } from "../../src/actors/contracts.js";
import { LlmProvider, type LlmProviderOptions } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";

const S = 1_000;
const IN = 3 / 1e6; // FACTS.md: Sonnet-class $3 per million input tokens
const OUT = 15 / 1e6; // Sonnet-class output, $15 per million tokens

/** Sends `request` from its own process `delay` ms into the run; collects the answers in send order. */
function sendAt(sim: Simulation, llm: LlmProvider, delay: number, request: LlmRequest, answers: LlmResponse[]): void {
  sim.spawn(`${request.caller}@${delay}`, async (ctx) => {
    await ctx.sleep(delay);
    answers.push(await llm.complete(ctx, request));
  });
}

/** A provider with fixed latency (600 ms to first token, 100 tokens/s) unless overridden. */
function fixedProvider(sim: Simulation, options: LlmProviderOptions = {}): LlmProvider {
  return new LlmProvider(sim, { ttft: "600ms", tokensPerSecond: 100, ...options });
}

function okUsage(r: LlmResponse | undefined): Extract<LlmResponse, { ok: true }> {
  if (!r?.ok) throw new Error(`expected a success, got ${JSON.stringify(r)}`);
  return r;
}

describe("LlmProvider latency", () => {
  it("is time to first token plus output tokens at the output speed", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = new LlmProvider(sim, { ttft: "500ms", tokensPerSecond: 100 });
    const answers: LlmResponse[] = [];
    sendAt(sim, llm, 0, { caller: "a", inputTokens: 1_000, outputTokens: 200 }, answers);
    await sim.run();
    const r = okUsage(answers[0]);
    expect(r.latencyMs).toBe(500 + (200 / 100) * S);
    const first = sim.trace.events.find((e) => e.kind === "llm.first-token");
    const end = sim.trace.get(r.eventId);
    expect(first?.t).toBe(500);
    expect(end?.t).toBe(2_500);
    expect(end?.phase).toBe("end");
    expect(end?.attrs).toMatchObject({ ttftMs: 500, tokensPerSecond: 100, latencyMs: 2_500 });
  });

  it("draws its defaults from the FACTS.md ranges: median TTFT 600 ms, median 80 tokens/s", async () => {
    const sim = new Simulation({ seed: 7 });
    const llm = new LlmProvider(sim);
    const answers: LlmResponse[] = [];
    for (let i = 0; i < 2_000; i++) sendAt(sim, llm, 0, { caller: `w${i}`, inputTokens: 100, outputTokens: 400 }, answers);
    await sim.run();
    const ends = answers.map((a) => sim.trace.get(okUsage(a).eventId)?.attrs as { ttftMs: number; tokensPerSecond: number; latencyMs: number });
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    expect(median(ends.map((e) => e.ttftMs))).toBeGreaterThan(600 * 0.93);
    expect(median(ends.map((e) => e.ttftMs))).toBeLessThan(600 * 1.07);
    expect(median(ends.map((e) => e.tokensPerSecond))).toBeGreaterThan(80 * 0.95);
    expect(median(ends.map((e) => e.tokensPerSecond))).toBeLessThan(80 * 1.05);
    for (const e of ends) expect(e.latencyMs).toBeCloseTo(e.ttftMs + (400 / e.tokensPerSecond) * S, 6);
  });

  it("draws output tokens from its distribution when the request does not say", async () => {
    const sim = new Simulation({ seed: 3 });
    const llm = fixedProvider(sim, { outputTokens: { uniform: { min: 100, max: 200 } } });
    const answers: LlmResponse[] = [];
    for (let i = 0; i < 50; i++) sendAt(sim, llm, 0, { caller: `w${i}`, inputTokens: 10 }, answers);
    await sim.run();
    const outs = answers.map((a) => okUsage(a).usage.outputTokens);
    expect(Math.min(...outs)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...outs)).toBeLessThanOrEqual(200);
    expect(new Set(outs).size).toBeGreaterThan(10);
  });
});

describe("LlmProvider token accounting and cost", () => {
  it("prices input and output at Sonnet-class rates and bills each component", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    sendAt(sim, llm, 0, { caller: "a", inputTokens: 1_000, outputTokens: 500 }, answers);
    await sim.run();
    const { usage } = okUsage(answers[0]);
    expect(usage).toMatchObject({ inputTokens: 1_000, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, outputTokens: 500 });
    expect(usage.costUsd).toBeCloseTo(1_000 * IN + 500 * OUT, 12);
    expect(llm.billing.charges.map((c) => [c.kind, c.caller])).toEqual([
      ["input", "a"],
      ["output", "a"],
    ]);
    expect(llm.billing.total()).toBeCloseTo(usage.costUsd, 12);
    expect(llm.billing.charges.every((c) => c.t === 600 + 5 * S)).toBe(true);
  });

  it("a stampede emerges: 1,000 workers of a 14K prefix before the first token all write ($52.50); after it, all read ($4.20)", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    const req = (i: number): LlmRequest => ({ caller: `w${i}`, prefixKey: "system-v1", prefixTokens: 14_000, inputTokens: 0, outputTokens: 1 });
    // Wave 1 spreads over 200 ms, all before the first writer's first token at 600 ms.
    for (let i = 0; i < 1_000; i++) sendAt(sim, llm, (i * 200) / 1_000, req(i), answers);
    for (let i = 0; i < 1_000; i++) sendAt(sim, llm, 5 * S, req(1_000 + i), answers);
    await sim.run();
    const stats = llm.cache.stats("system-v1");
    expect(stats).toMatchObject({ misses: 1_000, writes: 1_000, hits: 1_000 });
    // FACTS.md consequence: a write is 1.25 x $3/M, a read 0.1 x $3/M, of 14,000 tokens, 1,000 times.
    const writes = 1_000 * 14_000 * IN * 1.25;
    const reads = 1_000 * 14_000 * IN * 0.1;
    expect(writes).toBeCloseTo(52.5, 9);
    expect(reads).toBeCloseTo(4.2, 9);
    expect(stats.writeCost).toBeCloseTo(writes, 9);
    expect(stats.readCost).toBeCloseTo(reads, 9);
    expect(llm.billing.total((c) => c.kind === "cache-write")).toBeCloseTo(writes, 9);
    expect(llm.billing.total((c) => c.kind === "cache-read")).toBeCloseTo(reads, 9);
    expect(llm.cache.generations("system-v1").map((g) => g.writes)).toEqual([1_000]);
    const usages = answers.map((a) => okUsage(a).usage);
    expect(usages.filter((u) => u.cacheCreationInputTokens === 14_000)).toHaveLength(1_000);
    expect(usages.filter((u) => u.cacheReadInputTokens === 14_000)).toHaveLength(1_000);
  });

  it("with random latencies, exactly the requests that arrive before the first write's first token miss", async () => {
    const sim = new Simulation({ seed: 11 });
    const llm = new LlmProvider(sim); // default lognormal TTFT
    const answers: LlmResponse[] = [];
    const arrivals = Array.from({ length: 200 }, (_, i) => i * 15);
    for (const t of arrivals) sendAt(sim, llm, t, { caller: `w${t}`, prefixKey: "p", prefixTokens: 5_000, inputTokens: 10, outputTokens: 10 }, answers);
    await sim.run();
    const visibleAt = llm.cache.generations("p")[0]?.visibleAt as number;
    expect(visibleAt).toBeGreaterThan(0);
    const before = arrivals.filter((t) => t < visibleAt).length;
    expect(before).toBeGreaterThan(1); // the race exists at these latencies
    expect(llm.cache.stats("p")).toMatchObject({ misses: before, writes: before, hits: arrivals.length - before });
  });

  it("a prefix below the minimum is billed as plain input, with no cache counters and no error", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    sendAt(sim, llm, 0, { caller: "a", prefixKey: "tiny", prefixTokens: 1_000, inputTokens: 200, outputTokens: 10 }, answers);
    sendAt(sim, llm, 5 * S, { caller: "a", prefixKey: "tiny", prefixTokens: 1_000, inputTokens: 200, outputTokens: 10 }, answers);
    await sim.run();
    for (const a of answers) {
      const { usage } = okUsage(a);
      expect(usage.inputTokens).toBe(1_200);
      expect(usage.cacheCreationInputTokens + usage.cacheReadInputTokens).toBe(0);
      expect(usage.costUsd).toBeCloseTo(1_200 * IN + 10 * OUT, 12);
    }
    expect(llm.cache.stats()).toEqual({ hits: 0, misses: 0, writes: 0, readCost: 0, writeCost: 0 });
  });

  it("a prefix not marked for caching neither reads nor writes the cache", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    sendAt(sim, llm, 0, { caller: "a", prefixKey: "p", prefixTokens: 5_000, inputTokens: 0, outputTokens: 1 }, answers);
    sendAt(sim, llm, 2 * S, { caller: "b", prefixKey: "p", prefixTokens: 5_000, inputTokens: 0, outputTokens: 1, cachePrefix: false }, answers);
    await sim.run();
    expect(okUsage(answers[1]).usage).toMatchObject({ inputTokens: 5_000, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 });
    expect(llm.cache.stats("p")).toMatchObject({ misses: 1, writes: 1, hits: 0 });
  });
});

describe("LlmProvider rate limits and errors", () => {
  it("answers 429 with retry-after when requests per minute are exceeded, and serves after the wait", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim, { rpm: 2 });
    const answers: LlmResponse[] = [];
    for (let i = 0; i < 3; i++) sendAt(sim, llm, 0, { caller: `w${i}`, inputTokens: 10, outputTokens: 1 }, answers);
    sendAt(sim, llm, 30 * S, { caller: "later", inputTokens: 10, outputTokens: 1 }, answers);
    await sim.run();
    const limited = answers.filter((a) => !a.ok);
    expect(limited).toHaveLength(1);
    // 2 per minute refills one request every 60 s / 2 = 30 s.
    expect(limited[0]).toMatchObject({ ok: false, status: 429, retryAfterMs: 30 * S });
    expect(answers.filter((a) => a.ok)).toHaveLength(3);
    const err = sim.trace.get(limited[0]?.eventId as number);
    expect(err?.kind).toBe("llm.error");
    expect(err?.attrs).toMatchObject({ status: 429, retryAfterMs: 30 * S });
    expect(llm.billing.charges.filter((c) => c.caller.startsWith("w")).length).toBe(4); // two served calls x (input, output)
    expect(llm.totals).toMatchObject({ calls: 4, succeeded: 3, rateLimited: 1 });
  });

  it("rounds retry-after up to whole seconds, as the header carries it", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim, { rpm: 7 });
    const answers: LlmResponse[] = [];
    for (let i = 0; i < 8; i++) sendAt(sim, llm, 0, { caller: `w${i}`, inputTokens: 10, outputTokens: 1 }, answers);
    await sim.run();
    // One request comes back every 60/7 = 8.57 s: the header says 9 s.
    expect(answers.find((a) => !a.ok)).toMatchObject({ status: 429, retryAfterMs: 9 * S });
  });

  it("answers 429 when tokens per minute are exceeded, counting input and output", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim, { tpm: 10_000 });
    const answers: LlmResponse[] = [];
    sendAt(sim, llm, 0, { caller: "a", inputTokens: 7_000, outputTokens: 1_000 }, answers);
    sendAt(sim, llm, 0, { caller: "b", inputTokens: 7_000, outputTokens: 1_000 }, answers);
    await sim.run();
    // 2,000 left; 6,000 more needed at 10,000 per 60 s: 36 s.
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.find((a) => !a.ok)).toMatchObject({ ok: false, status: 429, retryAfterMs: 36 * S });
  });

  it("fails 529 and 500 at their configured rates, answering after a TTFT and caching nothing", async () => {
    const sim = new Simulation({ seed: 5 });
    const llm = fixedProvider(sim, { p529: 0.2, p500: 0.1 });
    const answers: LlmResponse[] = [];
    for (let i = 0; i < 4_000; i++)
      sendAt(sim, llm, i * 10, { caller: `w${i}`, prefixKey: "p", prefixTokens: 2_000, inputTokens: 10, outputTokens: 1 }, answers);
    await sim.run();
    const share = (status: number): number => answers.filter((a) => !a.ok && a.status === status).length / answers.length;
    expect(share(529)).toBeGreaterThan(0.2 - 0.03);
    expect(share(529)).toBeLessThan(0.2 + 0.03);
    expect(share(500)).toBeGreaterThan(0.1 - 0.03);
    expect(share(500)).toBeLessThan(0.1 + 0.03);
    const okCount = answers.filter((a) => a.ok).length;
    const s = llm.cache.stats("p");
    expect(s.hits + s.misses).toBe(okCount);
    const errorEnds = sim.trace.events.filter((e) => e.kind === "llm.error");
    expect(errorEnds).toHaveLength(answers.length - okCount);
    expect(errorEnds.every((e) => e.t - (sim.trace.get(e.span as number)?.t as number) === 600)).toBe(true);
  });

  it("error rates can change mid-run (a fault window)", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    sim.schedule(10 * S, () => (llm.errorRates.p529 = 1));
    sendAt(sim, llm, 0, { caller: "before", inputTokens: 10, outputTokens: 1 }, answers);
    sendAt(sim, llm, 20 * S, { caller: "during", inputTokens: 10, outputTokens: 1 }, answers);
    await sim.run();
    expect(answers.map((a) => (a.ok ? 200 : a.status))).toEqual([200, 529]);
  });
});

describe("LlmProvider timeline and trace", () => {
  it("runs to completion when the caller stops waiting: the write still lands and the call is billed", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    let timedOut = false;
    sim.spawn("impatient", async (ctx) => {
      const r = await ctx.deadline(100, llm.complete(ctx, { caller: "impatient", prefixKey: "p", prefixTokens: 2_000, inputTokens: 0, outputTokens: 10 }));
      timedOut = !r.ok;
    });
    await sim.run();
    expect(timedOut).toBe(true);
    expect(llm.cache.stats("p").writes).toBe(1);
    expect(llm.billing.total()).toBeCloseTo(2_000 * IN * 1.25 + 10 * OUT, 12);
  });

  it("links the trace: llm.call span, first token and cache events under it, end event returned", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    const cause = sim.trace.instant({ actor: "agent", layer: "harness", kind: "step.plan" });
    sendAt(sim, llm, 0, { caller: "agent", prefixKey: "p", prefixTokens: 2_000, inputTokens: 5, outputTokens: 10, parent: cause }, answers);
    await sim.run();
    const r = okUsage(answers[0]);
    const begin = sim.trace.events.find((e) => e.kind === "llm.call" && e.phase === "begin");
    expect(begin).toMatchObject({ layer: "model", actor: "llm", parent: cause });
    const children = sim.trace.events.filter((e) => e.parent === begin?.id && e.phase === "instant");
    expect(children.map((e) => e.kind)).toEqual(["cache.miss", "llm.first-token", "cache.write"]);
    const end = sim.trace.get(r.eventId);
    expect(end).toMatchObject({ kind: "llm.call", phase: "end", span: begin?.id });
    expect(end?.attrs).toMatchObject({ caller: "agent", cached: false, cacheCreationInputTokens: 2_000, costUsd: r.usage.costUsd });
    expect(sim.trace.causalChain(r.eventId).map((e) => e.kind)).toEqual(["step.plan", "llm.call", "llm.call"]);
  });

  it("tells a streaming caller when the response begins, after its prefix write became visible", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim);
    const answers: LlmResponse[] = [];
    const begun: { t: number; kind: string | undefined; visible: number }[] = [];
    const onFirstToken = (id: number): void => {
      begun.push({ t: sim.now, kind: sim.trace.get(id)?.kind, visible: llm.cache.stats("p").writes });
    };
    sendAt(sim, llm, 0, { caller: "a", prefixKey: "p", prefixTokens: 2_000, inputTokens: 5, outputTokens: 10, onFirstToken }, answers);
    sendAt(sim, llm, 0, { caller: "b", inputTokens: 5, outputTokens: 10, onFirstToken }, answers);
    await sim.run();
    expect(begun).toEqual([
      { t: 600, kind: "llm.first-token", visible: 1 },
      { t: 600, kind: "llm.first-token", visible: 1 },
    ]);
  });

  it("does not call onFirstToken for an error", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = fixedProvider(sim, { p500: 1 });
    const answers: LlmResponse[] = [];
    let calls = 0;
    sendAt(sim, llm, 0, { caller: "a", inputTokens: 5, outputTokens: 10, onFirstToken: () => calls++ }, answers);
    await sim.run();
    expect(answers[0]?.ok).toBe(false);
    expect(calls).toBe(0);
  });

  it("same seed, same draws; another seed, other draws", async () => {
    const run = async (seed: number): Promise<{ latencies: number[]; hash: string }> => {
      const sim = new Simulation({ seed });
      const llm = new LlmProvider(sim, { p500: 0.1 });
      const answers: LlmResponse[] = [];
      for (let i = 0; i < 100; i++) sendAt(sim, llm, i * 50, { caller: `w${i}`, prefixKey: "p", prefixTokens: 3_000, inputTokens: 100 }, answers);
      await sim.run();
      return { latencies: answers.map((a) => (a.ok ? a.latencyMs : -a.status)), hash: sim.trace.hash() };
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(b).toEqual(a);
    expect(c.hash).not.toBe(a.hash);
    expect(c.latencies).not.toEqual(a.latencies);
  });
});
