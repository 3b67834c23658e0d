import { describe, expect, it } from "vitest";
import { quantile } from "../../src/checks/latency.js";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { latencyTail } from "../../src/scenarios/latency-tail.js";
import { formatDuration } from "../../src/sim/duration.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = latencyTail.defaults.seed;
const SLA = 2_000;
const TOOLS = ["search", "sql", "crm", "docs", "pricing", "calendar", "email"];
const runs = new Map<string, Promise<RunResult>>();
/** One run per configuration, shared by the tests that read it (a run is 3,500 tool calls). */
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> => {
  const key = JSON.stringify([mitigations, params, seed]);
  if (!runs.has(key)) runs.set(key, runScenario({ scenario: latencyTail, seed, mitigations, params }));
  return runs.get(key) as Promise<RunResult>;
};
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const replies = (r: RunResult): TraceEvent[] => r.trace.events.filter((e) => e.kind === "reply");
const latencies = (r: RunResult): number[] => replies(r).map((e) => e.attrs?.latencyMs as number);
/** The tool calls on a reply's causal chain: the answers the request waited for, in order. */
const hopsOf = (r: RunResult, reply: TraceEvent): TraceEvent[] => r.trace.causalChain(reply.id).filter((e) => e.kind === "tool.call" && e.phase === "end");

describe("latency-tail at its default seed", () => {
  it("the medians fit the SLA on paper, most requests are fast, and the p99 is far over it", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(metric(r, "sum of tool p50s")).toBeLessThan(SLA / 2);
    expect(metric(r, "end-to-end p50")).toBeLessThan(SLA / 2);
    const p99 = quantile(latencies(r), 0.99);
    expect(metric(r, "end-to-end p99")).toBe(p99);
    expect(p99).toBeGreaterThan(SLA);
    const [v] = r.violations;
    expect(v?.invariant).toBe("e2e-p99-within-sla");
    const over = latencies(r).filter((ms) => ms > SLA).length;
    expect(v?.message).toBe(
      `end-to-end latency p99 is ${Math.round(p99)}ms, over the 2000ms bound (${over} of 500 requests over it); on paper the seven tools' medians add up to ${formatDuration(metric(r, "sum of tool p50s"))}`,
    );
  });

  it("every request over the SLA had a hop in its tail; the evidence is those requests' replies", async () => {
    const r = await run();
    const slow = replies(r).filter((e) => (e.attrs?.latencyMs as number) > SLA);
    for (const reply of slow) expect(Math.max(...hopsOf(r, reply).map((h) => h.attrs?.latencyMs as number))).toBeGreaterThanOrEqual(1_000);
    const [v] = r.violations;
    for (const id of v!.evidence) expect(ev(r, id)).toMatchObject({ kind: "reply", layer: "harness" });
    expect(v!.evidence.every((id) => (ev(r, id).attrs?.latencyMs as number) > SLA)).toBe(true);
  });

  it("the causal chain of a breaking request runs from the user through all seven tools, in order, to the reply", async () => {
    const r = await run();
    const last = ev(r, r.violations[0]!.evidence.at(-1) as number);
    const chain = r.trace.causalChain(last.id);
    expect(chain[0]).toMatchObject({ kind: "request", layer: "user" });
    expect(hopsOf(r, last).map((h) => h.actor)).toEqual(TOOLS);
    expect(chain.at(-1)).toBe(last);
    expect(last.attrs?.latencyMs).toBeCloseTo(last.t - chain[0]!.t, 6);
  });

  it("its metrics: sum(p50) under the SLA, sum(p99) far over the measured p99, green per-tool dashboards, 1 - 0.98^7 of requests at risk", async () => {
    const r = await run();
    expect(metric(r, "requests")).toBe(500);
    expect(metric(r, "sum of tool p99s")).toBeGreaterThan(metric(r, "end-to-end p99"));
    expect(metric(r, "chance some hop is slow")).toBeCloseTo(1 - 0.98 ** 7, 12);
    // Each tool's own p95 (what its dashboard shows) stays in its fast path.
    expect(metric(r, "worst per-tool p95")).toBeLessThan(1_000);
    const measured = replies(r).filter((e) => hopsOf(r, e).some((h) => (h.attrs?.latencyMs as number) >= 1_000)).length / 500;
    expect(Math.abs(measured - metric(r, "chance some hop is slow"))).toBeLessThan(0.05);
    expect(metric(r, "hedges sent")).toBe(0);
    expect(metric(r, "extra requests")).toBe(0);
  });
});

describe("latency-tail with hedged-requests", () => {
  it("holds: a backup after each hop's p95 brings the p99 under the SLA", async () => {
    const r = await run(["hedged-requests"]);
    expect(r.verdict).toBe("held");
    expect(metric(r, "end-to-end p99")).toBeLessThan(SLA);
    expect(metric(r, "end-to-end p99")).toBe(quantile(latencies(r), 0.99));
  });

  it("costs about 5% extra requests, and every hedge ends with exactly one of its two requests cancelled", async () => {
    const r = await run(["hedged-requests"]);
    const hedges = r.trace.events.filter((e) => e.kind === "hedge.sent");
    expect(metric(r, "hedges sent")).toBe(hedges.length);
    expect(metric(r, "extra requests")).toBeCloseTo(hedges.length / (500 * 7), 12);
    expect(metric(r, "extra requests")).toBeGreaterThan(0.03);
    expect(metric(r, "extra requests")).toBeLessThan(0.07);
    expect(r.trace.events.filter((e) => e.kind === "tool.cancelled")).toHaveLength(hedges.length);
  });

  it("a backup that wins is on the request's causal chain: primary call -> hedge.sent -> backup call -> next hop", async () => {
    const r = await run(["hedged-requests"]);
    const chain = replies(r)
      .map((reply) => r.trace.causalChain(reply.id))
      .find((c) => c.some((e) => e.kind === "hedge.sent"))!;
    const i = chain.findIndex((e) => e.kind === "hedge.sent");
    const [primary, sent, backup] = chain.slice(i - 1, i + 2);
    expect(primary).toMatchObject({ kind: "tool.call", phase: "begin", layer: "tool" });
    expect(backup).toMatchObject({ kind: "tool.call", phase: "begin", actor: primary!.actor, parent: sent!.id });
    expect(sent).toMatchObject({ layer: "harness", actor: "agent", attrs: { tool: primary!.actor } });
    expect(sent!.t - primary!.t).toBe(sent!.attrs?.afterMs);
  });
});

describe("latency-tail: the tails are the cause", () => {
  it("with no slow calls the same chain meets the SLA without hedging", async () => {
    const none = Object.fromEntries(TOOLS.map((t) => [t, { slowChance: 0 }]));
    const r = await run([], { tools: none });
    expect(r.verdict).toBe("held");
    expect(metric(r, "chance some hop is slow")).toBe(0);
  });
});
