import { describe, expect, it } from "vitest";
import { CancelSource } from "../../src/actors/cancel-source.js";
import type { ToolResponse } from "../../src/actors/contracts.js";
import { SimTool, type SimToolOptions } from "../../src/actors/tool.js";
import { Simulation, type ProcessContext } from "../../src/sim/simulation.js";

const refund = { name: "refund", key: (args: Record<string, unknown>) => String(args.returnId) };

/** Runs one agent process against a fresh tool and returns what it saw. */
async function runAgent<T>(options: SimToolOptions, body: (ctx: ProcessContext, tool: SimTool) => Promise<T>, seed = 1) {
  const sim = new Simulation({ seed });
  const tool = new SimTool(sim, options);
  let value: T | undefined;
  sim.spawn("agent", async (ctx) => {
    value = await body(ctx, tool);
  });
  const outcome = await sim.run();
  return { sim, tool, value: value as T, outcome };
}

describe("SimTool: work outlives the caller", () => {
  it("commits its effect after the caller's deadline has fired (clock-race)", async () => {
    const { sim, tool, value } = await runAgent({ name: "refunds", latency: "8s", effect: refund }, async (ctx, t) => {
      const parent = ctx.sim.trace.instant({ actor: "agent", layer: "harness", kind: "step" });
      const r = await ctx.deadline("7.9s", t.call(ctx, { args: { returnId: "R1" }, parent }));
      return { r, at: ctx.now, parent };
    });
    expect(value.r.ok).toBe(false); // the caller gave up at 7.9 s...
    expect(value.at).toBe(7_900);
    expect(tool.ledger.entries).toHaveLength(1); // ...and the refund still happened at 8 s
    const e = tool.ledger.entries[0]!;
    expect(e).toMatchObject({ t: 8_000, effect: "refund", key: "R1", tool: "refunds", requestId: "refunds#1" });
    // The commit reads as a consequence of the agent's step.
    const chain = sim.trace.causalChain(e.eventId).map((ev) => ev.kind);
    expect(chain).toEqual(["step", "tool.call", "effect.commit"]);
    expect(tool.calls[0]!.respondedAt).toBe(8_000);
  });

  it("answers with the span's end event, parented on the request", async () => {
    const { sim, value } = await runAgent({ name: "search", latency: "200ms", resultFor: (a) => ({ hits: [String(a.q)] }) }, async (ctx, t) => {
      const parent = ctx.sim.trace.instant({ actor: "agent", layer: "harness", kind: "step" });
      return t.call(ctx, { args: { q: "x" }, parent });
    });
    expect(value).toMatchObject({ ok: true, result: { hits: ["x"] } });
    const end = sim.trace.get(value.eventId)!;
    expect(end).toMatchObject({ phase: "end", kind: "tool.call", layer: "tool", t: 200, attrs: { ok: true, result: { hits: ["x"] } } });
    expect(sim.trace.get(end.span!)).toMatchObject({ phase: "begin", parent: 0, attrs: { caller: "agent", args: { q: "x" } } });
  });
});

describe("SimTool: cancellation", () => {
  const abandonAt = async (ctx: ProcessContext, t: SimTool) => {
    const cancel = new CancelSource();
    const call = t.call(ctx, { args: { returnId: "R1" }, cancel: cancel.signal });
    const r = await ctx.deadline("7.9s", call);
    if (!r.ok) cancel.cancel("budget exceeded");
    return call;
  };

  it("an honoured cancellation before commit prevents the effect", async () => {
    const { sim, tool, value } = await runAgent({ name: "refunds", latency: "8s", effect: refund, honoursCancellation: true }, abandonAt);
    expect(tool.ledger.entries).toHaveLength(0);
    expect(value).toMatchObject({ ok: false, error: "cancelled" });
    expect(tool.calls[0]!.respondedAt).toBe(7_900);
    expect(sim.trace.events.filter((e) => e.kind === "tool.cancelled")).toHaveLength(1);
  });

  it("a tool that does not honour cancellation commits anyway, and says it ignored it", async () => {
    const { sim, tool } = await runAgent({ name: "refunds", latency: "8s", effect: refund }, abandonAt);
    expect(tool.ledger.entries).toHaveLength(1);
    expect(sim.trace.events.find((e) => e.kind === "tool.cancel-ignored")?.attrs).toMatchObject({ ignoredBecause: "the tool does not honour cancellation" });
  });

  it("cancellation after the commit point cannot undo the effect", async () => {
    const { tool, value } = await runAgent({ name: "refunds", latency: "8s", commitAt: 0.5, effect: refund, honoursCancellation: true }, abandonAt);
    expect(tool.ledger.entries.map((e) => e.t)).toEqual([4_000]);
    expect(value.ok).toBe(true);
  });
});

describe("SimTool: timeouts and deadlines", () => {
  it("its own timeout ends slow work with a timeout error and no effect", async () => {
    const { tool, value } = await runAgent({ name: "refunds", latency: "40s", timeout: "30s", effect: refund }, (ctx, t) =>
      t.call(ctx, { args: { returnId: "R1" } }),
    );
    expect(value).toMatchObject({ ok: false, error: "timeout" });
    expect(tool.calls[0]!.respondedAt).toBe(30_000);
    expect(tool.ledger.entries).toHaveLength(0);
  });

  it("work that commits before the timeout keeps its effect though the caller sees a timeout (partial failure)", async () => {
    const { tool, value } = await runAgent({ name: "refunds", latency: "40s", timeout: "30s", commitAt: 0.5, effect: refund }, (ctx, t) =>
      t.call(ctx, { args: { returnId: "R1" } }),
    );
    expect(value).toMatchObject({ ok: false, error: "timeout" });
    expect(tool.ledger.entries.map((e) => e.t)).toEqual([20_000]);
  });

  it("a tool that honours deadlines gives up at deadlineAt instead of committing late", async () => {
    const opts = { name: "refunds", latency: "8s", effect: refund };
    const call = (ctx: ProcessContext, t: SimTool) => t.call(ctx, { args: { returnId: "R1" }, deadlineAt: 5_000 });
    const honoured = await runAgent({ ...opts, honoursDeadline: true }, call);
    expect(honoured.value).toMatchObject({ ok: false, error: "timeout" });
    expect(honoured.tool.calls[0]!.respondedAt).toBe(5_000);
    expect(honoured.tool.ledger.entries).toHaveLength(0);
    const ignored = await runAgent(opts, call);
    expect(ignored.value.ok).toBe(true);
    expect(ignored.tool.ledger.entries.map((e) => e.t)).toEqual([8_000]);
  });

  it("a hang ends only at the tool's timeout", async () => {
    const { tool, value } = await runAgent({ name: "db", latency: "10ms", timeout: "30s", faults: { hang: 1 } }, (ctx, t) => t.call(ctx, { args: {} }));
    expect(value).toMatchObject({ ok: false, error: "timeout" });
    expect(tool.calls[0]!.respondedAt).toBe(30_000);
  });

  it("a hang with no timeout never answers: the caller is left waiting on the tool", async () => {
    const { outcome, tool } = await runAgent({ name: "db", latency: "10ms", timeout: null, faults: { hang: 1 } }, (ctx, t) => t.call(ctx, { args: {} }));
    expect(outcome.status).toBe("stalled");
    expect(outcome.waiting[0]!.waitingOn[0]).toContain("db response to db#1");
    expect(tool.calls[0]!.respondedAt).toBeUndefined();
  });
});

describe("SimTool: failure modes", () => {
  it("a validation failure is a caller error, answered at once, with no effect", async () => {
    const validate = (a: Record<string, unknown>) => (typeof a.amount === "number" ? undefined : "amount must be a number");
    const { tool, value } = await runAgent({ name: "refunds", latency: "8s", effect: refund, validate }, (ctx, t) =>
      t.call(ctx, { args: { returnId: "R1", amount: "ten" } }),
    );
    expect(value).toMatchObject({ ok: false, error: "caller", message: "amount must be a number" });
    expect(tool.calls[0]!.respondedAt).toBe(0);
    expect(tool.ledger.entries).toHaveLength(0);
  });

  it("a 429 carries retryAfterMs and executes nothing", async () => {
    const { tool, value } = await runAgent({ name: "refunds", effect: refund, faults: { rateLimited: 1 }, retryAfter: "2s" }, (ctx, t) =>
      t.call(ctx, { args: { returnId: "R1" } }),
    );
    expect(value).toMatchObject({ ok: false, error: "rate-limited", retryAfterMs: 2_000 });
    expect(tool.ledger.entries).toHaveLength(0);
  });

  it("a transient 5xx at the end of the work commits nothing when the commit point is the end", async () => {
    const { tool, value } = await runAgent({ name: "refunds", latency: "1s", effect: refund, faults: { transient: 1 } }, (ctx, t) =>
      t.call(ctx, { args: { returnId: "R1" } }),
    );
    expect(value).toMatchObject({ ok: false, error: "transient" });
    expect(tool.calls[0]!.respondedAt).toBe(1_000);
    expect(tool.ledger.entries).toHaveLength(0);
  });

  it("a null-returning query shape answers ok with result null, visible on the response event", async () => {
    const opts: SimToolOptions = { name: "lookup", latency: "50ms", nullWhen: (a) => a.kind === "by-email", resultFor: (a) => ({ id: String(a.q) }) };
    const { sim, value } = await runAgent(opts, async (ctx, t) => [
      await t.call(ctx, { args: { kind: "by-email", q: "a@b" } }),
      await t.call(ctx, { args: { kind: "by-id", q: "7" } }),
    ]);
    const [empty, full] = value as [ToolResponse, ToolResponse];
    expect(empty).toMatchObject({ ok: true, result: null });
    expect(full).toMatchObject({ ok: true, result: { id: "7" } });
    expect(sim.trace.get(empty.eventId)!.attrs).toMatchObject({ ok: true, result: null });
  });

  it("fault chances are drawn per call from the tool's seeded stream", async () => {
    const { value } = await runAgent({ name: "flaky", latency: "1ms", faults: { transient: 0.3 } }, async (ctx, t) => {
      let failed = 0;
      for (let i = 0; i < 2_000; i++) if (!(await t.call(ctx, { args: { i } })).ok) failed++;
      return failed / 2_000;
    });
    expect(value).toBeGreaterThan(0.26);
    expect(value).toBeLessThan(0.34);
  });
});

describe("SimTool: determinism", () => {
  const opts: SimToolOptions = { name: "search", latency: { lognormal: { p50: "200ms", p99: "2s" } }, faults: { transient: 0.2, rateLimited: 0.1 } };
  /** Each call's outcome and latency, with `other` called before each call when given. */
  const observe = async (seed: number, other?: SimToolOptions) => {
    const sim = new Simulation({ seed });
    const tool = new SimTool(sim, opts);
    const noise = other && new SimTool(sim, other);
    sim.spawn("agent", async (ctx) => {
      for (let i = 0; i < 50; i++) {
        if (noise) await noise.call(ctx, { args: {} });
        await tool.call(ctx, { args: { i } });
      }
    });
    await sim.run();
    const seen = tool.calls.map((c) => ({ ok: c.response!.ok, ms: (c.respondedAt as number) - c.invokedAt }));
    return { hash: sim.trace.hash(), seen };
  };

  it("the same seed gives the same trace; another seed gives other draws", async () => {
    const a = await observe(7);
    const b = await observe(7);
    const c = await observe(8);
    expect(b.hash).toBe(a.hash);
    expect(c.seen.map((s) => s.ms)).not.toEqual(a.seen.map((s) => s.ms));
  });

  it("another tool in the run does not shift this tool's draws", async () => {
    const alone = await observe(7);
    const shared = await observe(7, { name: "other", faults: { transient: 0.5 } });
    expect(shared.seen.map((s) => s.ok)).toEqual(alone.seen.map((s) => s.ok));
    shared.seen.forEach((s, i) => expect(s.ms).toBeCloseTo(alone.seen[i]!.ms, 6));
  });
});

describe("SimTool: send, outside any process", () => {
  const opts: SimToolOptions = { name: "search", latency: { lognormal: { p50: "200ms", p99: "2s" } }, faults: { transient: 0.2 } };

  it("makes the same calls as call(): same draws, same answers, same trace", async () => {
    const viaCall = new Simulation({ seed: 3 });
    const a = new SimTool(viaCall, opts);
    viaCall.spawn("agent", async (ctx) => {
      for (let i = 0; i < 20; i++) await a.call(ctx, { args: { i }, caller: "agent" });
    });
    await viaCall.run();
    const viaSend = new Simulation({ seed: 3 });
    const b = new SimTool(viaSend, opts);
    const next = (i: number): void => {
      if (i < 20) b.send({ args: { i }, caller: "agent" }, () => next(i + 1));
    };
    next(0);
    const outcome = await viaSend.run();
    expect(outcome.status).toBe("completed");
    expect(b.calls.map((c) => c.response?.ok)).toEqual(a.calls.map((c) => c.response?.ok));
    expect(viaSend.trace.hash()).toBe(viaCall.trace.hash());
  });

  it("returns the call's record; a refusal at the front door answers before send returns", () => {
    const sim = new Simulation({ seed: 1 });
    const tool = new SimTool(sim, { name: "strict", validate: () => "missing field" });
    const heard: ToolResponse[] = [];
    const rec = tool.send({ args: {}, caller: "agent" }, (r) => heard.push(r));
    expect(heard).toMatchObject([{ ok: false, error: "caller" }]);
    expect(rec).toBe(tool.calls[0]);
    expect(sim.trace.get(rec.span)).toMatchObject({ kind: "tool.call", phase: "begin", attrs: { caller: "agent" } });
  });

  it("an honoured cancellation stops the work before it commits", async () => {
    const sim = new Simulation({ seed: 1 });
    const tool = new SimTool(sim, { name: "refunds", latency: "8s", effect: refund, honoursCancellation: true });
    const cancel = new CancelSource();
    let answer: ToolResponse | undefined;
    tool.send({ args: { returnId: "R1" }, caller: "agent", cancel: cancel.signal }, (r) => (answer = r));
    sim.schedule(1_000, () => cancel.cancel("not needed any more"));
    await sim.run();
    expect(answer).toMatchObject({ ok: false, error: "cancelled" });
    expect(tool.ledger.entries).toHaveLength(0);
  });
});
