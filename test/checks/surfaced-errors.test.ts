import { describe, expect, it } from "vitest";
import { errorsSurfaced, type SurfacedErrorsOptions } from "../../src/checks/surfaced-errors.js";
import { Trace, type TraceEvent } from "../../src/sim/trace.js";

/** A step with attempts: each attempt calls the tool; `errors` of them fail as caller errors; then a report. */
function step(trace: Trace, errors: number, report: { status: string; callerErrors: number }): { step: number; errorIds: number[]; report: number } {
  const span = trace.begin({ actor: "agent", layer: "harness", kind: "step" });
  let cause = span;
  const errorIds: number[] = [];
  let last = span;
  for (let a = 0; a <= errors; a++) {
    const attempt = trace.begin({ actor: "agent", layer: "harness", kind: "attempt", parent: cause });
    const call = trace.begin({ actor: "tool", layer: "tool", kind: "tool.call", parent: attempt });
    const failed = a < errors;
    last = trace.end(call, failed ? { ok: false, error: "caller" } : { ok: true, result: 1 });
    if (failed) errorIds.push(last);
    const attemptEnd = trace.end(attempt, {});
    if (failed) cause = trace.instant({ actor: "agent", layer: "harness", kind: "retry.scheduled", parent: attemptEnd });
  }
  trace.end(span, {});
  const r = trace.instant({ actor: "agent", layer: "harness", kind: "step.status", parent: last, attrs: report });
  return { step: span, errorIds, report: r };
}

const options: SurfacedErrorsOptions = {
  invariant: "caller-errors-surfaced",
  isRoot: (e) => e.kind === "step" && e.phase === "begin",
  report: (e: TraceEvent) =>
    e.kind === "step.status" ? { clean: e.attrs?.status === "success", reportedErrors: Number(e.attrs?.callerErrors), label: `step #${e.id}` } : undefined,
  error: (e: TraceEvent) => (e.kind === "tool.call" && e.phase === "end" && e.attrs?.error === "caller" ? `caller error at #${e.id}` : undefined),
  noun: "caller error",
};

describe("errorsSurfaced", () => {
  it("flags a clean success whose tree holds caller errors, citing them and the report", () => {
    const trace = new Trace({ now: 0 });
    const s = step(trace, 2, { status: "success", callerErrors: 0 });
    const v = errorsSurfaced(trace, options);
    expect(v.held).toBe(false);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]?.message).toBe(
      `step #${s.report} was reported as a clean success, but 2 caller errors preceded it in its causal tree (first: caller error at #${s.errorIds[0]})`,
    );
    expect(v.violations[0]?.evidence).toEqual([...s.errorIds, s.report]);
  });

  it("accepts a clean success with no error, and a recovery that counts its errors", () => {
    const trace = new Trace({ now: 0 });
    step(trace, 0, { status: "success", callerErrors: 0 });
    step(trace, 2, { status: "recovered-after-caller-error", callerErrors: 2 });
    expect(errorsSurfaced(trace, options).held).toBe(true);
  });

  it("flags a report that counts fewer errors than its tree holds", () => {
    const trace = new Trace({ now: 0 });
    step(trace, 3, { status: "recovered-after-caller-error", callerErrors: 1 });
    const v = errorsSurfaced(trace, options);
    expect(v.violations[0]?.message).toContain("was reported counting 1 caller error, but 3 caller errors preceded it");
  });

  it("keeps each step's errors to its own tree", () => {
    const trace = new Trace({ now: 0 });
    step(trace, 2, { status: "recovered-after-caller-error", callerErrors: 2 });
    const clean = step(trace, 0, { status: "success", callerErrors: 0 });
    const v = errorsSurfaced(trace, options);
    expect(v.held).toBe(true);
    expect(clean.errorIds).toEqual([]);
  });
});
