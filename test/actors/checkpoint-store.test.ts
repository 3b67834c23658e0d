import { describe, expect, it } from "vitest";
import { CheckpointStore } from "../../src/actors/checkpoint-store.js";
import { SimTool } from "../../src/actors/tool.js";
import { Simulation } from "../../src/sim/simulation.js";

describe("CheckpointStore", () => {
  it("records a step once, at the time of the write, with a trace event caused by the committing call", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new CheckpointStore(sim);
    const call = sim.trace.instant({ actor: "payments", layer: "tool", kind: "tool.call" });
    sim.schedule(500, () => store.write("O-1", "charge", call));
    sim.schedule(900, () => store.write("O-1", "charge", call));
    await sim.run();
    const cp = store.read("O-1", "charge");
    expect(cp).toMatchObject({ run: "O-1", step: "charge", t: 500 });
    expect(sim.trace.get(cp!.eventId)).toMatchObject({
      kind: "checkpoint.write",
      layer: "store",
      actor: "checkpoints",
      parent: call,
      attrs: { run: "O-1", step: "charge" },
    });
    expect(sim.trace.events.filter((e) => e.kind === "checkpoint.write")).toHaveLength(1);
    expect(store.size).toBe(1);
  });

  it("keeps runs and steps apart", () => {
    const store = new CheckpointStore(new Simulation({ seed: 1 }));
    store.write("O-1", "charge", 0);
    expect(store.read("O-1", "email")).toBeUndefined();
    expect(store.read("O-2", "charge")).toBeUndefined();
  });

  it("written from a tool's commit, it stands for the commit even when the call then fails", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new CheckpointStore(sim);
    const tool = new SimTool(sim, {
      name: "payments",
      latency: "2s",
      commitAt: 0.5,
      faults: { transient: 1 },
      effect: { name: "charge", key: (a) => String(a.order) },
      perform: (call) => {
        store.write(String(call.args.order), "charge", call.span);
        return { ok: true, result: "charged" };
      },
    });
    let answer: unknown;
    sim.spawn("agent", async (ctx) => {
      answer = await tool.call(ctx, { args: { order: "O-1" } });
    });
    await sim.run();
    expect(answer).toMatchObject({ ok: false, error: "transient" });
    expect(store.read("O-1", "charge")?.t).toBe(1_000);
    expect(tool.ledger.entries.map((e) => e.t)).toEqual([1_000]);
  });
});
