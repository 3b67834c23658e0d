import { describe, expect, it } from "vitest";
import type { ToolPort, ToolRequest } from "../../src/actors/contracts.js";
import { awaitReceipt, receiptsViaTool, type ReceiptStatus } from "../../src/actors/receipts.js";
import { Simulation } from "../../src/sim/simulation.js";

/** A status tool for one job that ends at `endsAt` with `state`; answers after 50 ms. */
function statusTool(sim: Simulation, endsAt: number, state: "succeeded" | "failed"): ToolPort & { polls: ToolRequest[] } {
  const polls: ToolRequest[] = [];
  return {
    name: "jobs.status",
    polls,
    async call(ctx, request) {
      polls.push(request);
      await ctx.sleep(50);
      const done = ctx.now >= endsAt;
      const result = {
        jobId: String(request.args.jobId),
        state: done ? state : "pending",
        result: done && state === "succeeded" ? { url: "r.png" } : null,
        ...(done && state === "failed" ? { error: "render crashed" } : {}),
      };
      return { ok: true, result, eventId: sim.trace.instant({ actor: "jobs", layer: "tool", kind: "status", parent: request.parent }) };
    },
  };
}

async function watch(endsAt: number, state: "succeeded" | "failed", until: number) {
  const sim = new Simulation({ seed: 1 });
  const tool = statusTool(sim, endsAt, state);
  let status: ReceiptStatus | undefined;
  sim.spawn("agent", async (ctx) => {
    status = await awaitReceipt(ctx, receiptsViaTool(tool), "job-1", { agent: "agent", step: "render", until, pollMs: 5_000, parent: 0 });
  });
  await sim.run();
  return { sim, tool, status: status as ReceiptStatus };
}

describe("awaitReceipt over a status tool", () => {
  it("polls with { jobId } until the job succeeds, and returns its result", async () => {
    const { tool, status, sim } = await watch(12_000, "succeeded", 60_000);
    expect(status).toMatchObject({ state: "succeeded", result: { url: "r.png" } });
    // polls answer 50 ms after they are sent, every 5 s: at 0, 5.05 s, 10.1 s (pending), 15.15 s (done)
    expect(tool.polls.map((p) => p.args)).toEqual(Array.from({ length: 4 }, () => ({ jobId: "job-1" })));
    const span = sim.trace.events.find((e) => e.kind === "receipt.await" && e.phase === "begin");
    expect(tool.polls.every((p) => p.parent === span?.id)).toBe(true);
  });

  it("reports a failed job with the service's message", async () => {
    expect((await watch(7_000, "failed", 60_000)).status).toEqual({ state: "failed", message: "render crashed", eventId: expect.any(Number) });
  });

  it("answers pending once the deadline passes, after a last poll at the deadline", async () => {
    const { status, sim } = await watch(600_000, "failed", 12_000);
    expect(status).toEqual({ state: "pending" });
    const end = sim.trace.events.find((e) => e.kind === "receipt.await" && e.phase === "end");
    expect(end?.t).toBe(12_050);
  });
});
