import { describe, expect, it } from "vitest";
import { JobService, type JobOutcome, type JobServiceOptions } from "../../src/actors/job-service.js";
import { Simulation } from "../../src/sim/simulation.js";

const MIN = 60_000;
const failing: JobServiceOptions = { name: "render", duration: "3m", failureProbability: 1, pollLatency: "100ms" };

describe("JobService: receipts", () => {
  it("answers at once with a receipt while the job is still pending", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, failing);
    let seen: unknown;
    sim.spawn("agent", async (ctx) => {
      const r = await jobs.call(ctx, { args: { frame: 1 } });
      seen = { r, at: ctx.now, state: r.ok ? jobs.status(r.receipt as string)?.state : undefined };
    });
    await sim.run();
    expect(seen).toMatchObject({ r: { ok: true, receipt: "render:job-1", result: { state: "pending" } }, at: 0, state: "pending" });
  });

  it("a late failure is observable by polling", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, failing);
    const polls: [number, string][] = [];
    sim.spawn("agent", async (ctx) => {
      const r = await jobs.call(ctx, { args: { frame: 1 } });
      for (let i = 0; i < 4; i++) {
        const p = await jobs.poll(ctx, r.ok ? (r.receipt as string) : "", r.eventId);
        polls.push([ctx.now, p.state]);
        await ctx.sleep("1m");
      }
    });
    await sim.run();
    // Polls answered at 0.1 s, 1m 0.2s and 2m 0.3s see it pending; the one at 3m 0.4s sees the failure at 3m.
    expect(polls.map(([, s]) => s)).toEqual(["pending", "pending", "pending", "failed"]);
    expect(polls[3]![0]).toBeCloseTo(3 * MIN + 400, 6);
    expect(jobs.status("render:job-1")).toMatchObject({ state: "failed", finishedAt: 3 * MIN });
  });

  it("a late failure is delivered to the callback, parented on the submission", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, failing);
    const heard: JobOutcome[] = [];
    let submitted = -1;
    sim.spawn("agent", async (ctx) => {
      const step = ctx.sim.trace.instant({ actor: "agent", layer: "harness", kind: "step" });
      const r = await jobs.submit(ctx, { args: { frame: 1 }, parent: step }, (o) => heard.push(o));
      submitted = r.eventId;
    });
    await sim.run();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ jobId: "render:job-1", state: "failed", result: null, t: 3 * MIN });
    const failed = sim.trace.get(heard[0]!.eventId)!;
    expect(failed.kind).toBe("job.failed");
    expect(failed.parent).toBe(sim.trace.get(submitted)!.span); // the submission span
    expect(sim.trace.causalChain(failed.id).map((e) => e.kind)).toEqual(["step", "job.submit", "job.failed"]);
    expect(sim.trace.events.some((e) => e.kind === "job.callback" && e.parent === failed.id)).toBe(true);
  });

  it("delivers to a mailbox that a process waits on", async () => {
    const sim = new Simulation({ seed: 1 });
    const inbox = sim.mailbox<JobOutcome>("agent inbox");
    const jobs = new JobService(sim, { ...failing, failureProbability: 0, onComplete: inbox });
    let got: [number, string] | undefined;
    sim.spawn("agent", async (ctx) => {
      await jobs.call(ctx, { args: {} });
      const o = await ctx.receive(inbox);
      got = [ctx.now, o.state];
    });
    await sim.run();
    expect(got).toEqual([3 * MIN, "succeeded"]);
  });
});

describe("JobService: outcomes", () => {
  it("commits a successful job's effect when the job ends, not at submission", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, { name: "payouts", duration: "2m", effect: { name: "payout", key: (a) => String(a.id) } });
    sim.spawn("agent", async (ctx) => {
      await jobs.call(ctx, { args: { id: "P1" } });
    });
    await sim.run();
    expect(jobs.ledger.entries).toMatchObject([{ t: 2 * MIN, effect: "payout", key: "P1", requestId: "payouts:job-1" }]);
  });

  it("a failed job commits no effect", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, { ...failing, effect: { name: "render", key: () => "F1" } });
    sim.spawn("agent", async (ctx) => {
      await jobs.call(ctx, { args: {} });
    });
    await sim.run();
    expect(jobs.ledger.count()).toBe(0);
  });

  it("fails jobs at the seeded rate, each after a drawn duration", async () => {
    const sim = new Simulation({ seed: 5 });
    const jobs = new JobService(sim, { name: "batch", failureProbability: 0.25 });
    sim.spawn("agent", async (ctx) => {
      for (let i = 0; i < 1_000; i++) await jobs.call(ctx, { args: { i } });
    });
    await sim.run();
    const failed = jobs.jobs.filter((j) => j.state === "failed").length;
    expect(failed).toBeGreaterThan(200);
    expect(failed).toBeLessThan(300);
    const durations = jobs.jobs.map((j) => (j.finishedAt as number) - j.submittedAt).sort((a, b) => a - b);
    expect(durations[500]).toBeGreaterThan(1.5 * MIN); // the default median is 2 minutes
    expect(durations[500]).toBeLessThan(2.5 * MIN);
  });

  it("polling an unknown job id is a caller error", async () => {
    const sim = new Simulation({ seed: 1 });
    const jobs = new JobService(sim, failing);
    let r: unknown;
    sim.spawn("agent", async (ctx) => {
      r = await jobs.pollTool.call(ctx, { args: { jobId: "render:job-9" } });
    });
    await sim.run();
    expect(r).toMatchObject({ ok: false, error: "caller" });
  });
});
