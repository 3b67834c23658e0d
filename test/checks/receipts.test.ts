import { describe, expect, it } from "vitest";
import { claimsMatchOutcomes, receiptEvidence, receiptsResolved } from "../../src/checks/receipts.js";
import { Trace, type Attrs } from "../../src/sim/trace.js";

/** A trace written by hand, on a clock the story moves: runs, job submissions and endings, reports. */
class Story {
  readonly clock = { now: 0 };
  readonly trace = new Trace(this.clock);

  at(t: number): this {
    this.clock.now = t;
    return this;
  }

  run(name: string): number {
    return this.trace.begin({ actor: "agent", layer: "harness", kind: "run", attrs: { name } });
  }

  submit(run: number, jobId: string): number {
    const span = this.trace.begin({ actor: "jobs", layer: "tool", kind: "job.submit", parent: run, attrs: { jobId } });
    this.trace.end(span, { receipt: jobId });
    return span;
  }

  end(submit: number, jobId: string, state: "succeeded" | "failed"): number {
    return this.trace.instant({ actor: "jobs", layer: "tool", kind: `job.${state}`, parent: submit, attrs: { jobId } });
  }

  report(run: number, status: string, claims: { jobId: string; outcome: string }[], text?: string): number {
    const attrs: Attrs = { subject: "task T-1", status, claims };
    if (text !== undefined) attrs.text = text;
    return this.trace.instant({ actor: "agent", layer: "harness", kind: "report", parent: run, attrs });
  }
}

describe("receipts-resolved", () => {
  it("breaks when a run reports done while the job it started is still running, with the submission and the report as evidence", () => {
    const s = new Story();
    const run = s.at(0).run("a");
    const submit = s.at(1_000).submit(run, "job-1");
    const report = s.at(5_000).report(run, "done", [{ jobId: "job-1", outcome: "succeeded" }]);
    s.at(200_000).end(submit, "job-1", "failed");
    const v = receiptsResolved(receiptEvidence(s.trace));
    expect(v.held).toBe(false);
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]).toMatchObject({ invariant: "receipts-resolved", at: 5_000, evidence: [submit, report] });
    expect(v.violations[0]?.message).toBe(
      'task T-1: reported "done" at +00:00:05.000 while job job-1, started 4s earlier, was still running (it failed 3m 15s later)',
    );
  });

  it("holds for a report made after the job ended, and for an honest pending report", () => {
    const s = new Story();
    const a = s.at(0).run("a");
    const b = s.run("b");
    const subA = s.submit(a, "job-1");
    const subB = s.submit(b, "job-2");
    s.at(60_000).end(subA, "job-1", "succeeded");
    s.at(61_000).report(a, "done", [{ jobId: "job-1", outcome: "succeeded" }]);
    s.at(62_000).report(b, "pending", [{ jobId: "job-2", outcome: "pending" }]);
    s.at(90_000).end(subB, "job-2", "failed");
    const e = receiptEvidence(s.trace);
    expect(receiptsResolved(e).held).toBe(true);
    expect(claimsMatchOutcomes(e, { endOfRun: 90_000 }).held).toBe(true);
  });

  it("a report answers for the jobs of its own run only, found by causal ancestry", () => {
    const s = new Story();
    const a = s.at(0).run("a");
    const b = s.run("b");
    const subA = s.submit(a, "job-1");
    s.submit(b, "job-2");
    s.at(10_000).end(subA, "job-1", "succeeded");
    s.at(11_000).report(a, "done", [{ jobId: "job-1", outcome: "succeeded" }]);
    const e = receiptEvidence(s.trace);
    expect(e.reports[0]?.jobs).toEqual(["job-1"]);
    expect(receiptsResolved(e).held).toBe(true);
  });

  it("judges the jobs the run started even when the report does not mention them", () => {
    const s = new Story();
    const run = s.at(0).run("a");
    s.submit(run, "job-1");
    s.at(3_000).report(run, "done", []);
    expect(receiptsResolved(receiptEvidence(s.trace)).violations[0]?.message).toContain("it was still running when the run ended");
  });
});

describe("claims-match-outcomes", () => {
  it("breaks when the job a report called a success fails, at the failure, after the report", () => {
    const s = new Story();
    const run = s.at(0).run("a");
    const submit = s.submit(run, "job-1");
    const report = s.at(4_000).report(run, "done", [{ jobId: "job-1", outcome: "succeeded" }], "Done: invoices exported.");
    const failed = s.at(184_000).end(submit, "job-1", "failed");
    const v = claimsMatchOutcomes(receiptEvidence(s.trace), { endOfRun: 200_000 });
    expect(v.violations).toHaveLength(1);
    expect(v.violations[0]).toMatchObject({ at: 184_000, evidence: [report, failed] });
    expect(v.violations[0]?.message).toBe(
      'task T-1: the report at +00:00:04.000 ("Done: invoices exported.") claimed job job-1 succeeded, but it failed at +00:03:04.000, 3m after the report; nobody was listening',
    );
  });

  it("a success claimed for a job still running when the run ends is false at the end of the run", () => {
    const s = new Story();
    const run = s.at(0).run("a");
    s.submit(run, "job-1");
    s.at(4_000).report(run, "done", [{ jobId: "job-1", outcome: "succeeded" }]);
    const v = claimsMatchOutcomes(receiptEvidence(s.trace), { endOfRun: 600_000 });
    expect(v.violations[0]?.at).toBe(600_000);
    expect(v.violations[0]?.message).toContain("was still running when the run ended");
  });

  it("a claimed failure of a job that succeeded is a mismatch too; pending claims are never judged", () => {
    const s = new Story();
    const run = s.at(0).run("a");
    const sub1 = s.submit(run, "job-1");
    s.submit(run, "job-2");
    s.at(30_000).end(sub1, "job-1", "succeeded");
    s.at(31_000).report(run, "failed", [
      { jobId: "job-1", outcome: "failed" },
      { jobId: "job-2", outcome: "pending" },
    ]);
    const v = claimsMatchOutcomes(receiptEvidence(s.trace), { endOfRun: 60_000 });
    expect(v.violations.map((x) => x.message)).toEqual(["task T-1: the report at +00:00:31.000 claimed job job-1 failed, but it succeeded at +00:00:30.000"]);
  });
});
