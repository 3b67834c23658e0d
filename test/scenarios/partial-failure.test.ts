import { describe, expect, it } from "vitest";
import { checkScenario } from "../../src/run/check.js";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { partialFailure } from "../../src/scenarios/partial-failure.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = partialFailure.defaults.seed;
const DEADLINE = 30_000;
const run = (mitigations: string[] = [], seed = SEED): Promise<RunResult> => runScenario({ scenario: partialFailure, seed, mitigations });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const events = (r: RunResult, kind: string, phase?: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind && (!phase || e.phase === phase));
const endOf = (r: RunResult, begin: TraceEvent): TraceEvent | undefined => r.trace.events.find((e) => e.phase === "end" && e.span === begin.id);
const of = (r: RunResult, invariant: string) => r.violations.filter((v) => v.invariant === invariant);
/** The agent run (its `run` span begin) among the causes of `e`. */
const runOf = (r: RunResult, e: TraceEvent): TraceEvent | undefined =>
  r.trace
    .causalChain(e.id)
    .filter((c) => c.kind === "run" && c.phase === "begin")
    .at(-1);

describe("partial-failure at its default seed", () => {
  it("breaks both invariants", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(of(r, "bounded-latency").length).toBeGreaterThan(0);
    expect(of(r, "effects-exactly-once").length).toBeGreaterThan(0);
  });

  it("a whole-run retry commits an earlier hop's effect again: each commit in a different run of the same order", async () => {
    const r = await run();
    for (const v of of(r, "effects-exactly-once")) {
      const [, effect, order] = /^(charge|receipt email|CRM update) for order (O-\d{4}) committed \d times \(at most 1 allowed\)$/.exec(v.message) ?? [];
      expect(effect).toBeDefined();
      const commits = v.evidence.map((id) => ev(r, id));
      for (const c of commits) expect(c).toMatchObject({ kind: "effect.commit", attrs: { effect, key: `order ${order}` } });
      const runs = commits.map((c) => runOf(r, c));
      expect(runs.every((x) => x?.attrs?.order === order)).toBe(true);
      expect(new Set(runs.map((x) => x?.attrs?.run)).size).toBe(commits.length);
      // The run that committed first failed: at a later hop, or at this very hop after its commit.
      expect(endOf(r, runs[0] as TraceEvent)?.attrs?.outcome).toBe("failed");
    }
  });

  it("the chain of a duplicate crosses the caller's retry, the model's plan and the harness to the tool", async () => {
    const r = await run();
    const v = of(r, "effects-exactly-once")[0];
    const chain = r.trace.causalChain(v!.evidence.at(-1) as number);
    expect(chain[0]).toMatchObject({ kind: "agent.run", layer: "user", actor: "orders-api" });
    expect(chain.map((e) => e.kind)).toContain("run.retry");
    expect(new Set(chain.map((e) => e.layer))).toEqual(new Set(["user", "harness", "model", "tool"]));
  });

  it("a hop with no timeout hangs the caller: agent.run never returns, and the evidence is the call it waits on", async () => {
    const r = await run();
    const hung = of(r, "bounded-latency").filter((v) => v.message.includes("never returned"));
    expect(hung.length).toBeGreaterThan(0);
    for (const v of hung) {
      expect(v.message).toMatch(/^agent\.run for order O-\d{4} never returned, over its 30000ms deadline$/);
      const call = ev(r, v.evidence.at(-1) as number);
      expect(call).toMatchObject({ kind: "tool.call", phase: "begin" });
      expect(["mailer", "crm"]).toContain(call.actor); // the hops whose services have no timeout
      expect(endOf(r, call)).toBeUndefined();
      expect(v.at).toBe(r.outcome.now);
    }
    expect(r.outcome.status).toBe("stalled");
    expect(metric(r, "never returned")).toBe(hung.length);
  });

  it("its metrics agree with the trace and the ledger", async () => {
    const r = await run();
    const commits = events(r, "effect.commit");
    const keys = (effect: string) => commits.filter((c) => c.attrs?.effect === effect);
    for (const [name, effect] of [
      ["duplicate charges", "charge"],
      ["duplicate receipt emails", "receipt email"],
      ["duplicate CRM updates", "CRM update"],
    ] as const) {
      expect(metric(r, name)).toBe(keys(effect).length - new Set(keys(effect).map((c) => c.attrs?.key)).size);
    }
    expect(metric(r, "runs")).toBe(events(r, "run", "begin").length);
    expect(metric(r, "runs")).toBe(metric(r, "orders") + metric(r, "whole-run retries"));
    expect(metric(r, "hop calls hanging")).toBeGreaterThanOrEqual(metric(r, "never returned"));
    expect(metric(r, "failures after commit")).toBeGreaterThan(0);
  });
});

describe("partial-failure: what each mitigation fixes", () => {
  it("step-checkpoints alone fixes effects-exactly-once: a retried run skips every hop that committed, even one that then failed", async () => {
    const r = await run(["step-checkpoints"]);
    expect(of(r, "effects-exactly-once")).toEqual([]);
    expect(of(r, "bounded-latency").length).toBeGreaterThan(0);
    const skips = events(r, "step.skipped");
    expect(skips.length).toBeGreaterThan(0);
    for (const s of skips) {
      const cp = ev(r, s.parent as number);
      const call = ev(r, cp.parent as number);
      expect(cp).toMatchObject({ kind: "checkpoint.write", attrs: { run: s.attrs?.order, step: s.attrs?.step } });
      expect(call).toMatchObject({ kind: "tool.call", phase: "begin", attrs: { args: { order: s.attrs?.order } } });
      expect(cp.t).toBeLessThan(s.t);
    }
    // A hop that failed after committing was not redone.
    const failedAfterCommit = events(r, "tool.call", "end").filter(
      (e) => e.attrs?.ok === false && events(r, "checkpoint.write").some((cp) => cp.parent === e.span),
    );
    expect(failedAfterCommit.length).toBeGreaterThan(0);
  });

  it("hop-deadlines alone fixes bounded-latency: every agent.run returns by its deadline, hung hops included", async () => {
    const r = await run(["hop-deadlines"]);
    expect(of(r, "bounded-latency")).toEqual([]);
    expect(of(r, "effects-exactly-once").length).toBeGreaterThan(0);
    expect(r.outcome.status).toBe("completed");
    for (const begin of events(r, "agent.run", "begin")) {
      const end = endOf(r, begin);
      expect(end!.t - begin.t).toBeLessThanOrEqual(DEADLINE);
    }
    for (const call of events(r, "tool.call", "begin")) {
      const order = runOf(r, call)?.attrs?.order;
      const asked = events(r, "agent.run", "begin").find((e) => e.attrs?.order === order) as TraceEvent;
      expect(call.attrs?.deadlineAt).toBeLessThanOrEqual(asked.t + DEADLINE);
    }
  });

  it("both together hold at the default seed, with every order's effects committed once", async () => {
    const r = await run(["step-checkpoints", "hop-deadlines"]);
    expect(r.verdict).toBe("held");
    expect(metric(r, "duplicate charges") + metric(r, "duplicate receipt emails") + metric(r, "duplicate CRM updates")).toBe(0);
    expect(metric(r, "never returned")).toBe(0);
  });

  it.each([
    ["step-checkpoints", "effects-exactly-once"],
    ["hop-deadlines", "bounded-latency"],
  ])("%s alone: a search over seeds, parameters and hop slowdowns finds no breach of %s", async (m, invariant) => {
    const s = await checkScenario({ base: { scenario: partialFailure, mitigations: [m], invariants: [invariant] }, runs: 40, seed: 7 });
    expect(s.found ? (s.result?.violations[0]?.message ?? s.error) : "none").toBe("none");
  });
});
