import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { retryLaundering } from "../../src/scenarios/retry-laundering.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = retryLaundering.defaults.seed;
const memo = new Map<string, Promise<RunResult>>();
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> => {
  const key = JSON.stringify([mitigations, params, seed]);
  if (!memo.has(key)) memo.set(key, runScenario({ scenario: retryLaundering, seed, mitigations, params }));
  return memo.get(key) as Promise<RunResult>;
};
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const kinds = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind);
/** The harness `step` begin event a trace event descends from. */
const stepOf = (r: RunResult, id: number): TraceEvent | undefined => r.trace.causalChain(id).find((e) => e.kind === "step" && e.phase === "begin");
const isCallerError = (e: TraceEvent): boolean => e.kind === "tool.call" && e.phase === "end" && e.attrs?.error === "caller";
const WELL_FORMED_KEYS = ["fields", "include_history", "limit", "order_id"];

describe("retry-laundering at its default seed", () => {
  it("reports steps as clean successes although the tool rejected their earlier calls as malformed", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    const clean = r.violations.filter((v) => ev(r, v.evidence.at(-1) as number).attrs?.status === "success");
    // Most are laundered successes; the rest are steps that ran out of attempts (every sample
    // malformed, or malformed and then a 5xx), reported as plain failures that count no caller error either.
    expect(clean.length).toBeGreaterThan(r.violations.length / 2);
    for (const v of r.violations.filter((x) => !clean.includes(x))) {
      expect(ev(r, v.evidence.at(-1) as number).attrs).toMatchObject({ status: "failed", attempts: 4 });
    }
    for (const v of r.violations) {
      const report = ev(r, v.evidence.at(-1) as number);
      expect(report).toMatchObject({ kind: "step.status", layer: "harness", attrs: { callerErrors: 0 } });
      const errors = v.evidence.slice(0, -1).map((id) => ev(r, id));
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(isCallerError(e)).toBe(true);
        expect(stepOf(r, e.id)?.id).toBe(stepOf(r, report.id)?.id);
      }
    }
    for (const v of clean) {
      expect(v.message).toMatch(
        /^task T-\d{4} step "lookup_order" \(success after \d attempts\) was reported as a clean success, but \d caller errors? preceded it/,
      );
    }
  });

  it("each rejected call really was malformed, and the call that passed was well formed", async () => {
    const r = await run();
    for (const v of r.violations.filter((x) => ev(r, x.evidence.at(-1) as number).attrs?.status === "success")) {
      for (const id of v.evidence.slice(0, -1)) {
        const args = ev(r, ev(r, id).span as number).attrs?.args as Record<string, unknown>;
        const fine =
          Object.keys(args).sort().join() === WELL_FORMED_KEYS.join() &&
          typeof args.order_id === "string" &&
          Array.isArray(args.fields) &&
          typeof args.limit === "number" &&
          typeof args.include_history === "boolean";
        expect(fine).toBe(false);
      }
      const passed = ev(r, ev(r, v.evidence.at(-1) as number).parent as number);
      expect(passed).toMatchObject({ kind: "tool.call", phase: "end", attrs: { ok: true } });
      expect(Object.keys(ev(r, passed.span as number).attrs?.args as object).sort()).toEqual(WELL_FORMED_KEYS);
    }
  });

  it("the causal chain runs from the customer's task through model calls, a retry and the tool to the green status", async () => {
    const r = await run();
    const chain = r.trace.causalChain(r.violations[0]?.evidence.at(-1) as number);
    expect(chain[0]).toMatchObject({ kind: "task.request", layer: "user" });
    expect(chain.at(-1)).toMatchObject({ kind: "step.status", attrs: { status: "success" } });
    expect(new Set(chain.map((e) => e.layer))).toEqual(new Set(["user", "harness", "model", "tool"]));
    const retry = chain.find((e) => e.kind === "retry.scheduled") as TraceEvent;
    expect(ev(r, retry.parent as number).attrs).toMatchObject({ outcome: "error", error: "caller" });
  });

  it("the dashboard shows ~99% success while about 30% of first calls were the model's mistakes", async () => {
    const r = await run();
    const statuses = kinds(r, "step.status");
    const success = statuses.filter((e) => e.attrs?.status === "success").length;
    expect(metric(r, "dashboard success rate")).toBeCloseTo(success / statuses.length, 9);
    expect(metric(r, "dashboard success rate")).toBeGreaterThan(0.95);
    expect(metric(r, "reported caller-error rate")).toBe(0);
    const firstCalls = r.trace.events.filter((e) => e.kind === "tool.call" && e.phase === "begin" && ev(r, e.parent as number).attrs?.attempt === 1);
    const firstErrors = firstCalls.filter((c) => r.trace.events.some((e) => isCallerError(e) && e.span === c.id));
    expect(firstCalls).toHaveLength(120);
    expect(metric(r, "first-attempt caller-error rate")).toBeCloseTo(firstErrors.length / firstCalls.length, 9);
    // pMalformed 0.3 over 120 first calls: within four standard deviations (about 0.17) of 30%.
    expect(Math.abs(metric(r, "first-attempt caller-error rate") - 0.3)).toBeLessThan(0.17);
    expect(metric(r, "caller errors")).toBe(r.trace.events.filter(isCallerError).length);
    expect(metric(r, "caller errors reported")).toBe(0);
    expect(metric(r, "retries of caller errors")).toBeGreaterThan(0.8 * metric(r, "caller errors"));
  });

  it("without malformed samples there is nothing to launder: it holds", async () => {
    const r = await run([], { model: { pMalformed: 0 } });
    expect(r.trace.events.some(isCallerError)).toBe(false);
    expect(r.verdict).toBe("held");
  });
});

describe("retry-laundering with classify-errors", () => {
  it("holds: every step with a caller error is reported as recovered (or failed) with its caller errors counted", async () => {
    const r = await run(["classify-errors"]);
    expect(r.verdict).toBe("held");
    for (const s of kinds(r, "step.status")) {
      const step = stepOf(r, s.id) as TraceEvent;
      const errors = r.trace.events.filter((e) => isCallerError(e) && stepOf(r, e.id)?.id === step.id).length;
      expect(s.attrs?.callerErrors).toBe(errors);
      if (errors > 0) expect(s.attrs?.status).not.toBe("success");
    }
    expect(metric(r, "caller errors reported")).toBe(metric(r, "caller errors"));
    expect(metric(r, "reported caller-error rate")).toBeGreaterThan(0.15);
  });

  it("caller errors go back to the model instead of being retried; transient errors are still retried", async () => {
    const r = await run(["classify-errors"]);
    expect(metric(r, "retries of caller errors")).toBe(0);
    const feedback = kinds(r, "feedback");
    expect(feedback.length).toBeGreaterThan(0);
    for (const f of feedback) expect(ev(r, f.parent as number).attrs).toMatchObject({ error: "caller" });
    const retries = kinds(r, "retry.scheduled");
    expect(retries.length).toBe(metric(r, "retries"));
    for (const t of retries) expect(["transient", "rate-limited"]).toContain(ev(r, t.parent as number).attrs?.error);
  });

  it("the dashboard now shows the defects: clean successes drop by about the caller-error rate", async () => {
    const [off, on] = await Promise.all([run(), run(["classify-errors"])]);
    expect(metric(off, "clean success rate")).toBe(metric(off, "dashboard success rate"));
    expect(metric(on, "clean success rate")).toBeLessThan(metric(on, "dashboard success rate") - 0.15);
    const statuses = kinds(on, "step.status");
    expect(metric(on, "steps recovered after caller error")).toBe(statuses.filter((e) => e.attrs?.status === "recovered-after-caller-error").length);
  });
});
