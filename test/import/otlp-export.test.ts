import type { IExportTraceServiceRequest } from "@opentelemetry/otlp-transformer/build/src/trace/internal-types.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { incidentFromSpans } from "../../src/import/incident-workload.js";
import { readOtlpJson } from "../../src/import/otlp-json.js";
import { renderOtlp, toOtlp } from "../../src/report/render-otlp.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { findScenario } from "../../src/scenarios/catalog.js";
import { incidentInvariants, incidentScenario } from "../../src/scenarios/incident.js";

const fixture = readFileSync(new URL("../../examples/incident/refund-incident.otlp.jsonl", import.meta.url), "utf8");

describe("--format otlp", () => {
  it("is an OTLP export request by the official types, with GenAI spans and the violation as a span event", async () => {
    const scenario = findScenario("double-refund");
    if (!scenario) throw new Error("no double-refund");
    const run = await runScenario({ scenario, seed: 9 });
    expect(run.verdict).toBe("violated");
    const doc: IExportTraceServiceRequest = toOtlp(run);
    const spans = doc.resourceSpans?.[0]?.scopeSpans[0]?.spans ?? [];
    const read = readOtlpJson(JSON.stringify(doc));
    expect(read.length).toBe(spans.length);
    const chats = read.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
    const llmCalls = run.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "begin");
    expect(chats.length).toBe(llmCalls.length);
    const tools = read.filter((s) => s.attributes["gen_ai.operation.name"] === "execute_tool");
    expect(new Set(tools.map((t) => t.attributes["gen_ai.tool.name"]))).toEqual(new Set(["payments"]));
    const violation = read.flatMap((s) => s.events).find((e) => e.name === "agentsim.violation");
    expect(violation?.attributes["agentsim.invariant"]).toBe("at-most-once-effect");
    // Virtual timestamps: the run's epoch plus virtual time.
    expect(Math.min(...read.map((s) => s.startMs))).toBeGreaterThanOrEqual(Date.UTC(2026, 2, 9, 8, 0, 0));
    // Every parent is a span of the same trace.
    const ids = new Set(read.map((s) => `${s.traceId}/${s.spanId}`));
    for (const s of read) if (s.parentSpanId) expect(ids.has(`${s.traceId}/${s.parentSpanId}`)).toBe(true);
    // One trace per causal root: a customer's return and everything it caused.
    const returns = run.trace.events.filter((e) => e.kind === "return.requested").length;
    expect(new Set(read.filter((s) => s.attributes["agentsim.kind"] === "return.requested").map((s) => s.traceId)).size).toBe(returns);
  });

  it("gives the same bytes for the same run", async () => {
    const scenario = findScenario("clock-race");
    if (!scenario) throw new Error("no clock-race");
    const a = renderOtlp(await runScenario({ scenario, seed: 3 }));
    const b = renderOtlp(await runScenario({ scenario, seed: 3 }));
    expect(a).toBe(b);
  });

  it("round-trips through import: the same tools, steps, conversations and latencies", async () => {
    const { workload } = incidentFromSpans(readOtlpJson(fixture), { name: "refund-incident", source: "refund-incident.otlp.jsonl", sideEffects: ["refund"] });
    const run = await runScenario({ scenario: incidentScenario(workload), seed: 2 });
    const again = incidentFromSpans(readOtlpJson(renderOtlp(run)), { name: "again", source: "export", sideEffects: ["refund"] });
    expect(Object.keys(again.workload.tools)).toEqual(Object.keys(workload.tools));
    expect(again.workload.steps.map((s) => s.tool)).toEqual(workload.steps.map((s) => s.tool));
    expect(again.workload.conversations.count).toBe(workload.conversations.count);
    // The simulated calls' own durations come back as the imported latencies.
    const simulated = run.trace.events
      .filter((e) => e.phase === "end" && e.actor === "refund" && e.kind.startsWith("tool."))
      .map((e) => Math.round((e.t - (run.trace.events[e.span ?? -1]?.t ?? 0)) * 10) / 10)
      .sort((a, b) => a - b);
    expect(again.workload.tools.refund?.latencyMs).toEqual(simulated);
    expect(again.workload.client.maxAttempts).toBe(2);
    expect(again.findings.duplicateEffects.length).toBe(run.violations.filter((v) => v.invariant === "at-most-once-refund").length);
  });

  it("round-trips a cache stampede: the simulated writes come back as the same stampede, and the same invariants", async () => {
    const text = readFileSync(new URL("../../examples/incident/cache-stampede.otlp.json", import.meta.url), "utf8");
    const { workload } = incidentFromSpans(readOtlpJson(text), { name: "cache-stampede", source: "cache-stampede.otlp.json" });
    const run = await runScenario({ scenario: incidentScenario(workload), seed: 1 });
    const writes = run.trace.events.filter((e) => e.kind === "cache.write").length;
    expect(writes).toBeGreaterThan(1);
    const again = incidentFromSpans(readOtlpJson(renderOtlp(run)), { name: "again", source: "export" });
    expect(again.findings.cache.mostWritesPerLifetime).toBe(writes);
    expect(again.workload.cache).toEqual(workload.cache);
    expect(incidentInvariants(again.workload).map((i) => i.name)).toEqual(incidentInvariants(workload).map((i) => i.name));
  });
});
