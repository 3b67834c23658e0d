import { describe, expect, it } from "vitest";
import type { ToolResponse } from "../../src/actors/contracts.js";
import { hedgedSend, type HedgeResult } from "../../src/actors/hedged-request.js";
import { SimTool } from "../../src/actors/tool.js";
import { empirical } from "../../src/sim/distributions.js";
import { Simulation } from "../../src/sim/simulation.js";

/** One hedged request to a tool whose calls take `latencies` ms in turn (a fixed sequence). */
async function hedge(latencies: number[], afterMs: number) {
  const sim = new Simulation({ seed: 1 });
  let i = 0;
  const sequence = { ...empirical(latencies), sample: () => latencies[i++ % latencies.length] as number };
  const tool = new SimTool(sim, { name: "search", latency: sequence, honoursCancellation: true });
  let got: { r: ToolResponse; hedge: HedgeResult; at: number } | undefined;
  let answers = 0;
  hedgedSend(sim, tool, { args: { q: "x" }, caller: "agent" }, afterMs, (r, h) => {
    answers++;
    got = { r, hedge: h, at: sim.now };
  });
  await sim.run();
  return { sim, tool, got: got as NonNullable<typeof got>, answers };
}

describe("hedgedSend", () => {
  it("sends no backup when the primary answers before the hedge point", async () => {
    const { tool, got } = await hedge([80], 100);
    expect(tool.calls).toHaveLength(1);
    expect(got).toMatchObject({ at: 80, hedge: { hedged: false, winner: "primary" }, r: { ok: true } });
  });

  it("a slow primary is overtaken by the backup sent at the hedge point; the primary is cancelled", async () => {
    const { sim, tool, got, answers } = await hedge([2_000, 90], 100);
    expect(answers).toBe(1);
    expect(got).toMatchObject({ at: 190, hedge: { hedged: true, winner: "backup" } });
    const [primary, backup] = tool.calls;
    expect(primary?.response).toMatchObject({ ok: false, error: "cancelled" });
    expect(primary?.respondedAt).toBe(190);
    // The backup's call is caused by the hedge, which is caused by the primary's call.
    const sent = sim.trace.get(sim.trace.get(backup!.span)!.parent as number);
    expect(sent).toMatchObject({ kind: "hedge.sent", layer: "harness", actor: "agent", parent: primary!.span, attrs: { tool: "search", afterMs: 100 } });
    expect(got.r.eventId).toBe(backup!.response!.eventId);
  });

  it("when the primary still wins after the hedge, the backup is the one cancelled", async () => {
    const { tool, got } = await hedge([150, 500], 100);
    expect(got).toMatchObject({ at: 150, hedge: { hedged: true, winner: "primary" } });
    expect(tool.calls[1]?.response).toMatchObject({ ok: false, error: "cancelled" });
    expect(tool.calls[1]?.respondedAt).toBe(150);
  });
});
