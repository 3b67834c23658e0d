import { describe, expect, it } from "vitest";
import type { ToolResponse } from "../../src/actors/contracts.js";
import { SharedStore, type SharedStoreOptions } from "../../src/actors/shared-store.js";
import { checkLinearizable, registerModel } from "../../src/checks/linearizability.js";
import type { ProcessContext } from "../../src/sim/simulation.js";
import { Simulation } from "../../src/sim/simulation.js";

const inventory: SharedStoreOptions = { name: "inventory", latency: "100ms", initial: { stock: 100 } };

/** An agent that reads the stock, thinks, and writes back stock - 10 (with CAS when asked, retrying on conflict). */
function decrementer(store: SharedStore, cas: boolean) {
  return async (ctx: ProcessContext): Promise<void> => {
    for (;;) {
      const read = await store.readTool.call(ctx, { args: { key: "stock" } });
      const { value, version } = (read as Extract<ToolResponse, { ok: true }>).result as { value: number; version: number };
      await ctx.sleep("3s"); // thinking
      const w = await store.writeTool.call(ctx, { args: { key: "stock", value: value - 10, ...(cas ? { expectedVersion: version } : {}) } });
      if (w.ok || w.error !== "conflict") return;
    }
  };
}

async function twoAgents(cas: boolean, seed = 1) {
  const sim = new Simulation({ seed });
  const store = new SharedStore(sim, inventory);
  sim.spawn("agent-a", decrementer(store, cas));
  sim.spawn("agent-b", decrementer(store, cas));
  await sim.run();
  return { sim, store };
}

describe("SharedStore", () => {
  it("reads a missing key as null at version 0 and counts versions per write", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SharedStore(sim, { name: "docs", latency: "20ms" });
    const seen: unknown[] = [];
    sim.spawn("agent", async (ctx) => {
      seen.push(await store.readTool.call(ctx, { args: { key: "d" } }));
      seen.push(await store.writeTool.call(ctx, { args: { key: "d", value: "v1" } }));
      seen.push(await store.writeTool.call(ctx, { args: { key: "d", value: "v2" } }));
      seen.push(await store.readTool.call(ctx, { args: { key: "d" } }));
    });
    await sim.run();
    expect(seen).toMatchObject([
      { ok: true, result: { value: null, version: 0 } },
      { ok: true, result: { version: 1 } },
      { ok: true, result: { version: 2 } },
      { ok: true, result: { value: "v2", version: 2 } },
    ]);
    expect(store.get("d")).toEqual({ value: "v2", version: 2 });
  });

  it("blind read-think-write by two agents loses an update (shared-tool-race)", async () => {
    const { store } = await twoAgents(false);
    expect(store.get("stock").value).toBe(90); // two decrements of 10 from 100 left 90, not 80
  });

  it("compare-and-set rejects the stale write; the loser re-reads and both updates land", async () => {
    const { store } = await twoAgents(true);
    expect(store.get("stock")).toEqual({ value: 80, version: 2 });
    const rejected = store.history.filter((op) => op.op === "cas" && !op.ok);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ error: "conflict", expectedVersion: 0, version: 1 });
  });

  it("a rejected compare-and-set changes nothing", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SharedStore(sim, inventory);
    let r: ToolResponse | undefined;
    sim.spawn("agent", async (ctx) => {
      await store.writeTool.call(ctx, { args: { key: "stock", value: 50 } });
      r = await store.writeTool.call(ctx, { args: { key: "stock", value: 0, expectedVersion: 0 } });
    });
    await sim.run();
    expect(r).toMatchObject({ ok: false, error: "conflict" });
    expect(store.get("stock")).toEqual({ value: 50, version: 1 });
  });

  it("records every operation with invocation, application and response times", async () => {
    const { store } = await twoAgents(true);
    const h = store.history;
    expect(h.map((op) => `${op.process}:${op.op}`)).toEqual(["agent-a:read", "agent-b:read", "agent-a:cas", "agent-b:cas", "agent-b:read", "agent-b:cas"]);
    for (const op of h) {
      expect(op.returnedAt - op.invokedAt).toBe(100);
      expect(op.appliedAt).toBe(op.invokedAt + 50); // midway, between invocation and response
    }
    expect(h[2]).toMatchObject({ invokedAt: 3_100, returnedAt: 3_200, ok: true, value: 90, version: 1 });
  });

  it("an operation still in flight has no response time", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SharedStore(sim, { ...inventory, latency: "10s" });
    sim.spawn("agent", async (ctx) => {
      await store.writeTool.call(ctx, { args: { key: "stock", value: 1 } });
    });
    await sim.run({ horizon: "6s" });
    expect(store.history).toMatchObject([{ op: "write", returnedAt: Infinity, appliedAt: 5_000, version: 1 }]);
    expect(store.history[0]!.ok).toBeUndefined();
  });

  it("its register history passes the linearizability checker under concurrency", async () => {
    for (const seed of [1, 2, 3]) {
      const sim = new Simulation({ seed });
      const store = new SharedStore(sim, { name: "reg", latency: { lognormal: { p50: "50ms", p99: "500ms" } } });
      for (const name of ["a", "b", "c"]) {
        sim.spawn(name, async (ctx) => {
          const rng = ctx.rng(`test:${name}`);
          for (let i = 0; i < 6; i++) {
            const choice = rng.int(0, 2);
            if (choice === 0) await store.readTool.call(ctx, { args: { key: "x" } });
            else if (choice === 1) await store.writeTool.call(ctx, { args: { key: "x", value: `${name}${i}` } });
            else await store.writeTool.call(ctx, { args: { key: "x", value: `${name}${i}`, expectedVersion: store.get("x").version } });
          }
        });
      }
      await sim.run();
      const h = store.registerHistory("x");
      expect(h).toHaveLength(18);
      expect(checkLinearizable(h, registerModel({ value: null, version: 0 })).linearizable).toBe(true);
    }
  });

  it("traces each operation's linearization point under its call", async () => {
    const { sim } = await twoAgents(true);
    const applies = sim.trace.events.filter((e) => e.kind === "store.apply");
    expect(applies).toHaveLength(6);
    for (const a of applies) expect(sim.trace.get(a.parent!)).toMatchObject({ kind: "store.call", layer: "store", phase: "begin" });
  });
});
