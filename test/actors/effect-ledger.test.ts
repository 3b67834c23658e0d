import { describe, expect, it } from "vitest";
import { EffectLedger, type EffectEntry } from "../../src/actors/effect-ledger.js";
import { SimTool } from "../../src/actors/tool.js";
import { atMostOnceEffects } from "../../src/checks/at-most-once.js";
import { Simulation } from "../../src/sim/simulation.js";

const entry = (t: number, effect: string, key: string, requestId: string): EffectEntry => ({
  t,
  effect,
  key,
  tool: "refunds",
  requestId,
  eventId: t,
  parent: 0,
});

describe("EffectLedger", () => {
  it("numbers entries in commit order and finds them by key and kind", () => {
    const l = new EffectLedger();
    l.record(entry(10, "refund", "R1", "a"));
    l.record(entry(20, "email", "R1", "b"));
    const third = l.record(entry(30, "refund", "R2", "c"));
    expect(third.id).toBe(2);
    expect(l.forKey("R1").map((e) => e.requestId)).toEqual(["a", "b"]);
    expect(l.forKey("R1", "refund").map((e) => e.requestId)).toEqual(["a"]);
    expect(l.count()).toBe(3);
    expect(l.count("refund")).toBe(2);
  });

  it("groups duplicates by effect and key", () => {
    const l = new EffectLedger();
    l.record(entry(10, "refund", "R1", "a"));
    l.record(entry(20, "email", "R1", "b")); // same key, other effect: not a duplicate
    l.record(entry(30, "refund", "R1", "c"));
    l.record(entry(40, "refund", "R2", "d"));
    expect(l.duplicates().map((g) => g.map((e) => e.requestId))).toEqual([["a", "c"]]);
  });

  it("is shared by tools, and its entries are evidence the at-most-once checker reads", async () => {
    const sim = new Simulation({ seed: 1 });
    const ledger = new EffectLedger();
    const effect = { name: "refund", key: (a: Record<string, unknown>) => String(a.returnId) };
    const primary = new SimTool(sim, { name: "refunds", latency: "1s", effect, ledger });
    const backup = new SimTool(sim, { name: "refunds-backup", latency: "2s", effect, ledger });
    sim.spawn("agent", async (ctx) => {
      await Promise.all([primary.call(ctx, { args: { returnId: "R1" } }), backup.call(ctx, { args: { returnId: "R1" } })]);
    });
    await sim.run();
    expect(ledger.entries.map((e) => e.tool)).toEqual(["refunds", "refunds-backup"]);
    const v = atMostOnceEffects(ledger.entries);
    expect(v.held).toBe(false);
    expect(v.violations[0]!.evidence).toEqual(ledger.entries.map((e) => e.eventId));
    expect(sim.trace.get(v.violations[0]!.evidence[1]!)).toMatchObject({ kind: "effect.commit", actor: "refunds-backup", t: 2_000 });
  });
});
