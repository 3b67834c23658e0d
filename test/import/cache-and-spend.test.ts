/**
 * What the incident shows about the prompt cache and spend becomes invariants of the imported
 * scenario, judged in the simulated run from the provider's cache log and the billing meter:
 * `cache-writes-per-expiry` (a stampede: many writes of one prefix within one lifetime) and
 * `spend-spike` (a window's spend far above the trailing rate).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { incidentFromSpans } from "../../src/import/incident-workload.js";
import { readOtlpJson, type SpanRecord } from "../../src/import/otlp-json.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { incidentInvariants, incidentScenario } from "../../src/scenarios/incident.js";

const stampedeSpans = readOtlpJson(readFileSync(new URL("../../examples/incident/cache-stampede.otlp.json", import.meta.url), "utf8"));
const refundSpans = readOtlpJson(readFileSync(new URL("../../examples/incident/refund-incident.otlp.jsonl", import.meta.url), "utf8"));
const imported = incidentFromSpans(stampedeSpans, { name: "cache-stampede", source: "cache-stampede.otlp.json" });

describe("a prompt-cache stampede in the traces", () => {
  it("is found: ten model calls wrote the same 12,000-token prefix within one lifetime, from cold", () => {
    const { workload, findings } = imported;
    expect(findings.cache).toEqual({ writes: 10, reads: 10, mostWritesPerLifetime: 10, prefixTokens: 12_000 });
    expect(workload.cache).toEqual({ prefixTokens: 12_000, ttlMs: 300_000, startsCold: true });
    expect(incidentInvariants(workload).map((i) => i.name)).toEqual(["cache-writes-per-expiry", "spend-spike", "tool-calls-answered"]);
  });

  it("is reproduced by the provider's cache: each seed's writes are cache.write events of one life of the prefix", async () => {
    const scenario = incidentScenario(imported.workload);
    for (let seed = 1; seed <= 10; seed++) {
      const run = await runScenario({ scenario, seed });
      const v = run.violations.find((x) => x.invariant === "cache-writes-per-expiry");
      expect(v, `seed ${seed}`).toBeDefined();
      const writes = run.trace.events.filter((e) => e.kind === "cache.write");
      expect(v?.message).toContain(`${writes.length} model calls each wrote the 12,000-token prefix claude-sonnet-4/system-prompt from cold`);
      expect(writes.length).toBeGreaterThan(1);
      for (const id of v?.evidence ?? []) expect(run.trace.events[id]?.kind).toBe("cache.write");
    }
  });

  it("holds with the catalog's single-flight: one call writes the prefix, the others wait for it and read", async () => {
    const scenario = incidentScenario(imported.workload);
    for (let seed = 1; seed <= 10; seed++) {
      const run = await runScenario({ scenario, seed, mitigations: ["single-flight"] });
      expect(run.verdict, `seed ${seed}`).toBe("held");
      expect(run.trace.events.filter((e) => e.kind === "cache.write").length).toBe(1);
      expect(run.trace.events.filter((e) => e.kind === "cache.hit").length).toBe(9);
    }
  });

  it("judges evidence, not the finding: when the traces began warm, the run's cold start is not an expiry and the same writes hold", async () => {
    const warm = { ...imported.workload, cache: { ...(imported.workload.cache as NonNullable<typeof imported.workload.cache>), startsCold: false } };
    const run = await runScenario({ scenario: incidentScenario(warm), seed: 1 });
    expect(run.trace.events.filter((e) => e.kind === "cache.write").length).toBeGreaterThan(1);
    expect(run.verdicts.find((v) => v.invariant === "cache-writes-per-expiry")?.held).toBe(true);
  });

  it("a lifetime shorter than the gap between conversations: each lapse is re-written once, and that holds", async () => {
    const run = await runScenario({
      scenario: incidentScenario(imported.workload),
      seed: 3,
      params: { conversations: { count: 3, window: "1h" }, cache: { ttl: "1s" } },
    });
    const writes = run.trace.events.filter((e) => e.kind === "cache.write");
    expect(run.trace.events.filter((e) => e.kind === "cache.expire").length).toBe(writes.length - 1);
    expect(run.verdicts.find((v) => v.invariant === "cache-writes-per-expiry")?.held).toBe(true);
  });
});

describe("spend in the traces", () => {
  it("declares spend-spike from token counts alone, in windows scaled to the traces' span", () => {
    const { workload } = incidentFromSpans(refundSpans, { name: "refund-incident", source: "refund-incident.otlp.jsonl", sideEffects: ["refund"] });
    expect(workload.cache).toBeUndefined();
    expect(workload.spend).toEqual({ windowMs: 39_000, trailingMs: 390_000, multiple: 5 });
    const names = incidentInvariants(workload).map((i) => i.name);
    expect(names).toContain("spend-spike");
    expect(names).not.toContain("cache-writes-per-expiry");
  });

  it("judges spend-spike from the billing meter's charges: steady traffic holds at 5x, and its ordinary ups and downs break a bound of 1x", async () => {
    const scenario = incidentScenario(imported.workload);
    const steady = { conversations: { count: 300, window: "10m" }, limits: { spendWindow: "10s", trailing: "1m" } };
    let broke = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const run = await runScenario({ scenario, seed, mitigations: ["single-flight"], params: steady });
      expect(run.verdict, `seed ${seed}`).toBe("held");
      const tight = await runScenario({
        scenario,
        seed,
        mitigations: ["single-flight"],
        params: { ...steady, limits: { ...steady.limits, spendMultiple: 1 } },
      });
      expect(tight.traceHash).toBe(run.traceHash);
      const v = tight.violations.find((x) => x.invariant === "spend-spike");
      if (!v) continue;
      broke++;
      for (const id of v.evidence) expect(tight.trace.events[id]?.kind).toBe("llm.call");
    }
    expect(broke).toBe(5);
  });

  it("finds a spike in the traces: an hour of steady calls, then thirty within ten seconds", () => {
    const t0 = Date.UTC(2026, 10, 20, 9, 0, 0);
    const chat = (i: number, at: number): SpanRecord => ({
      traceId: `t${i}`,
      spanId: `s${i}`,
      parentSpanId: undefined,
      name: "chat claude-sonnet-4",
      kind: 3,
      startMs: at,
      endMs: at + 1_500,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "claude-sonnet-4",
        "gen_ai.usage.input_tokens": 3_000,
        "gen_ai.usage.output_tokens": 200,
      },
      resource: {},
      scope: "test",
      status: { code: 0 },
      events: [],
      links: [],
    });
    const steady = Array.from({ length: 120 }, (_, i) => chat(i, t0 + i * 30_000));
    const burst = Array.from({ length: 30 }, (_, i) => chat(200 + i, t0 + 3_600_000 + i * 300));
    const { findings } = incidentFromSpans([...steady, ...burst], { name: "burst", source: "burst" });
    expect(findings.spend?.worst?.ratio).toBeGreaterThan(5);
    const calm = incidentFromSpans(steady, { name: "calm", source: "calm" });
    expect(calm.findings.spend?.worst?.ratio).toBeLessThan(2);
  });
});
