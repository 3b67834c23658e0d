import { describe, expect, it } from "vitest";
import { AgentHarness, type AgentHarnessOptions, type PlanStep, type RunReport } from "../../src/actors/agent-harness.js";
import { Simulation } from "../../src/sim/simulation.js";
import { FakeModel, FakeTool, type FakeToolOptions, type ModelFailureScript } from "./harness-fakes.js";

interface World {
  sim: Simulation;
  tool: FakeTool;
  model: FakeModel;
}

/** Runs `runs` plans (one after another) of a harness over a fake model (500 ms) and tool. */
async function runAgent(
  options: Omit<AgentHarnessOptions, "name" | "model">,
  plan: (w: World) => PlanStep[],
  o: { tool?: FakeToolOptions; fail?: ModelFailureScript; seed?: number; runs?: number } = {},
) {
  const sim = new Simulation({ seed: o.seed ?? 1 });
  const w: World = { sim, tool: new FakeTool(sim, o.tool), model: new FakeModel(500, o.fail) };
  const agent = new AgentHarness({ name: "agent", model: w.model, ...options });
  const reports: RunReport[] = [];
  sim.spawn("driver", async (ctx) => {
    for (let i = 0; i < (o.runs ?? 1); i++) reports.push(await agent.run(ctx, plan(w)));
  });
  const outcome = await sim.run();
  return { ...w, outcome, report: reports[0] as RunReport, reports };
}

const refund = (w: World, name = "refund"): PlanStep => ({ name, tool: w.tool, think: { inputTokens: 2_000 }, args: () => ({ order: "A1" }) });
const failFirst = (kind: "transient" | "caller", k = 1): FakeToolOptions => ({ latencyMs: 100, script: (n) => (n <= k ? { error: kind } : {}) });

describe("the loop", () => {
  it("thinks before each attempt, then calls the tool with the arguments the step produces", async () => {
    const { tool, model, report } = await runAgent({ retry: { fixed: { delay: "1s" } } }, (w) => [refund(w)], { tool: failFirst("transient") });
    expect(report.outcome).toBe("succeeded");
    expect(model.requests.map((r) => [r.caller, r.inputTokens])).toEqual([
      ["agent", 2_000],
      ["agent", 2_000],
    ]);
    // think 500, call 100, backoff 1 s, think 500: the retry is sent at 2.1 s
    expect(tool.calls.map((c) => [c.at, c.request.args])).toEqual([
      [500, { order: "A1" }],
      [2_100, { order: "A1" }],
    ]);
  });

  it("chains causes: run -> step -> model -> attempt -> tool call, and retries through retry.scheduled", async () => {
    const { sim, tool } = await runAgent({ retry: { fixed: { delay: "1s" } } }, (w) => [refund(w)], { tool: failFirst("transient") });
    const kinds = (id: number) => sim.trace.causalChain(id).map((e) => e.kind);
    expect(kinds(tool.calls[0]?.span as number)).toEqual(["run", "step", "llm.complete", "attempt", "tool.call"]);
    expect(kinds(tool.calls[1]?.span as number)).toEqual([
      "run",
      "step",
      "llm.complete",
      "attempt",
      "attempt",
      "retry.scheduled",
      "llm.complete",
      "attempt",
      "tool.call",
    ]);
  });

  it("a model 429 fails the attempt like a tool 429: its retry-after is honoured", async () => {
    const fail: ModelFailureScript = (n) => (n === 1 ? { status: 429, retryAfterMs: 2_000 } : undefined);
    const { tool, report } = await runAgent({ retry: { fixed: { delay: "100ms" } } }, (w) => [refund(w)], { fail });
    expect(report.steps[0]?.attempts[0]).toMatchObject({ outcome: "error", error: "rate-limited", retryAfterMs: 2_000 });
    expect(tool.calls.map((c) => c.at)).toEqual([500 + 2_000 + 500]);
  });

  it("passes earlier steps' reports and the previous attempt to the arguments", async () => {
    const seen: string[] = [];
    const plan = (w: World): PlanStep[] => [
      { name: "lookup", tool: w.tool, args: () => ({ q: "order" }) },
      { name: "refund", tool: w.tool, args: (_ctx, info) => (seen.push(`${info.earlier.length}:${info.previous?.error ?? "-"}`), { order: "A1" }) },
    ];
    await runAgent({ retry: { fixed: { delay: "1s" } } }, plan, { tool: { script: (n) => (n === 2 ? { error: "transient" } : {}) } });
    expect(seen).toEqual(["1:-", "1:transient"]);
  });

  it("stops at the first step that fails and reports it", async () => {
    const { tool, report } = await runAgent({}, (w) => [refund(w, "a"), refund(w, "b")], { tool: failFirst("transient") });
    expect(report.outcome).toBe("failed");
    expect(report.steps.map((s) => [s.step, s.outcome])).toEqual([["a", "failed"]]);
    expect(tool.calls).toHaveLength(1);
  });

  it("gives each logical step its own key, stable across retries, new for each run", async () => {
    const { tool } = await runAgent({ retry: { fixed: { delay: "1s" } }, switches: { idempotencyKeys: true } }, (w) => [refund(w, "a"), refund(w, "b")], {
      tool: failFirst("transient"),
      runs: 2,
    });
    expect(tool.calls.map((c) => c.request.idempotencyKey)).toEqual(["agent:run1:0:a", "agent:run1:0:a", "agent:run1:1:b", "agent:run2:0:a", "agent:run2:1:b"]);
  });

  it("applies the overall deadline from the run's start", async () => {
    const { report, outcome } = await runAgent({ deadline: "3s", retry: { fixed: { delay: "1s", maxAttempts: 10 } } }, (w) => [refund(w)], {
      tool: { latencyMs: 100, script: () => ({ error: "transient" }) },
    });
    expect(outcome.status).toBe("completed");
    expect(report.outcome).toBe("failed");
    expect(report.endedAt).toBeLessThanOrEqual(3_000);
  });

  it("spawns a run as its own process and returns the report", async () => {
    const sim = new Simulation({ seed: 1 });
    const tool = new FakeTool(sim, { latencyMs: 250 });
    const handle = new AgentHarness({ name: "agent" }).spawn(sim, [{ name: "ping", tool, args: () => ({}) }]);
    await sim.run();
    expect(handle.outcome).toMatchObject({ status: "done", value: { outcome: "succeeded", endedAt: 250 } });
  });

  it("refuses a step that thinks when the harness has no model", async () => {
    const sim = new Simulation({ seed: 1 });
    const tool = new FakeTool(sim);
    new AgentHarness({ name: "agent" }).spawn(sim, [{ name: "x", tool, think: { inputTokens: 1 }, args: () => ({}) }]);
    const outcome = await sim.run();
    expect(String((outcome.crash?.error as Error).message)).toMatch(/step "x" thinks but the harness has no model; pass options.model/);
  });
});

describe("determinism", () => {
  /** Two steps against a tool failing with chance `pFail` (a seeded stream); exponential backoff, full jitter. */
  async function flaky(seed: number, pFail: number): Promise<Simulation> {
    const sim = new Simulation({ seed });
    const faults = sim.rng("tool:faults");
    const w: World = {
      sim,
      tool: new FakeTool(sim, { latencyMs: 100, script: () => (faults.chance(pFail) ? { error: "transient" } : {}) }),
      model: new FakeModel(500),
    };
    const agent = new AgentHarness({ name: "agent", model: w.model, retry: { exponential: { base: "1s", cap: "20s", jitter: "full", maxAttempts: 6 } } });
    agent.spawn(sim, [refund(w, "a"), refund(w, "b")]);
    await sim.run();
    return sim;
  }
  const delays = (sim: Simulation) => sim.trace.events.filter((e) => e.kind === "retry.scheduled").map((e) => e.attrs?.delayMs as number);

  it("the same seed gives the same trace, event for event", async () => {
    const [one, two] = [await flaky(7, 0.6), await flaky(7, 0.6)];
    expect(delays(one).length).toBeGreaterThan(0);
    expect(one.trace.hash()).toBe(two.trace.hash());
  });

  it("another seed draws other backoff delays", async () => {
    const [seven, eight] = [delays(await flaky(7, 1)), delays(await flaky(8, 1))];
    expect(seven).toHaveLength(5);
    expect(eight).toHaveLength(5);
    expect(seven).not.toEqual(eight);
  });
});
