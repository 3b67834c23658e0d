/**
 * clock-race (SCENARIOS.md #1, "The Agent Wall-Clock Budget That Raced Your Tool's Own Timeout").
 *
 * Orders arrive at seeded times; for each one an agent plans (an LLM call) and calls a slow
 * invoicing tool with a wall-clock budget per step (7.9 s). The tool has its own timeout (30 s)
 * and usually finishes in about 8 s. When the agent's budget fires first, the harness declares the
 * call failed, replans (another LLM call) and calls again, while the first call, on the tool's own
 * clock, finishes and commits its invoice. Its result lands on a plan that no longer expects it,
 * and the retry commits a second invoice for the same step.
 *
 * - Actors: the orders (arrivals), the agent harness (budget clock, retries), the LLM planner,
 *   the invoicing tool (`SimTool`: latency, its own timeout clock, the invoice as its effect).
 * - Invariants: `no-phantom-failure` (a call the agent declared failed must not commit afterwards,
 *   judged from the trace by `noPhantomFailures`); `single-effect` (one logical step, one invoice,
 *   judged by `atMostOnceEffects` over the tool's ledger keyed by step).
 * - Mitigations, each enough alone: `deadline-propagation` (the call carries the caller's deadline,
 *   its budget minus a margin, and the tool gives up at it instead of committing late: one clock,
 *   not two); `cancel-on-abandon` (the harness cancels the call it abandons, and the tool honours
 *   cancellation before committing).
 *
 * The tool commits at the end of its work, as the post's tool does. A tool that commits earlier and
 * then keeps working could commit before either signal arrives; that case needs idempotency keys
 * (double-refund), not a shared clock.
 */
import { AgentHarness, type PlanStep, type RunReport } from "../actors/agent-harness.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { SimTool } from "../actors/tool.js";
import { atMostOnceEffects } from "../checks/at-most-once.js";
import { noPhantomFailures } from "../checks/phantom-failure.js";
import type { TraceEvent } from "../sim/trace.js";
import { p } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

const params = {
  orders: {
    count: p.int(10, {
      min: 1,
      max: 10_000,
      explore: [1, 30],
      doc: "orders the agent invoices in one run, one plan step each",
      source: "assumption: enough steps that a seed shows the race several times",
    }),
    window: p.duration("10m", {
      min: "1s",
      max: "24h",
      explore: ["10s", "1h"],
      doc: "orders arrive at uniformly random times within this window",
      source: "assumption",
    }),
  },
  agent: {
    stepBudget: p.duration("7.9s", {
      min: "100ms",
      max: "10m",
      explore: ["2s", "20s"],
      doc: "the agent's wall-clock budget per tool call; when it fires the call is declared failed",
      source: 'the post ("declared it a failure at seven point nine")',
    }),
    maxAttempts: p.int(3, {
      min: 1,
      max: 10,
      explore: [1, 5],
      doc: "tries per step, the first included; each retry is replanned by the model",
      source: "FACTS.md Retries (3 attempts)",
    }),
    deadlineMargin: p.duration("100ms", {
      min: "0ms",
      max: "10s",
      explore: ["10ms", "1s"],
      doc: "with deadline-propagation: subtracted from the remaining budget in the deadline the tool receives",
      source: "HARNESS_DEFAULTS.deadlineMarginMs (assumption: time for the tool's answer to travel back)",
    }),
    inputTokens: p.int(4_000, {
      min: 1,
      max: 200_000,
      explore: [500, 20_000],
      doc: "tokens the planner reads before each call (task, plan so far, errors)",
      source: "assumption",
    }),
    outputTokens: p.int(300, { min: 1, max: 10_000, explore: [20, 1_000], doc: "tokens the planner writes per (re)plan", source: "assumption" }),
  },
  tool: {
    latency: p.distribution(
      { lognormal: { p50: "8s", p99: "11s" } },
      { doc: "how long the invoicing tool works before it commits and answers", source: 'the post ("a tool that consistently completes in eight seconds")' },
    ),
    timeout: p.duration("30s", {
      min: "100ms",
      max: "1h",
      explore: ["10s", "2m"],
      doc: "the tool's own timeout: its work stops, uncommitted, after this long",
      source: "the post (the tool's own timeout of 30 s); TOOL_DEFAULTS.timeoutMs",
    }),
  },
};

export const clockRace = defineScenario({
  name: "clock-race",
  title: "The Agent Wall-Clock Budget That Raced Your Tool's Own Timeout",
  summary: "the agent's 7.9 s budget fires before an 8 s tool commits; the replanned retry commits again",
  params,
  invariants: [
    { name: "no-phantom-failure", description: "a call the agent declared failed never commits an effect afterwards" },
    { name: "single-effect", description: "one logical step, one effect" },
  ],
  mitigations: [
    { name: "deadline-propagation", description: "the tool gets the caller's remaining budget minus a margin as its deadline and gives up at it" },
    { name: "cancel-on-abandon", description: "an abandoned call is cancelled, and the tool honours cancellation before committing" },
  ],
  defaults: { seed: 1, horizon: "2h" },
  build({ sim, params: v, mitigations }) {
    const propagate = mitigations.has("deadline-propagation");
    const cancel = mitigations.has("cancel-on-abandon");
    const llm = new LlmProvider(sim, { name: "llm" });
    const invoicing = new SimTool(sim, {
      name: "invoicing",
      latency: v.tool.latency,
      timeout: v.tool.timeout,
      effect: { name: "invoice", key: (a) => `order ${String(a.order)}` },
      resultFor: (a) => ({ invoice: `INV-${String(a.order)}`, status: "issued" }),
      honoursDeadline: propagate,
      honoursCancellation: cancel,
    });
    const agent = new AgentHarness({
      name: "agent",
      model: llm,
      retry: { exponential: { maxAttempts: v.agent.maxAttempts } },
      attemptBudget: v.agent.stepBudget,
      deadlineMargin: v.agent.deadlineMargin,
      switches: { deadlinePropagation: propagate, cancelOnAbandon: cancel },
    });
    const think = { inputTokens: v.agent.inputTokens, outputTokens: v.agent.outputTokens };
    const arrivals = sim.rng("orders:arrivals");
    const times = Array.from({ length: v.orders.count }, () => arrivals.next() * v.orders.window).sort((a, b) => a - b);
    const reports: RunReport[] = [];
    times.forEach((at, i) => {
      const order = `O-${1001 + i}`;
      const step: PlanStep = { name: "create-invoice", tool: invoicing, think, args: () => ({ order }) };
      sim.spawn(`order ${order}`, async (ctx) => {
        await ctx.sleep(at);
        const placed = sim.trace.instant({ actor: "orders", layer: "user", kind: "order.placed", attrs: { order } });
        reports.push(await agent.run(ctx, [step], placed));
      });
    });
    return {
      check: () => [
        noPhantomFailures(sim.trace.events, { noun: "invoice" }),
        atMostOnceEffects(invoicing.ledger.entries, { invariant: "single-effect", noun: "invoice" }),
      ],
      metrics: () => raceMetrics(v.orders.count, invoicing, reports, sim.trace.events, llm),
    };
  },
});

/** The story in numbers: budgets fired, effects that landed anyway, what the replans cost. */
function raceMetrics(orders: number, tool: SimTool, reports: readonly RunReport[], events: readonly TraceEvent[], llm: LlmProvider): Metric[] {
  const invoices = tool.ledger.entries;
  const steps = new Set(invoices.map((e) => e.key));
  const count = (kind: string): number => events.reduce((n, e) => (e.kind === kind ? n + 1 : n), 0);
  const gaveUpAtDeadline = events.filter((e) => e.kind === "tool.call" && e.phase === "end" && e.attrs?.reason === "deadline").length;
  return [
    { name: "orders", value: orders, unit: "count", note: "plan steps, one invoice owed each" },
    { name: "tool calls", value: tool.calls.length, unit: "count" },
    { name: "budget exceeded", value: count("budget.exceeded"), unit: "count", note: "calls the agent declared failed while the tool was still working" },
    { name: "phantom failures", value: noPhantomFailures(events).violations.length, unit: "count", note: "declared-failed calls that committed anyway" },
    { name: "invoices committed", value: invoices.length, unit: "count" },
    { name: "duplicate invoices", value: invoices.length - steps.size, unit: "count", note: "invoices beyond the first of a step" },
    { name: "replans", value: Math.max(0, llm.totals.calls - orders), unit: "count", note: "model calls after the first of each step" },
    { name: "calls cancelled", value: count("tool.cancelled"), unit: "count", note: "abandoned calls the tool stopped before committing" },
    { name: "calls given up at the deadline", value: gaveUpAtDeadline, unit: "count", note: "calls the tool stopped at the propagated deadline" },
    { name: "steps reported failed", value: reports.filter((r) => r.outcome !== "succeeded").length, unit: "count", note: "orders the agent gave up on" },
    { name: "model spend", value: llm.totals.costUsd, unit: "usd" },
  ];
}
