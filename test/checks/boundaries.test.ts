/**
 * Every checker at its bound: the value exactly at the bound holds, the smallest step past it
 * breaks. These pin the comparisons (<= vs <, round vs ceil) that a planted bug would flip and
 * that scenario runs, far from the bound, never notice.
 */
import { describe, expect, it } from "vitest";
import { atMostOnceEffects } from "../../src/checks/at-most-once.js";
import { groundedAnswers, holdsNoData } from "../../src/checks/grounding.js";
import { everyWithin, latencyQuantileWithin, quantile, summarize, type LatencySample } from "../../src/checks/latency.js";
import { finishesWithin, type WorkItem } from "../../src/checks/liveness.js";
import { noSpendSpike, spendWindows, type Charge } from "../../src/checks/spend-spike.js";
import { noWaitCycle, type WaitEdgeEvent } from "../../src/checks/wait-for-graph.js";
import type { AttrValue } from "../../src/sim/trace.js";
import { Trace } from "../../src/sim/trace.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const samples = (ms: readonly number[]): LatencySample[] => ms.map((m, i) => ({ ms: m, endedAt: 1_000 + i, eventId: i + 1 }));

describe("quantile: nearest rank, ceil(q * n)", () => {
  it("p99 of 1..160 is the 159th value (ceil of 158.4; round or floor would give 158)", () => {
    expect(quantile(range(160), 0.99)).toBe(159);
    expect(summarize(range(160)).p99).toBe(159);
  });

  it("p95 of 1..10 is the 10th value (ceil of 9.5; floor would give 9)", () => {
    expect(quantile(range(10), 0.95)).toBe(10);
  });

  it("an exact rank is not rounded up: p50 of 1..10 is 5, p90 is 9", () => {
    expect(quantile(range(10), 0.5)).toBe(5);
    expect(quantile(range(10), 0.9)).toBe(9);
    expect(summarize(range(10))).toMatchObject({ p50: 5, p90: 9, p99: 10, max: 10, count: 10, mean: 5.5 });
  });

  it("q = 0 is the minimum, q = 1 the maximum; order of the input does not matter; empty is NaN", () => {
    const shuffled = [7, 3, 9, 1, 5];
    expect(quantile(shuffled, 0)).toBe(1);
    expect(quantile(shuffled, 1)).toBe(9);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe("latencyQuantileWithin at the SLA", () => {
  const hundred = samples(range(100));

  it("a p99 exactly at the bound holds", () => {
    expect(latencyQuantileWithin(hundred, { q: 0.99, boundMs: 99 }).held).toBe(true);
  });

  it("a p99 a hair over the bound breaks, dated at the slow request that pushed the quantile over", () => {
    const v = latencyQuantileWithin(hundred, { q: 0.99, boundMs: 98.999 });
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toBe("latency p99 is 99ms, over the 99ms bound (2 of 100 requests over it)");
    // One slow request of 100 is allowed at p99; the second one over the bound broke it.
    expect(v.violations[0]?.at).toBe(hundred[99]?.endedAt);
  });

  it("with many slow requests, the breach is dated when the second one ended: one in a hundred is allowed at p99", () => {
    const v = latencyQuantileWithin(hundred, { q: 0.99, boundMs: 95.5 });
    expect(v.violations[0]?.message).toContain("(5 of 100 requests over it)");
    expect(v.violations[0]?.at).toBe(hundred[96]?.endedAt);
  });

  it("one slow request in a hundred does not move the p99", () => {
    const oneSlow = samples([...range(99), 10_000]);
    expect(latencyQuantileWithin(oneSlow, { q: 0.99, boundMs: 99 }).held).toBe(true);
    expect(latencyQuantileWithin(samples([...range(98), 10_000, 10_000]), { q: 0.99, boundMs: 99 }).held).toBe(false);
  });
});

describe("everyWithin: a request exactly at its deadline", () => {
  it("holds at the deadline and breaks a millisecond after", () => {
    expect(everyWithin(samples([500, 2_000]), { boundMs: 2_000 }).held).toBe(true);
    const v = everyWithin(samples([500, 2_001]), { boundMs: 2_000 });
    expect(v.violations.map((x) => x.message)).toEqual(["request took 2001ms, over its 2000ms deadline"]);
  });

  it("a request that never returned breaks it", () => {
    expect(everyWithin(samples([Infinity]), { boundMs: 2_000 }).violations[0]?.message).toBe("request never returned, over its 2000ms deadline");
  });
});

describe("finishesWithin: liveness exactly at its SLA", () => {
  const item = (finishedAt?: number): WorkItem => ({
    name: "workflow wf-1",
    startedAt: 1_000,
    boundMs: 4_000,
    startEvent: 1,
    lastEvent: 2,
    ...(finishedAt !== undefined ? { finishedAt } : {}),
  });

  it("a workflow finishing exactly at its SLA holds; a millisecond later it breaks, dated at start + SLA", () => {
    expect(finishesWithin([item(5_000)], { endMs: 10_000, stalled: false }).held).toBe(true);
    const v = finishesWithin([item(5_001)], { endMs: 10_000, stalled: false });
    expect(v.held).toBe(false);
    expect(v.violations[0]?.at).toBe(5_000);
  });

  it("an unfinished workflow exactly as old as its SLA at the end of the run holds; a millisecond older breaks", () => {
    expect(finishesWithin([item()], { endMs: 5_000, stalled: false }).held).toBe(true);
    expect(finishesWithin([item()], { endMs: 5_001, stalled: false }).held).toBe(false);
  });

  it("a stalled run breaks an unfinished workflow whatever its age: it can never finish", () => {
    expect(finishesWithin([item()], { endMs: 1_001, stalled: true }).held).toBe(false);
  });
});

describe("noWaitCycle exactly at its bound", () => {
  const cycle = (brokenAt: number): WaitEdgeEvent[] => [
    { t: 0, op: "add", from: "A", to: "B", eventId: 1 },
    { t: 10, op: "add", from: "B", to: "A", eventId: 2 },
    { t: brokenAt, op: "remove", from: "B", to: "A", eventId: 3 },
  ];

  it("a cycle held exactly the bound holds; a millisecond longer breaks, dated at formed + bound", () => {
    expect(noWaitCycle(cycle(10 + 60_000), { boundMs: 60_000, endMs: 1e9 }).held).toBe(true);
    const v = noWaitCycle(cycle(10 + 60_001), { boundMs: 60_000, endMs: 1e9 });
    expect(v.violations[0]?.at).toBe(10 + 60_000);
  });

  it("a cycle still open at the end counts to the end of the run", () => {
    const open = cycle(0).slice(0, 2);
    expect(noWaitCycle(open, { boundMs: 60_000, endMs: 10 + 60_000 }).held).toBe(true);
    expect(noWaitCycle(open, { boundMs: 60_000, endMs: 10 + 60_001 }).held).toBe(false);
  });
});

describe("atMostOnceEffects exactly at its limit", () => {
  const effects = (n: number) => range(n).map((i) => ({ t: i, effect: "refund", key: "return-1", eventId: i }));

  it("limit commits hold; one more breaks, dated at the first commit over the limit", () => {
    expect(atMostOnceEffects(effects(1)).held).toBe(true);
    expect(atMostOnceEffects(effects(2)).violations[0]?.at).toBe(2);
    expect(atMostOnceEffects(effects(3), { limit: 3 }).held).toBe(true);
    expect(atMostOnceEffects(effects(4), { limit: 3 }).violations[0]?.at).toBe(4);
  });
});

describe("grounding of empty results", () => {
  const grounded = (result: AttrValue): boolean => {
    const trace = new Trace({ now: 0 });
    const call = trace.begin({ actor: "inventory", layer: "tool", kind: "tool.call" });
    const res = trace.end(call, { result });
    const read = trace.instant({ actor: "llm", layer: "model", kind: "llm.answer", parent: res });
    const answer = trace.instant({ actor: "agent", layer: "harness", kind: "answer.sent", parent: read });
    return groundedAnswers(trace, [{ claim: "x", source: read, answerEventId: answer, at: 0 }]).held;
  };

  it.each([
    ["null", null],
    ['""', ""],
    ["[]", []],
    ["{}", {}],
    ['{"result": null}', { result: null }],
    ['{"result": [], "note": ""}', { result: [], note: "" }],
  ])("%s grounds nothing", (_name, result) => {
    expect(holdsNoData(result as AttrValue)).toBe(true);
    expect(grounded(result as AttrValue)).toBe(false);
  });

  it.each([
    ["0", 0],
    ["false", false],
    ['" "', " "],
    ["[null]", [null]],
    ['{"in_stock": 0}', { in_stock: 0 }],
  ])("%s is data and grounds a fact", (_name, result) => {
    expect(holdsNoData(result as AttrValue)).toBe(false);
    expect(grounded(result as AttrValue)).toBe(true);
  });
});

describe("noSpendSpike exactly at its multiple", () => {
  /** 75 minutes of $1 a minute, then (after `gapMs` of quiet) one charge of `usd`. */
  const hourThen = (usd: number, gapMs = 0): Charge[] => [
    ...range(76).map((i) => ({ t: (i - 1) * 60_000, usd: 1, eventId: i })),
    { t: 75 * 60_000 + gapMs + 30_000, usd, eventId: 100 },
  ];
  const options = { windowMs: 180_000, trailingMs: 3_600_000, multiple: 5 };

  it("a window at exactly the multiple holds; a cent over breaks", () => {
    // The last window holds the charge and the $1 charges of the traffic's last minutes.
    const at = (usd: number) => spendWindows(hourThen(usd), options.windowMs, options.trailingMs).at(-1)!;
    const w = at(10);
    const exactly = 5 * w.baselineUsd - (w.usd - 10);
    expect(noSpendSpike(hourThen(exactly), options).held).toBe(true);
    expect(noSpendSpike(hourThen(exactly + 0.01), options).held).toBe(false);
  });

  it("a quiet spell cannot zero the baseline: after ten quiet hours an ordinary window is judged against the hour of traffic before them", () => {
    const tenHours = 10 * 3_600_000;
    const windows = spendWindows(hourThen(3, tenHours), options.windowMs, options.trailingMs);
    const last = windows.at(-1)!;
    expect(last.baselineUsd).toBeGreaterThan(2.9);
    expect(last.baselineUsd).toBeLessThan(3.1);
    expect(noSpendSpike(hourThen(3, tenHours), options).held).toBe(true);
    // A real spike after the same quiet spell still breaks it.
    expect(noSpendSpike(hourThen(50, tenHours), options).held).toBe(false);
  });

  it("pings spaced wider than the window through the quiet spell do not dilute the baseline", () => {
    const pings = range(100).map((i) => ({ t: 75 * 60_000 + i * 5 * 60_000, usd: 0.004, eventId: 1_000 + i }));
    const charges = [...hourThen(0).slice(0, 76), ...pings, { t: 75 * 60_000 + 101 * 5 * 60_000, usd: 3, eventId: 2_000 }];
    expect(spendWindows(charges, options.windowMs, options.trailingMs).at(-1)!.baselineUsd).toBeGreaterThan(2.5);
    expect(noSpendSpike(charges, options).held).toBe(true);
  });

  it("without a full trailing period of history no window is judged", () => {
    expect(spendWindows(hourThen(100).slice(30), options.windowMs, options.trailingMs)).toEqual([]);
    expect(spendWindows(hourThen(100).slice(10), options.windowMs, options.trailingMs)).not.toEqual([]);
  });
});
