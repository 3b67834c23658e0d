/**
 * `simulate`: one run of a user's agent function on virtual time, with its clock, tools, model,
 * invariants, metrics and trace.
 */
import { describe, expect, it } from "vitest";
import { agentReturns, atMostOnce, type Invariant } from "../../src/api/invariant.js";
import { simulate } from "../../src/api/simulate.js";
import { ToolCallError } from "../../src/api/agent-tool.js";
import { DEFAULT_EPOCH_MS } from "../../src/sim/simulation.js";

const refunds = {
  payments: { latency: { lognormal: { p50: "1s", p99: "5s" } }, effect: { name: "refund", key: (a: Record<string, unknown>) => String(a.orderId) } },
};

describe("simulate", () => {
  it("gives the same trace for the same seed and a different one for another seed", async () => {
    const agent = async ({ tools }: { tools: { payments: { invoke: (a: { orderId: string }) => Promise<unknown> } } }) => {
      for (const orderId of ["a", "b", "c"]) await tools.payments.invoke({ orderId });
    };
    const a = await simulate(agent, { seed: 1, tools: refunds });
    const again = await simulate(agent, { seed: 1, tools: refunds });
    const other = await simulate(agent, { seed: 2, tools: refunds });
    expect(again.traceHash).toBe(a.traceHash);
    // The three latencies are drawn from the seed's stream, so another seed ends at another time.
    expect(other.outcome.now).not.toBe(a.outcome.now);
    expect(a.ledger.count("refund")).toBe(3);
  });

  it("names its own replay: the seed and faults that made it, which replay it trace for trace", async () => {
    const agent = async ({ tools }: { tools: { payments: { invoke: (a: { orderId: string }) => Promise<unknown> } } }) => {
      for (const orderId of ["a", "b"]) await tools.payments.invoke({ orderId });
    };
    const setup = { tools: refunds };
    const faults = [{ kind: "tool-slowdown", at: 0, for: 60_000, target: "payments" }];
    const run = await simulate(agent, { ...setup, seed: 5, faults });
    expect(run.replay).toEqual({ seed: 5, faults });
    const again = await simulate(agent, { ...setup, ...JSON.parse(JSON.stringify(run.replay)) });
    expect(again.traceHash).toBe(run.traceHash);
    // The slowdown is part of what made the run: without it the run ends earlier.
    expect((await simulate(agent, { ...setup, seed: 5 })).outcome.now).toBeLessThan(run.outcome.now);
  });

  it("runs the agent on virtual time: sleeps, scheduled callbacks and dates", async () => {
    const run = await simulate(
      async ({ clock }) => {
        const seen: number[] = [];
        await clock.sleep("2s");
        seen.push(clock.now());
        await new Promise<void>((resolve) => clock.schedule(500, resolve));
        seen.push(clock.now());
        const never = clock.schedule(100, () => seen.push(-1));
        clock.cancel(never);
        await clock.sleep(1_000);
        return { seen, date: clock.date().toISOString() };
      },
      { seed: 1 },
    );
    expect(run.agent).toEqual({ status: "done", value: { seen: [2_000, 2_500], date: new Date(DEFAULT_EPOCH_MS + 3_500).toISOString() } });
    expect(run.outcome.now).toBe(3_500);
  });

  it("records a thrown error as the agent's outcome; a TypeError is a bug and crashes the run", async () => {
    const threw = await simulate(async () => Promise.reject(new Error("retries ran out")), { seed: 1, invariants: [agentReturns()] });
    expect(threw.agent.status).toBe("failed");
    expect(threw.verdict).toBe("violated");
    expect(threw.violations[0]?.message).toBe("the agent threw: retries ran out");

    const bug = await simulate(async () => (undefined as unknown as { x: () => void }).x(), { seed: 1 });
    expect(bug.verdict).toBe("crashed");
    expect(bug.outcome.crash?.error).toBeInstanceOf(TypeError);
  });

  it("explains an agent that never finished", async () => {
    const run = await simulate(() => new Promise<never>(() => {}), { seed: 1, invariants: [agentReturns()] });
    expect(run.agent.status).toBe("unfinished");
    expect(run.violations[0]?.message).toMatch(/^the agent never finished: it waits on something nothing in the simulation will do/);
  });

  it("answers 503 at once during a tool-outage window and adds the slowdown during a tool-slowdown window", async () => {
    const tools = { api: { latency: "1s", slowdown: "10s" } };
    const run = await simulate(
      async ({ tools, clock }) => {
        const out: (string | number)[] = [];
        const outage = await tools.api.invoke({}).catch((e: unknown) => (e instanceof ToolCallError ? e.kind : "other"));
        out.push(String(outage), clock.now());
        await clock.sleep(10_000);
        await tools.api.invoke({});
        out.push(clock.now());
        await tools.api.invoke({});
        out.push(clock.now());
        return out;
      },
      {
        seed: 1,
        tools,
        faults: [
          { kind: "tool-outage", at: 0, for: 1_000, target: "api" },
          { kind: "tool-slowdown", at: 10_000, for: 1, target: "api" },
        ],
      },
    );
    // The outage refuses at 0 with no delay; the call at 10 s is slowed to 11 s; the call at 21 s is outside both windows.
    expect(run.agent).toEqual({ status: "done", value: ["transient", 0, 21_000, 22_000] });
    expect(run.tools.api.calls).toHaveLength(2);
  });

  it("traces tool calls as caused by the agent's last logged event", async () => {
    const run = await simulate(
      async ({ tools, log }) => {
        const retry = log("retry", { attempt: 2 });
        await tools.api.call({ n: 1 });
        return retry;
      },
      { seed: 1, tools: { api: {} } },
    );
    const retry = run.agent.status === "done" ? run.agent.value : -1;
    const call = run.trace.events.find((e) => e.kind === "tool.call" && e.phase === "begin");
    const agentRun = run.trace.events.find((e) => e.kind === "agent.run");
    expect(call?.parent).toBe(retry);
    expect(run.trace.get(retry)?.parent).toBe(agentRun?.id);
  });

  it("judges invariants under their own names, whether they return violations or a checker's verdict", async () => {
    const neverCalls: Invariant = {
      name: "no-calls",
      description: "never calls the tool",
      check: (e) => e.tools.api!.calls.map((c) => ({ at: c.invokedAt, message: "called", evidence: [c.span] })),
    };
    const run = await simulate(
      async ({ tools }) => {
        await tools.api.call({ orderId: "x" });
        await tools.api.call({ orderId: "x" });
      },
      {
        seed: 1,
        tools: { api: { effect: { name: "refund", key: (a) => String(a.orderId) } } },
        invariants: [neverCalls, atMostOnce("refund", { name: "one-refund" })],
      },
    );
    expect(run.verdicts.map((v) => [v.invariant, v.violations.length])).toEqual([
      ["no-calls", 2],
      ["one-refund", 1],
    ]);
    expect(run.violations.every((v) => ["no-calls", "one-refund"].includes(v.invariant))).toBe(true);
    expect(run.metrics.find((m) => m.name === "duplicate effects")?.value).toBe(1);
  });

  it("bills the agent's model calls", async () => {
    const run = await simulate(
      async ({ model }) => {
        const r = await model.complete({ inputTokens: 1_000, outputTokens: 100 });
        return r.ok ? r.usage.costUsd : -1;
      },
      { seed: 1, model: { inputUsdPerMTok: 3, outputUsdPerMTok: 15 } },
    );
    // 1,000 input tokens at $3/M and 100 output tokens at $15/M.
    expect(run.agent).toEqual({ status: "done", value: expect.closeTo(0.003 + 0.0015, 9) });
    expect(run.model.totals.calls).toBe(1);
  });
});
