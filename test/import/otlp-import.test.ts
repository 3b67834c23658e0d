import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recordRefundIncident } from "../../examples/incident/refund-incident.js";
import { incidentFromSpans, NotGenAiTracesError } from "../../src/import/incident-workload.js";
import { OtlpFormatError, readOtlpJson } from "../../src/import/otlp-json.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { incidentScenario } from "../../src/scenarios/incident.js";

const FIXTURE = new URL("../../examples/incident/refund-incident.otlp.jsonl", import.meta.url);
const fixtureText = readFileSync(FIXTURE, "utf8");

describe("reading OTLP/JSON", () => {
  it("reads the Collector's file exporter form (one document per line) and one whole document alike", () => {
    const fromLines = readOtlpJson(fixtureText);
    const docs = fixtureText
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { resourceSpans: unknown[] });
    const whole = readOtlpJson(JSON.stringify({ resourceSpans: docs.flatMap((d) => d.resourceSpans) }));
    expect(fromLines.length).toBe(89);
    expect(whole).toEqual(fromLines);
    const chat = fromLines.find((s) => s.name === "chat gpt-4o-mini");
    expect(chat?.attributes["gen_ai.usage.input_tokens"]).toBe(2600);
    expect(chat?.resource["service.name"]).toBe("support-agent");
    expect(chat?.endMs).toBeGreaterThan(chat?.startMs ?? Infinity);
  });

  it("names the line that is not JSON, and refuses logs or metrics for what they are", () => {
    const broken = `${fixtureText.trim().split("\n")[0]}\n{not json\n`;
    expect(() => readOtlpJson(broken)).toThrow(OtlpFormatError);
    expect(() => readOtlpJson(broken)).toThrow(/^line 2 is not JSON/);
    expect(() => readOtlpJson(JSON.stringify({ resourceLogs: [] }))).toThrow(/expected OTLP\/JSON traces with a "resourceSpans" list, found logs or metrics/);
    expect(() => readOtlpJson("")).toThrow(/empty/);
  });
});

describe("the shipped example incident", () => {
  it("is what the OpenTelemetry SDK makes from its recording script, byte for byte", () => {
    expect(recordRefundIncident()).toBe(fixtureText);
  });
});

describe("importing an incident", () => {
  const spans = readOtlpJson(fixtureText);

  it("reads the tools, calls, client timeout and retries, and the duplicate refunds the traces show", () => {
    const { workload, findings } = incidentFromSpans(spans, { name: "refund-incident", source: "refund-incident.otlp.jsonl", sideEffects: ["refund"] });
    expect(Object.keys(workload.tools)).toEqual(["lookup_order", "refund"]);
    expect(workload.conversations.count).toBe(8);
    expect(workload.steps.map((s) => s.tool)).toEqual(["lookup_order", "refund"]);
    expect(workload.client).toEqual({ timeoutMs: 10_000, maxAttempts: 2, backoffMs: 500 });
    expect(workload.model.name).toBe("gpt-4o-mini");
    // The refund's latency is the payments API's own (server spans), so it reaches past the client's timeout.
    expect(Math.max(...(workload.tools.refund?.latencyMs ?? []))).toBeGreaterThan(10_000);
    expect(findings.duplicateEffects.map((d) => d.conversation)).toEqual(["conv-002", "conv-005", "conv-008"]);
    expect(findings.unknownAttributes["app.tenant"]).toEqual(["acme"]);
    expect(findings.cache.reads).toBe(23);
  });

  it("takes a writing HTTP method as the hint of a side effect when the user names none", () => {
    const { workload } = incidentFromSpans(spans, { name: "x", source: "x" });
    expect(workload.tools.refund?.sideEffect).toBe(true);
    expect(workload.tools.lookup_order?.sideEffect).toBe(false);
  });

  it("refuses traces without GenAI spans, saying what it expected", () => {
    const plain = spans.filter((s) => !Object.keys(s.attributes).some((k) => k.startsWith("gen_ai.")));
    expect(plain.length).toBeGreaterThan(0);
    expect(() => incidentFromSpans(plain, { name: "x", source: "x" })).toThrow(NotGenAiTracesError);
    expect(() => incidentFromSpans(plain, { name: "x", source: "x" })).toThrow(/gen_ai\.operation\.name/);
  });

  it("builds a scenario that double-refunds by its actors' timing at most seeds, and never with idempotency keys", async () => {
    const { workload } = incidentFromSpans(spans, { name: "refund-incident", source: "refund-incident.otlp.jsonl", sideEffects: ["refund"] });
    const scenario = incidentScenario(workload);
    let violated = 0;
    let mitigatedViolations = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const bare = await runScenario({ scenario, seed });
      if (bare.violations.some((v) => v.invariant === "at-most-once-refund")) violated++;
      const keyed = await runScenario({ scenario, seed, mitigations: ["idempotency-keys"] });
      if (keyed.verdict !== "held") mitigatedViolations++;
    }
    expect(violated).toBeGreaterThan(20);
    expect(mitigatedViolations).toBe(0);
  });

  it("a client timeout longer than every refund removes the duplicates: the failure is the timing, not a rule", async () => {
    const { workload } = incidentFromSpans(spans, { name: "refund-incident", source: "refund-incident.otlp.jsonl", sideEffects: ["refund"] });
    const scenario = incidentScenario(workload);
    for (let seed = 1; seed <= 20; seed++) {
      const run = await runScenario({ scenario, seed, params: { client: { timeout: "20s" } } });
      expect(run.verdict).toBe("held");
    }
  });
});
