/** The json and jsonl reports. */
import { describe, expect, it } from "vitest";
import { renderJson } from "../../src/report/render-json.js";
import { renderJsonl } from "../../src/report/render-jsonl.js";
import { Trace, type TraceEvent } from "../../src/sim/trace.js";
import { context, run } from "./runs.js";

describe("renderJson", () => {
  it("is one parseable object with what ran, the violations with causal ids, verdicts, metrics and hash", async () => {
    const result = await run({}, []);
    const report = JSON.parse(renderJson(result, context(["params.clients=3"]))) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual([
      "scenario",
      "file",
      "seed",
      "mitigations",
      "overrides",
      "verdict",
      "outcome",
      "violations",
      "verdicts",
      "metrics",
      "traceHash",
      "replay",
    ]);
    expect(report).toMatchObject({
      scenario: "fixture-refund",
      file: "test/fixtures/refund.yaml",
      seed: 7,
      mitigations: [],
      overrides: ["params.clients=3"],
      verdict: "violated",
      outcome: { status: "completed", now: result.outcome.now, events: result.outcome.events, waiting: [] },
      traceHash: result.traceHash,
      replay: "npx agentsim run test/fixtures/refund.yaml --seed 7 --set params.clients=3",
    });
    const violations = report.violations as { invariant: string; at: number; message: string; evidence: number[] }[];
    expect(violations).toHaveLength(result.violations.length);
    for (const v of violations) {
      expect(v.invariant).toBe("at-most-once-effect");
      for (const id of v.evidence) expect(result.trace.get(id)?.kind).toBe("effect.commit");
      expect(result.trace.get(v.evidence.at(-1)!)?.t).toBe(v.at);
    }
    expect(report.verdicts).toEqual([{ invariant: "at-most-once-effect", held: false, violations: result.violations }]);
    expect(report.metrics).toEqual(result.metrics);
  });

  it("reports a crash as a short message, not an error object", async () => {
    const result = await run({ crash: true });
    const report = JSON.parse(renderJson(result, context())) as { verdict: string; outcome: { crash: { error: string } } };
    expect(report.verdict).toBe("crashed");
    expect(report.outcome.crash.error).toBe("Error: refund tool exploded");
  });
});

describe("renderJsonl", () => {
  it("is the canonical trace: one event a line, whose events hash to the trace hash", async () => {
    const result = await run();
    const text = renderJsonl(result);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(result.trace.length);
    expect(lines.map((l) => (JSON.parse(l) as { id: number }).id)).toEqual(result.trace.events.map((e) => e.id));
    expect(JSON.parse(lines[0]!)).toEqual(result.trace.events[0]);
    expect(Trace.hashOf(lines.map((l) => JSON.parse(l) as TraceEvent))).toBe(result.traceHash);
  });
});
