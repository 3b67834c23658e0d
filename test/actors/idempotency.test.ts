import { describe, expect, it } from "vitest";
import { CancelSource } from "../../src/actors/cancel-source.js";
import { IdempotencyStore, keyProblem, requestFingerprint } from "../../src/actors/idempotency.js";
import { SimTool, type SimToolOptions, type ToolReply } from "../../src/actors/tool.js";
import { Simulation, type ProcessContext } from "../../src/sim/simulation.js";

const HOUR = 3_600_000;
const refundTool: SimToolOptions = {
  name: "refunds",
  latency: "8s",
  effect: { name: "refund", key: (a) => String(a.returnId) },
  idempotency: true,
  validate: (a) => (typeof a.amount === "number" ? undefined : "amount must be a number"),
};

async function run<T>(options: SimToolOptions, body: (ctx: ProcessContext, tool: SimTool) => Promise<T>) {
  const sim = new Simulation({ seed: 3 });
  const tool = new SimTool(sim, options);
  let value: T | undefined;
  sim.spawn("agent", async (ctx) => {
    value = await body(ctx, tool);
  });
  await sim.run();
  return { sim, tool, value: value as T };
}

describe("IdempotencyStore", () => {
  const fp = requestFingerprint("refunds", { returnId: "R1", amount: 10 });

  it("holds a key in flight, then replays the saved reply", () => {
    const s = new IdempotencyStore<string>();
    expect(s.lookup("k", fp, 0)).toEqual({ kind: "new" });
    s.reserve("k", fp, "req1", 0);
    expect(s.lookup("k", fp, 5)).toEqual({ kind: "in-flight", requestId: "req1" });
    s.save("k", "req1", "500 internal error");
    expect(s.lookup("k", fp, 10)).toEqual({ kind: "replay", reply: "500 internal error", requestId: "req1" });
  });

  it("reports other parameters or another endpoint as a mismatch", () => {
    const s = new IdempotencyStore<string>();
    s.reserve("k", fp, "req1", 0);
    s.save("k", "req1", "ok");
    expect(s.lookup("k", requestFingerprint("refunds", { returnId: "R1", amount: 11 }), 1).kind).toBe("mismatch");
    expect(s.lookup("k", requestFingerprint("charges", { returnId: "R1", amount: 10 }), 1).kind).toBe("mismatch");
    // Parameter order is not a difference.
    expect(s.lookup("k", requestFingerprint("refunds", { amount: 10, returnId: "R1" }), 1).kind).toBe("replay");
  });

  it("prunes a finished key once it is the retention window old, never an in-flight one", () => {
    const s = new IdempotencyStore<string>();
    expect(s.retentionMs).toBe(24 * HOUR);
    s.reserve("done", fp, "req1", 0);
    s.save("done", "req1", "ok");
    s.reserve("stuck", fp, "req2", 0);
    expect(s.lookup("done", fp, 24 * HOUR - 1).kind).toBe("replay");
    expect(s.lookup("done", fp, 24 * HOUR).kind).toBe("new");
    expect(s.lookup("stuck", fp, 48 * HOUR).kind).toBe("in-flight");
  });

  it("a released key saves nothing", () => {
    const s = new IdempotencyStore<string>({ retention: "1h" });
    s.reserve("k", fp, "req1", 0);
    s.release("k", "req1");
    expect(s.lookup("k", fp, 1)).toEqual({ kind: "new" });
    expect(s.size).toBe(0);
  });

  it("accepts keys up to 255 characters", () => {
    expect(keyProblem("k".repeat(255))).toBeUndefined();
    expect(keyProblem("k".repeat(256))).toMatch(/256 characters/);
    expect(keyProblem("")).toMatch(/empty/);
  });
});

describe("SimTool with idempotency keys (double-refund)", () => {
  const args = { returnId: "R1", amount: 10 };

  it("the same key while the first is in flight gets 409 conflict and commits nothing more", async () => {
    const { tool, value } = await run(refundTool, async (ctx, t) => {
      const first = t.call(ctx, { args, idempotencyKey: "refund-R1" });
      await ctx.sleep("3s");
      const retry = await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      return { retry, first: await first };
    });
    expect(value.retry).toMatchObject({ ok: false, error: "conflict" });
    expect(value.retry.ok ? "" : value.retry.message).toMatch(/idempotency_key_in_use/);
    expect(value.first.ok).toBe(true);
    expect(tool.ledger.count("refund")).toBe(1);
  });

  it("the same key after completion replays the response with one effect", async () => {
    const { tool, value } = await run(refundTool, async (ctx, t) => {
      const first = await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      const retry = await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      return { first, retry, replayedAt: ctx.now };
    });
    expect(value.retry).toMatchObject({ ok: true, replayed: true });
    expect(value.retry.ok && value.first.ok && value.retry.result).toEqual(value.first.ok && value.first.result);
    expect(value.replayedAt).toBe(8_000); // replays answer without doing the work again
    expect(tool.ledger.count("refund")).toBe(1);
    expect(tool.ledger.entries[0]!.idempotencyKey).toBe("refund-R1");
  });

  it("a caller that times out and retries with one key refunds once; without a key, three times", async () => {
    const agent = (key: boolean) => async (ctx: ProcessContext, t: SimTool) => {
      for (let attempt = 1; attempt <= 3; attempt++) {
        const r = await ctx.deadline("5s", t.call(ctx, { args, ...(key ? { idempotencyKey: "refund-R1" } : {}) }));
        if (r.ok && r.value.ok) return attempt;
      }
      return undefined;
    };
    const keyed = await run(refundTool, agent(true));
    expect(keyed.tool.ledger.count("refund")).toBe(1);
    const unkeyed = await run(refundTool, agent(false));
    expect(unkeyed.tool.ledger.count("refund")).toBe(3);
    expect(unkeyed.tool.ledger.duplicates()).toHaveLength(1);
  });

  it("the same key with different parameters is an idempotency error with no effect", async () => {
    const { tool, value } = await run(refundTool, async (ctx, t) => {
      await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      return t.call(ctx, { args: { returnId: "R1", amount: 99 }, idempotencyKey: "refund-R1" });
    });
    expect(value).toMatchObject({ ok: false, error: "idempotency-mismatch" });
    expect(tool.ledger.count()).toBe(1);
  });

  it("after the retention window the same key starts a new request and a new effect", async () => {
    const store = new IdempotencyStore<ToolReply>({ retention: "1h" });
    const { tool, value } = await run({ ...refundTool, idempotency: store }, async (ctx, t) => {
      await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      await ctx.sleep("1h");
      return t.call(ctx, { args, idempotencyKey: "refund-R1" });
    });
    expect(value.ok && value.replayed).toBeFalsy();
    expect(tool.ledger.entries.map((e) => e.t)).toEqual([8_000, 8_000 + 8_000 + HOUR]);
  });

  it("a saved server error is replayed, not retried", async () => {
    const { tool, value } = await run({ ...refundTool, faults: { transient: 1 } }, async (ctx, t) => {
      await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      return t.call(ctx, { args, idempotencyKey: "refund-R1" });
    });
    expect(value).toMatchObject({ ok: false, error: "transient", replayed: true });
    expect(tool.calls[1]!.respondedAt).toBe(tool.calls[1]!.invokedAt);
  });

  it("a validation failure saves nothing: a corrected retry with the same key executes", async () => {
    const { tool, value } = await run(refundTool, async (ctx, t) => {
      const bad = await t.call(ctx, { args: { returnId: "R1", amount: "ten" }, idempotencyKey: "refund-R1" });
      const good = await t.call(ctx, { args, idempotencyKey: "refund-R1" });
      return { bad, good };
    });
    expect(value.bad).toMatchObject({ ok: false, error: "caller" });
    expect(value.good).toMatchObject({ ok: true });
    expect(value.good.ok && value.good.replayed).toBeFalsy();
    expect(tool.ledger.count()).toBe(1);
  });

  it("a call cancelled before commit releases its key", async () => {
    const { tool, value } = await run({ ...refundTool, honoursCancellation: true }, async (ctx, t) => {
      const cancel = new CancelSource();
      const first = t.call(ctx, { args, idempotencyKey: "refund-R1", cancel: cancel.signal });
      await ctx.sleep("1s");
      cancel.cancel("abandoned");
      await first;
      return t.call(ctx, { args, idempotencyKey: "refund-R1" });
    });
    expect(value.ok && !value.replayed).toBe(true);
    expect(tool.ledger.count()).toBe(1);
  });

  it("an over-long key is a caller error", async () => {
    const { value } = await run(refundTool, (ctx, t) => t.call(ctx, { args, idempotencyKey: "k".repeat(256) }));
    expect(value).toMatchObject({ ok: false, error: "caller" });
  });
});
