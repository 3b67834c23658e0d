import { describe, expect, it } from "vitest";
import { callWithPolicy } from "../../src/actors/call-with-policy.js";
import type { HarnessSwitches } from "../../src/actors/harness-contract.js";
import { retryPolicy } from "../../src/actors/retry-policy.js";
import { SimTool, type SimToolOptions } from "../../src/actors/tool.js";
import { noPhantomFailures } from "../../src/checks/phantom-failure.js";
import { Simulation } from "../../src/sim/simulation.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const invoice = { name: "invoice", key: (a: Record<string, unknown>) => `order ${String(a.order)}` };

/** One step against a real tool under a 7.9 s budget; returns the finished trace. */
async function step(tool: Partial<SimToolOptions>, switches: Partial<HarnessSwitches> = {}, attempts = 1): Promise<readonly TraceEvent[]> {
  const sim = new Simulation({ seed: 1 });
  const t = new SimTool(sim, { name: "invoicing", latency: "8s", effect: invoice, ...tool });
  sim.spawn("agent", (ctx) =>
    callWithPolicy(ctx, t, { args: { order: "O-1" } }, retryPolicy({ fixed: { delay: "1s", maxAttempts: attempts } }), {
      agent: "agent",
      step: "create-invoice",
      rng: ctx.rng("agent:retry"),
      attemptBudgetMs: 7_900,
      switches,
    }),
  );
  await sim.run();
  return sim.trace.events;
}

/** A hand-written trace: step -> attempt -> tool call -> (declaration) -> commit, in `order`. */
function trace(order: ("declare" | "commit")[]): TraceEvent[] {
  const ev: TraceEvent[] = [
    { id: 0, t: 0, actor: "agent", layer: "harness", kind: "attempt", phase: "begin", attrs: { step: "s", attempt: 1 } },
    { id: 1, t: 0, actor: "tool", layer: "tool", kind: "tool.call", phase: "begin", parent: 0 },
  ];
  for (const what of order) {
    const id = ev.length;
    if (what === "declare") {
      ev.push({ id, t: id * 100, actor: "agent", layer: "harness", kind: "budget.exceeded", phase: "instant", parent: 0 });
      ev.push({
        id: id + 1,
        t: id * 100,
        actor: "agent",
        layer: "harness",
        kind: "step.declared-failed",
        phase: "instant",
        parent: id,
        attrs: { step: "s", attempt: 1, reason: "budget-exceeded" },
      });
    } else
      ev.push({
        id,
        t: id * 100,
        actor: "tool",
        layer: "tool",
        kind: "effect.commit",
        phase: "instant",
        parent: 1,
        attrs: { effect: "invoice", key: "order O-1" },
      });
  }
  return ev;
}

describe("noPhantomFailures over a real harness and tool", () => {
  it("catches the commit of a call the budget declared failed, with the declaration, the call and the commit as evidence", async () => {
    const events = await step({});
    const v = noPhantomFailures(events, { noun: "invoice" });
    expect(v.held).toBe(false);
    expect(v.violations).toHaveLength(1);
    const [declared, call, commit] = (v.violations[0]?.evidence ?? []).map((id) => events[id]);
    expect(declared).toMatchObject({ kind: "step.declared-failed", t: 7_900 });
    expect(call).toMatchObject({ kind: "tool.call", phase: "begin", t: 0 });
    expect(commit).toMatchObject({ kind: "effect.commit", t: 8_000 });
    expect(v.violations[0]).toMatchObject({ invariant: "no-phantom-failure", at: 8_000 });
    expect(v.violations[0]?.message).toBe("invoice for order O-1 committed 100ms after agent declared create-invoice attempt 1 failed (budget-exceeded)");
  });

  it("holds when the abandoned call is cancelled before it commits", async () => {
    const events = await step({ honoursCancellation: true }, { cancelOnAbandon: true });
    expect(events.some((e) => e.kind === "step.declared-failed")).toBe(true);
    expect(noPhantomFailures(events).held).toBe(true);
  });

  it("holds when the tool gives up on its own before the budget: the harness declares nothing", async () => {
    const events = await step({ timeout: "5s" });
    expect(events.some((e) => e.kind === "step.declared-failed")).toBe(false);
    expect(noPhantomFailures(events).held).toBe(true);
  });

  it("holds when the call commits within the budget", async () => {
    expect(noPhantomFailures(await step({ latency: "7s" })).held).toBe(true);
  });

  it("counts each declared attempt's own commit: two abandoned attempts, two phantom failures", async () => {
    const v = noPhantomFailures(await step({}, {}, 2));
    expect(v.violations.map((x) => x.message)).toEqual([expect.stringContaining("attempt 1 failed"), expect.stringContaining("attempt 2 failed")]);
  });
});

describe("noPhantomFailures on hand-written traces", () => {
  it("ignores a commit recorded before the declaration", () => {
    expect(noPhantomFailures(trace(["commit", "declare"])).held).toBe(true);
  });

  it("reports a commit recorded after the declaration, at the commit's time", () => {
    const v = noPhantomFailures(trace(["declare", "commit"]), { invariant: "mine" });
    expect(v.violations).toMatchObject([{ invariant: "mine", at: 400, evidence: [3, 1, 4] }]);
  });

  it("ignores commits of attempts that were never declared failed", () => {
    expect(noPhantomFailures(trace(["commit", "commit"])).held).toBe(true);
  });
});
