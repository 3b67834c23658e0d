import { describe, expect, it } from "vitest";
import { checkScenario } from "../../src/run/check.js";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { clockRace } from "../../src/scenarios/clock-race.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = clockRace.defaults.seed;
const run = (mitigations: string[] = [], seed = SEED): Promise<RunResult> => runScenario({ scenario: clockRace, seed, mitigations });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const events = (r: RunResult, kind: string, phase?: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind && (!phase || e.phase === phase));
const endOf = (r: RunResult, begin: TraceEvent): TraceEvent | undefined => r.trace.events.find((e) => e.phase === "end" && e.span === begin.id);

describe("clock-race at its default seed", () => {
  it("breaks both invariants", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(new Set(r.violations.map((v) => v.invariant))).toEqual(new Set(["no-phantom-failure", "single-effect"]));
  });

  it("a phantom failure: the budget fired at 7.9 s, the harness declared the call failed, and the call committed afterwards", async () => {
    const r = await run();
    const phantoms = r.violations.filter((v) => v.invariant === "no-phantom-failure");
    expect(phantoms.length).toBeGreaterThan(0);
    for (const v of phantoms) {
      expect(v.message).toMatch(/^invoice for order O-\d{4} committed \S+ after agent declared create-invoice attempt \d failed \(budget-exceeded\)$/);
      const [declared, call, commit] = v.evidence.map((id) => ev(r, id)) as [TraceEvent, TraceEvent, TraceEvent];
      expect(declared).toMatchObject({ kind: "step.declared-failed", layer: "harness" });
      expect(call).toMatchObject({ kind: "tool.call", phase: "begin", actor: "invoicing" });
      expect(commit).toMatchObject({ kind: "effect.commit", parent: call.id });
      expect(declared.t - call.t).toBe(7_900);
      expect(commit.t).toBeGreaterThan(declared.t);
      expect(commit.t - call.t).toBeLessThan(30_000); // within the tool's own timeout: the tool saw nothing wrong
    }
  });

  it("the late result lands after the plan moved on: the model had already replanned and the retry was under way", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "no-phantom-failure" && /attempt 1 failed/.test(x.message)) ?? r.violations[0];
    const [declared, call, commit] = v!.evidence.map((id) => ev(r, id)) as [TraceEvent, TraceEvent, TraceEvent];
    const answer = endOf(r, call);
    expect(answer?.attrs).toMatchObject({ ok: true });
    const replan = r.trace.events.find((e) => e.kind === "llm.call" && e.phase === "begin" && e.t >= declared.t && e.t <= commit.t);
    expect(replan).toBeDefined();
    expect(r.trace.causalChain(replan!.id).map((e) => e.kind)).toContain("retry.scheduled");
  });

  it("single-effect names the step committed twice, and the chain crosses user, harness, model and tool", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "single-effect");
    expect(v?.message).toMatch(/^invoice for order O-\d{4} committed [23] times \(at most 1 allowed\)$/);
    const commits = v!.evidence.map((id) => ev(r, id));
    expect(new Set(commits.map((c) => c.attrs?.key)).size).toBe(1);
    const chain = r.trace.causalChain(v!.evidence.at(-1) as number);
    expect(chain[0]).toMatchObject({ kind: "order.placed", layer: "user" });
    expect(new Set(chain.map((e) => e.layer))).toEqual(new Set(["user", "harness", "model", "tool"]));
  });

  it("its metrics agree with the trace", async () => {
    const r = await run();
    const commits = events(r, "effect.commit");
    expect(metric(r, "budget exceeded")).toBe(events(r, "budget.exceeded").length);
    expect(metric(r, "phantom failures")).toBe(r.violations.filter((v) => v.invariant === "no-phantom-failure").length);
    expect(metric(r, "invoices committed")).toBe(commits.length);
    expect(metric(r, "duplicate invoices")).toBe(commits.length - new Set(commits.map((c) => c.attrs?.key)).size);
    expect(metric(r, "replans")).toBe(events(r, "llm.call", "begin").length - metric(r, "orders"));
  });
});

describe("clock-race mitigations, each alone", () => {
  it("deadline-propagation: the tool is given the budget minus the margin and stops there; nothing is declared failed", async () => {
    const r = await run(["deadline-propagation"]);
    expect(r.verdict).toBe("held");
    expect(events(r, "budget.exceeded")).toHaveLength(0);
    const stopped = events(r, "tool.call", "end").filter((e) => e.attrs?.reason === "deadline");
    expect(stopped.length).toBeGreaterThan(0);
    for (const end of stopped) {
      const begin = ev(r, end.span as number);
      expect(begin.attrs?.deadlineAt).toBe(begin.t + 7_800);
      expect(end.t).toBe(begin.attrs?.deadlineAt);
    }
    expect(metric(r, "calls given up at the deadline")).toBe(stopped.length);
  });

  it("cancel-on-abandon: every abandoned call is cancelled before it commits", async () => {
    const r = await run(["cancel-on-abandon"]);
    expect(r.verdict).toBe("held");
    const fired = events(r, "budget.exceeded");
    const cancelled = events(r, "tool.cancelled");
    expect(fired.length).toBeGreaterThan(0);
    expect(cancelled.map((e) => e.t)).toEqual(fired.map((e) => e.t));
    expect(events(r, "tool.cancel-ignored")).toHaveLength(0);
  });

  it("neither makes the tool faster: steps whose every try ran past the budget are reported failed, honestly", async () => {
    const [off, dp, ca] = await Promise.all([run(), run(["deadline-propagation"]), run(["cancel-on-abandon"])]);
    expect(metric(dp, "invoices committed") + metric(dp, "steps reported failed")).toBe(metric(dp, "orders"));
    expect(metric(ca, "invoices committed") + metric(ca, "steps reported failed")).toBe(metric(ca, "orders"));
    expect(metric(off, "invoices committed")).toBeGreaterThan(metric(off, "orders"));
  });

  it.each([["deadline-propagation"], ["cancel-on-abandon"]])("%s alone: a search over seeds and parameters finds no violation", async (m) => {
    const s = await checkScenario({ base: { scenario: clockRace, mitigations: [m] }, runs: 40, seed: 1 });
    expect(s.found ? (s.result?.violations[0]?.message ?? s.error) : "none").toBe("none");
  });
});
