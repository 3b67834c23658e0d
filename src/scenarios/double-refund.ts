/**
 * double-refund (SCENARIOS.md #9, "The Idempotency Key Your Agent Never Sent").
 *
 * Customers' returns arrive at seeded times; for each one a refund agent thinks (an LLM call) and
 * calls the payment processor's refund endpoint under its own per-call timeout. The processor's
 * latency crosses that timeout: when the timeout fires the agent declares the call failed and
 * retries, but the processor keeps working and moves the money anyway. Each retry is a fresh
 * request without an idempotency key, so the processor cannot tell it from new work: one return,
 * two or three refunds.
 *
 * - Actors: the customers (arrivals, amounts), the agent harness (timeout, retries), the LLM
 *   planner (latency, cost), the payment processor (`SimTool`: latency, its own timeout,
 *   idempotency keys with Stripe's semantics, an effect ledger of refunds).
 * - Invariant `at-most-once-effect`: at most one refund per return in the processor's ledger.
 * - Mitigation `idempotency-keys`: one key per return, stable across retries. The processor replays
 *   a finished key's response, answers 409 while the first request is still in flight (the agent
 *   waits and retries) and refuses the same key with different parameters.
 * - Fault `processor-slowdown` (for files' `faults:` and `agentsim check`): refund calls that start
 *   in its window take 15 s longer, past the agent's timeout but inside the processor's own.
 *
 * This is also the benchmark workload (sweeps of thousands of seeds): one tool, one model, one
 * process per return, no timers beyond the calls themselves.
 */
import { AgentHarness, type PlanStep } from "../actors/agent-harness.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { SimTool } from "../actors/tool.js";
import { atMostOnceEffects } from "../checks/at-most-once.js";
import { judge, type Invariant } from "../checks/invariant.js";
import type { Distribution } from "../sim/distributions.js";
import type { Simulation } from "../sim/simulation.js";
import type { TraceEvent } from "../sim/trace.js";
import { slowedDuring } from "./fault-windows.js";
import { p } from "./params.js";
import { defineScenario, type FaultSpec, type Metric } from "./scenario.js";

const params = {
  returns: {
    count: p.int(20, {
      min: 1,
      max: 10_000,
      explore: [1, 40],
      doc: "customers' returns the agent refunds in one run (each one a chance for a double refund)",
      source: "assumption: a support queue's afternoon of returns",
    }),
    window: p.duration("30m", {
      min: "1s",
      max: "24h",
      explore: ["1m", "1h"],
      doc: "returns arrive at uniformly random times within this window",
      source: "assumption",
    }),
    amountUsd: p.distribution(
      { lognormal: { p50: 40, p99: 400 } },
      { unit: "number", doc: "the amount of one return's refund, in USD", source: "assumption: retail returns, most tens of dollars, a few hundreds" },
    ),
  },
  agent: {
    timeout: p.duration("10s", {
      min: "100ms",
      max: "10m",
      explore: ["2s", "30s"],
      doc: "the agent's timeout per refund call: when it fires, the agent treats the call as failed and retries",
      source: "assumption: a common tool-call timeout; the post gives none, only that it was shorter than the refund",
    }),
    maxAttempts: p.int(3, {
      min: 1,
      max: 10,
      explore: [1, 5],
      doc: "tries per refund, the first included",
      source: 'the post ("the agent retried both times"); FACTS.md Retries (3 attempts)',
    }),
    backoffBase: p.duration("100ms", {
      min: "0ms",
      max: "20s",
      explore: ["10ms", "5s"],
      doc: "base of the exponential backoff (full jitter, cap 20 s) between tries",
      source: "AWS SDK v3 default base 100 ms; FACTS.md Retries (full jitter, cap 20 s)",
    }),
    inputTokens: p.int(3_000, {
      min: 1,
      max: 200_000,
      explore: [500, 20_000],
      doc: "tokens the agent's model reads before each refund call (policy, order, conversation)",
      source: "assumption",
    }),
    outputTokens: p.int(150, {
      min: 1,
      max: 10_000,
      explore: [20, 1_000],
      doc: "tokens the model writes to produce the refund call",
      source: "assumption: one tool call's JSON",
    }),
  },
  processor: {
    latency: p.distribution(
      { lognormal: { p50: "8s", p99: "40s" } },
      {
        doc: "how long the payment processor takes to process a refund; it keeps working after the agent gives up",
        source: "the post (the refund took longer than the agent's timeout); a degraded processor with its median near the timeout",
      },
    ),
    timeout: p.duration("30s", {
      min: "1s",
      max: "1h",
      explore: ["10s", "2m"],
      doc: "the processor's own timeout: a refund still running then is abandoned before it moves money",
      source: "TOOL_DEFAULTS.timeoutMs (SCENARIOS.md #1: a tool's own timeout of 30 s)",
    }),
  },
};

/**
 * What a `processor-slowdown` fault adds to a refund call: with the defaults, enough to push a
 * typical refund (p50 8 s) past the agent's 10 s timeout and not past the processor's own 30 s, so
 * the money still moves. Source: assumption (a degraded processor, as in the post).
 */
const PROCESSOR_SLOWDOWN_MS = 15_000;

/** The invariant, judged from the payment processor's ledger: at most one refund per return. */
export const atMostOnceRefund: Invariant<SimTool> = {
  name: "at-most-once-effect",
  description: "at most one refund per return in the processor's ledger",
  check: (processor) => atMostOnceEffects(processor.ledger.entries, { invariant: "at-most-once-effect", noun: "refund" }),
};

/** One customer's return. */
export interface Return {
  id: string;
  at: number;
  amountUsd: number;
}

export const doubleRefund = defineScenario({
  name: "double-refund",
  title: "The Idempotency Key Your Agent Never Sent",
  summary: "a refund outlives the agent's timeout; keyless retries refund one return two or three times",
  params,
  invariants: [atMostOnceRefund],
  mitigations: [{ name: "idempotency-keys", description: "one key per return, stable across retries; the processor replays, conflicts or refuses" }],
  faults: [
    {
      name: "processor-slowdown",
      description: "refund calls that start while it lasts take 15 s longer (past the agent's timeout, inside the processor's)",
      targets: ["payments"],
    },
  ],
  defaults: { seed: 9, horizon: "2h" },
  build({ sim, params: v, mitigations, faults }) {
    const llm = new LlmProvider(sim, { name: "llm" });
    const processor = refundProcessor(sim, v.processor, faults);
    const agent = new AgentHarness({
      name: "refund-agent",
      model: llm,
      retry: { exponential: { base: v.agent.backoffBase, jitter: "full", maxAttempts: v.agent.maxAttempts } },
      attemptBudget: v.agent.timeout,
      switches: { idempotencyKeys: mitigations.has("idempotency-keys") },
    });
    const givenUp: string[] = [];
    const think = { inputTokens: v.agent.inputTokens, outputTokens: v.agent.outputTokens };
    const returns = drawReturns(sim, v.returns.count, v.returns.window, v.returns.amountUsd);
    for (const r of returns) {
      const step: PlanStep = {
        name: `refund ${r.id}`,
        tool: processor,
        think,
        idempotencyKey: `refund-${r.id}`,
        args: () => ({ returnId: r.id, amountUsd: r.amountUsd }),
      };
      sim.spawn(`customer ${r.id}`, async (ctx) => {
        await ctx.sleep(r.at);
        const asked = sim.trace.instant({ actor: "customer", layer: "user", kind: "return.requested", attrs: { returnId: r.id, amountUsd: r.amountUsd } });
        const report = await agent.run(ctx, [step], asked);
        if (report.outcome !== "succeeded") givenUp.push(`return ${r.id}`);
      });
    }
    const amountOf = new Map(returns.map((r) => [`return ${r.id}`, r.amountUsd]));
    return {
      check: () => [judge(atMostOnceRefund, processor)],
      metrics: () => refundMetrics({ returns: returns.length, processor, amountOf, givenUp, events: sim.trace.events, llmUsd: llm.totals.costUsd }),
    };
  },
});

/**
 * The double-refund workload's parts, shared with the world's version that runs a user's own agent
 * (src/world/user-agent-scenario.ts): the returns, the processor and the invariant.
 */

/** The payment processor: its latency (slowed in `processor-slowdown` windows), its own timeout, Stripe-style idempotency keys, a ledger of refunds. */
export function refundProcessor(sim: Simulation, v: { latency: Distribution; timeout: number }, faults: readonly FaultSpec[]): SimTool {
  return new SimTool(sim, {
    name: "payments",
    latency: slowedDuring(sim, v.latency, faults, { kind: "processor-slowdown", target: "payments", extraMs: PROCESSOR_SLOWDOWN_MS }),
    timeout: v.timeout,
    idempotency: true,
    effect: { name: "refund", key: (a) => `return ${String(a.returnId)}` },
    resultFor: (a) => ({ status: "succeeded", returnId: a.returnId ?? null, amountUsd: a.amountUsd ?? null }),
  });
}

/** Dollars paid out by duplicate refunds: each refund beyond a return's first, at the return's amount. */
export function refundedInExcess(processor: SimTool, amountOf: ReadonlyMap<string, number>): number {
  const excess = processor.ledger.duplicates().reduce((usd, g) => usd + (g.length - 1) * (amountOf.get(g[0]?.key ?? "") ?? 0), 0);
  return Math.round(excess * 100) / 100;
}

/** Arrival times uniform in the window and amounts from their distribution, numbered by arrival. */
export function drawReturns(sim: Simulation, count: number, windowMs: number, amount: Distribution): Return[] {
  const arrivals = sim.rng("customers:arrivals");
  const amounts = sim.rng("customers:amounts");
  const drawn = Array.from({ length: count }, () => ({
    at: arrivals.next() * windowMs,
    amountUsd: Math.max(0.01, Math.round(amount.sample(amounts) * 100) / 100),
  }));
  return drawn.sort((a, b) => a.at - b.at).map((d, i) => ({ id: `R-${1001 + i}`, ...d }));
}

/** What the metrics are computed from. */
interface RefundRun {
  returns: number;
  processor: SimTool;
  /** Refund amount by ledger key (`return R-1001`). */
  amountOf: ReadonlyMap<string, number>;
  /** Ledger keys of the returns the agent reported as failed. */
  givenUp: readonly string[];
  events: readonly TraceEvent[];
  llmUsd: number;
}

/** The story in numbers: refunds against returns, the money paid twice, and what the agent saw. */
function refundMetrics({ returns, processor, amountOf, givenUp, events, llmUsd }: RefundRun): Metric[] {
  const refunds = processor.ledger.entries;
  const dupes = processor.ledger.duplicates();
  const calls = processor.calls;
  const refunded = new Set(refunds.map((e) => e.key));
  let timeouts = 0;
  let retries = 0;
  for (const e of events) {
    if (e.layer !== "harness") continue;
    if (e.kind === "budget.exceeded") timeouts++;
    else if (e.kind === "retry.scheduled") retries++;
  }
  return [
    { name: "returns", value: returns, unit: "count", note: "refunds owed: one per return" },
    { name: "refunds committed", value: refunds.length, unit: "count", note: "refunds the processor's ledger holds" },
    { name: "duplicate refunds", value: refunds.length - refunded.size, unit: "count", note: "refunds beyond the first of a return" },
    { name: "returns refunded more than once", value: dupes.length, unit: "count" },
    { name: "returns never refunded", value: returns - refunded.size, unit: "count", note: "returns with no refund in the ledger when the run ended" },
    { name: "refunded in excess", value: refundedInExcess(processor, amountOf), unit: "usd", note: "money paid out by duplicate refunds" },
    { name: "agent timeouts", value: timeouts, unit: "count", note: "calls the agent gave up on while the processor kept working" },
    { name: "retries", value: retries, unit: "count", note: "fresh requests sent after a timeout or an error" },
    {
      name: "409 conflicts",
      value: calls.filter((c) => c.response?.ok === false && c.response.error === "conflict").length,
      unit: "count",
      note: "retries refused because the first request with the key was still in flight",
    },
    {
      name: "replays",
      value: calls.filter((c) => c.response?.replayed === true).length,
      unit: "count",
      note: "retries answered with the saved response of the key's first request",
    },
    { name: "processor calls", value: calls.length, unit: "count" },
    {
      name: "reported failed, yet refunded",
      value: givenUp.filter((k) => refunded.has(k)).length,
      unit: "count",
      note: "returns the agent gave up on although the money moved",
    },
    { name: "model spend", value: llmUsd, unit: "usd", note: "the agent's thinking before each call" },
  ];
}
