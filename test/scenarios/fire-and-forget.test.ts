import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { fireAndForget } from "../../src/scenarios/fire-and-forget.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = fireAndForget.defaults.seed;
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> =>
  runScenario({ scenario: fireAndForget, seed, mitigations, params });
const metric = (r: RunResult, name: string): number | string => r.metrics.find((m) => m.name === name)?.value as number | string;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const kinds = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind && e.phase !== "end");
const jobEnd = (r: RunResult, jobId: string): TraceEvent | undefined =>
  r.trace.events.find((e) => (e.kind === "job.succeeded" || e.kind === "job.failed") && e.attrs?.jobId === jobId);

describe("fire-and-forget at its default seed", () => {
  it("reports every task done seconds after submitting its job, while the job runs for minutes", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    const resolved = r.violations.filter((v) => v.invariant === "receipts-resolved");
    const tasks = kinds(r, "task").length;
    expect(resolved).toHaveLength(tasks);
    for (const v of resolved) {
      const [submit, report] = v.evidence.map((id) => ev(r, id));
      expect(submit).toMatchObject({ kind: "job.submit", phase: "begin", layer: "tool", actor: "jobs" });
      expect(report).toMatchObject({ kind: "report", layer: "harness", actor: "agent", attrs: { status: "done" } });
      expect(report!.t - submit!.t).toBeLessThan(30_000);
      const end = jobEnd(r, String(submit!.attrs?.jobId));
      expect(end!.t - report!.t).toBeGreaterThan(30_000);
      expect(v.message).toMatch(
        /^task T-\d+ \(.+\): reported "done" at \+[\d:.]+ while job jobs:job-\d+, started .+ earlier, was still running \(it (succeeded|failed) .+ later\)$/,
      );
    }
  });

  it("tells the user a failed job succeeded; the failure arrives minutes later, caused by the submission nobody watches", async () => {
    const r = await run();
    const claims = r.violations.filter((v) => v.invariant === "claims-match-outcomes");
    const failed = kinds(r, "job.failed");
    expect(failed.length).toBeGreaterThan(0);
    expect(claims).toHaveLength(failed.length);
    for (const v of claims) {
      const [report, failure] = v.evidence.map((id) => ev(r, id));
      expect(failure).toMatchObject({ kind: "job.failed", layer: "tool" });
      expect(v.at).toBe(failure!.t);
      expect(report!.attrs?.claims).toEqual([{ jobId: failure!.attrs?.jobId, outcome: "succeeded" }]);
      expect(String(report!.attrs?.text)).toMatch(/^Done: /);
      expect(failure!.t - report!.t).toBeGreaterThan(60_000);
      // Nothing the agent did came after the failure: no poll, no report, no callback.
      expect(r.trace.events.some((e) => e.parent === failure!.id)).toBe(false);
    }
  });

  it("the causal chain of a premature report runs user -> harness -> model -> tool (the receipt) -> model (the summary) -> report", async () => {
    const r = await run();
    const v = r.violations.find((x) => x.invariant === "receipts-resolved")!;
    const chain = r.trace.causalChain(v.evidence.at(-1) as number);
    expect(chain.map((e) => e.kind)).toEqual([
      "task",
      "run",
      "step",
      "llm.call",
      "llm.call",
      "attempt",
      "job.submit",
      "job.submit",
      "llm.call",
      "llm.call",
      "report",
    ]);
    expect(chain.map((e) => e.layer)).toEqual(["user", "harness", "harness", "model", "model", "harness", "tool", "tool", "model", "model", "harness"]);
  });

  it("its metrics count jobs, failures, claims and how long after the claim each failure came", async () => {
    const r = await run();
    const failed = kinds(r, "job.failed");
    const reports = kinds(r, "report");
    expect(metric(r, "jobs")).toBe(kinds(r, "job.submit").length);
    expect(metric(r, "failed jobs")).toBe(failed.length);
    expect(metric(r, "claims of success")).toBe(reports.length);
    expect(metric(r, "false claims")).toBe(failed.length);
    expect(metric(r, "reported pending")).toBe(0);
    const lags = failed.map((f) => f.t - reports.find((p) => (p.attrs?.claims as { jobId: string }[])[0]?.jobId === f.attrs?.jobId)!.t);
    expect(metric(r, "report to failure (max)")).toBeCloseTo(Math.max(...lags), 6);
  });
});

describe("fire-and-forget with await-receipts", () => {
  it("holds: each task is reported only after its job ended, and a failure is reported as a failure", async () => {
    const r = await run(["await-receipts"]);
    expect(r.verdict).toBe("held");
    for (const report of kinds(r, "report")) {
      const [claim] = report.attrs?.claims as { jobId: string; outcome: string }[];
      const end = jobEnd(r, claim!.jobId)!;
      expect(end.id).toBeLessThan(report.id);
      expect(claim!.outcome).toBe(end.kind === "job.succeeded" ? "succeeded" : "failed");
      expect(report.attrs?.status).toBe(end.kind === "job.succeeded" ? "done" : "failed");
    }
    expect(metric(r, "false claims")).toBe(0);
    expect(metric(r, "claims of success")).toBe(kinds(r, "job.succeeded").length);
    expect(metric(r, "report to failure (median)")).toBe("none");
  });

  it("the harness learns the outcome by polling the job's status tool under a receipt.await span", async () => {
    const r = await run(["await-receipts"]);
    const waits = kinds(r, "receipt.await");
    expect(waits).toHaveLength(kinds(r, "task").length);
    const polls = r.trace.events.filter((e) => e.actor === "jobs.status" && e.phase === "begin");
    expect(polls.length).toBeGreaterThan(waits.length);
    expect(polls.every((p) => waits.some((w) => w.id === p.parent))).toBe(true);
  });

  it("a job still running at the receipt deadline is reported as pending, not done, and the run still holds", async () => {
    const r = await run(["await-receipts"], { receipts: { timeout: "1m" } });
    expect(r.verdict).toBe("held");
    const pending = kinds(r, "report").filter((p) => p.attrs?.status === "pending");
    expect(pending.length).toBeGreaterThan(0);
    expect(metric(r, "reported pending")).toBe(pending.length);
    for (const p of pending) {
      const [claim] = p.attrs?.claims as { jobId: string }[];
      expect(jobEnd(r, claim!.jobId)!.t).toBeGreaterThan(p.t);
      expect(String(p.attrs?.text)).toMatch(/^Still running: /);
    }
  });
});

describe("fire-and-forget: the two invariants catch different things", () => {
  it("with jobs that never fail, a premature report still breaks receipts-resolved while every claim comes true", async () => {
    const r = await run([], { job: { failureProbability: 0 } });
    const broken = new Set(r.verdicts.filter((v) => !v.held).map((v) => v.invariant));
    expect(broken).toEqual(new Set(["receipts-resolved"]));
  });
});
