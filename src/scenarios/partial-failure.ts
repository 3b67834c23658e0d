/**
 * partial-failure (SCENARIOS.md #7, "Your Agent Endpoint Is a Distributed System Pretending to Be
 * a Function Call").
 *
 * An orders API calls `await agent.run("process order O-1001")` for each order that arrives. The
 * call looks like a function call but is five remote hops: the model plans, then four tools run in
 * turn: look the order up, charge the card, email the receipt, update the CRM. Each hop can time
 * out (its own timeout), fail after committing (its effect happened, its answer is a 5xx or a
 * timeout) or hang (and a hop with no timeout then never returns). When a run fails, the caller
 * retries the whole run: the hops that had committed commit again. When a hop hangs, the caller
 * hangs with it.
 *
 * - Actors: the orders API (the caller: arrivals, a deadline, whole-run retries with backoff), the
 *   agent (a run of hops, each a `callWithPolicy` step without retries), the LLM planner, four
 *   `SimTool`s sharing one effect ledger, and, with `step-checkpoints`, a `CheckpointStore`.
 * - Invariants: `bounded-latency` (every `agent.run` returns, success or error, within the caller's
 *   deadline; one still waiting counts at the end of the run, judged by `everyWithin` from the
 *   trace); `effects-exactly-once` (each order's charge, email and CRM update commit once across
 *   whole-run retries, and every order reported done has all three; `exactlyOnceEffects` over the
 *   ledger).
 * - Mitigations, each fixing one invariant, both needed for the run to hold:
 *   `step-checkpoints` fixes `effects-exactly-once`: each hop's service writes a checkpoint in the
 *   same transaction as its effect, so a retried run skips every hop that committed, including one
 *   that failed after committing. `hop-deadlines` fixes `bounded-latency`: the run knows the
 *   caller's deadline and gives each hop a share of the time left (weights `share`), propagated to
 *   the tool as its deadline; no hop, and no whole-run retry, starts past the deadline.
 * - Fault `hop-slowdown` (for files' `faults:` and `agentsim check`): calls to the target hop's
 *   service that start in its window take 20 s longer.
 */
import { callWithPolicy } from "../actors/call-with-policy.js";
import { CheckpointStore } from "../actors/checkpoint-store.js";
import type { ToolPort, ToolResponse } from "../actors/contracts.js";
import { EffectLedger } from "../actors/effect-ledger.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { retryPolicy, type RetryPolicy } from "../actors/retry-policy.js";
import { SimTool, type ToolCallRecord } from "../actors/tool.js";
import { exactlyOnceEffects, type ClaimedEffect } from "../checks/exactly-once.js";
import { everyWithin, summarize } from "../checks/latency.js";
import { verdict } from "../checks/verdict.js";
import type { DistributionSpec } from "../sim/distributions.js";
import type { ProcessContext, RunOutcome, Simulation } from "../sim/simulation.js";
import type { TraceEvent } from "../sim/trace.js";
import { slowedDuring } from "./fault-windows.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

/** The four tool hops, in the order a run makes them. */
const HOPS = [
  { step: "lookup", tool: "orders-db", effect: undefined, what: "the order lookup" },
  { step: "charge", tool: "payments", effect: "charge", what: "the card charge" },
  { step: "email", tool: "mailer", effect: "receipt email", what: "the receipt email" },
  { step: "crm", tool: "crm", effect: "CRM update", what: "the CRM update" },
] as const;

/** What a `hop-slowdown` fault adds to a hop's call (assumption: a service degraded by tens of seconds, as a hang that ends). */
const HOP_SLOWDOWN_MS = 20_000;

/** The caller and the agent, as they appear in the trace. */
const CALLER = "orders-api";
const AGENT = "order-agent";

interface HopDefaults {
  latency: DistributionSpec;
  timeout: string;
  commitAt: number;
  errorRate: number;
  hangRate: number;
  share: number;
}

/** The parameters of one hop. Defaults are assumptions (no published figures) unless noted. */
function hopParams(what: string, d: HopDefaults, timeoutSource: string) {
  return {
    latency: p.distribution(d.latency, { doc: `how long ${what} takes`, source: "assumption: a healthy service's median with a long tail" }),
    timeout: p.duration(d.timeout, {
      min: "0ms",
      max: "1h",
      explore: ["0ms", "1m"],
      doc: `the service's own timeout on ${what}; 0 means none, so a hang never ends`,
      source: timeoutSource,
    }),
    commitAt: p.number(d.commitAt, {
      min: 0,
      max: 1,
      explore: [0.1, 1],
      doc: `where in ${what}'s work its effect happens, as a fraction of its latency; an error or a timeout after that point is a failure after commit`,
      source: "assumption: the write happens before the response is assembled and sent",
    }),
    errorRate: p.probability(d.errorRate, {
      explore: [0, 0.2],
      doc: `chance per call that ${what} answers 5xx at the end of its work (after its commit point, if before the end)`,
      source: "assumption: fault injection",
    }),
    hangRate: p.probability(d.hangRate, {
      explore: [0, 0.1],
      doc: `chance per call that ${what} never finishes its work`,
      source: "assumption: fault injection",
    }),
    share: p.number(d.share, {
      min: 0.01,
      max: 100,
      explore: [0.05, 1],
      doc: `with hop-deadlines: the weight of ${what} when the run's remaining time is split among its remaining hops`,
      source: "assumption: in proportion to the hop's usual latency",
    }),
  };
}

const NO_TIMEOUT = 'none (Go\'s http.Client: "a Timeout of zero means no timeout"; the post: a hop with no timeout)';

const params = {
  orders: {
    count: p.int(12, {
      min: 1,
      max: 10_000,
      explore: [1, 20],
      doc: "orders the API hands to the agent in one run (each one a chance for a partial failure)",
      source: "assumption: enough orders that a seed shows both failures",
    }),
    window: p.duration("6m", {
      min: "1s",
      max: "24h",
      explore: ["1m", "1h"],
      doc: "orders arrive at uniformly random times within this window",
      source: "assumption",
    }),
  },
  caller: {
    deadline: p.duration("30s", {
      min: "1s",
      max: "1h",
      explore: ["10s", "2m"],
      doc: "how long the orders API's `agent.run` may take, retries included, before its own caller has given up",
      source: "assumption: an API gateway's integration timeout (AWS API Gateway's is 29 s)",
    }),
    maxRuns: p.int(3, {
      min: 1,
      max: 10,
      explore: [1, 5],
      doc: "whole runs the caller tries per order, the first included",
      source: "FACTS.md Retries (3 attempts)",
    }),
    backoffBase: p.duration("100ms", {
      min: "0ms",
      max: "20s",
      explore: ["10ms", "5s"],
      doc: "base of the caller's exponential backoff between runs (full jitter, cap 20 s)",
      source: "AWS SDK v3 default base 100 ms; FACTS.md Retries",
    }),
  },
  agent: {
    planInputTokens: p.int(3_000, { min: 1, max: 200_000, explore: [500, 20_000], doc: "tokens the model reads to plan a run", source: "assumption" }),
    planOutputTokens: p.int(200, { min: 1, max: 10_000, explore: [20, 1_000], doc: "tokens the model writes for the plan", source: "assumption" }),
    planShare: p.number(0.2, {
      min: 0.01,
      max: 100,
      explore: [0.05, 1],
      doc: "with hop-deadlines: the weight of the planning call in splitting the run's time",
      source: "assumption",
    }),
    deadlineMargin: p.duration("100ms", {
      min: "0ms",
      max: "10s",
      explore: ["10ms", "1s"],
      doc: "with hop-deadlines: subtracted from a hop's budget in the deadline its tool receives",
      source: "HARNESS_DEFAULTS.deadlineMarginMs",
    }),
  },
  hops: {
    lookup: hopParams(
      "the order lookup",
      { latency: { lognormal: { p50: "150ms", p99: "1.5s" } }, timeout: "10s", commitAt: 1, errorRate: 0.01, hangRate: 0.005, share: 0.1 },
      "assumption: a database client's statement timeout",
    ),
    charge: hopParams(
      "the card charge",
      { latency: { lognormal: { p50: "2s", p99: "10s" } }, timeout: "30s", commitAt: 0.6, errorRate: 0.03, hangRate: 0.01, share: 0.4 },
      "TOOL_DEFAULTS.timeoutMs (30 s)",
    ),
    email: hopParams(
      "the receipt email",
      { latency: { lognormal: { p50: "500ms", p99: "4s" } }, timeout: "0ms", commitAt: 0.8, errorRate: 0.03, hangRate: 0.01, share: 0.15 },
      NO_TIMEOUT,
    ),
    crm: hopParams(
      "the CRM update",
      { latency: { lognormal: { p50: "400ms", p99: "3s" } }, timeout: "0ms", commitAt: 0.5, errorRate: 0.05, hangRate: 0.01, share: 0.15 },
      NO_TIMEOUT,
    ),
  },
};

/** One step of a run: the planning call or a tool hop, with its share of the run's time. */
interface RunStep {
  step: string;
  share: number;
  port: ToolPort;
}

/** Everything a run needs, wired once. */
interface Wiring {
  steps: readonly RunStep[];
  checkpoints: CheckpointStore | undefined;
  hopDeadlines: boolean;
  deadlineMs: number;
  marginMs: number;
  callerRetry: RetryPolicy;
}

const NO_RETRY = retryPolicy("none");

export const partialFailure = defineScenario({
  name: "partial-failure",
  title: "Your Agent Endpoint Is a Distributed System Pretending to Be a Function Call",
  summary: "await agent.run() is five hops that time out, fail after committing or hang; whole-run retries redo effects",
  params,
  invariants: [
    { name: "bounded-latency", description: "every agent.run returns, success or error, within the caller's deadline" },
    { name: "effects-exactly-once", description: "each step's effect happens once across whole-run retries" },
  ],
  mitigations: [
    {
      name: "step-checkpoints",
      description: "a retried run resumes after its last committed step (checkpoints written at commit)",
      addresses: ["effects-exactly-once"],
    },
    { name: "hop-deadlines", description: "each hop gets a share of the run's deadline, propagated to its tool", addresses: ["bounded-latency"] },
  ],
  faults: [
    { name: "hop-slowdown", description: "calls to the target hop's service that start while it lasts take 20 s longer", targets: HOPS.map((h) => h.tool) },
  ],
  defaults: { seed: 6, horizon: "2h" },
  build({ sim, params: v, mitigations, faults }) {
    const checkpoints = mitigations.has("step-checkpoints") ? new CheckpointStore(sim) : undefined;
    const hopDeadlines = mitigations.has("hop-deadlines");
    const ledger = new EffectLedger();
    const llm = new LlmProvider(sim, { name: "llm" });
    const slowed = (h: (typeof HOPS)[number]) => ({
      ...v.hops[h.step],
      latency: slowedDuring(sim, v.hops[h.step].latency, faults, { kind: "hop-slowdown", target: h.tool, extraMs: HOP_SLOWDOWN_MS }),
    });
    const tools = HOPS.map((h) => hopTool(sim, h, slowed(h), { ledger, checkpoints, honoursDeadline: hopDeadlines }));
    const planner = plannerPort(llm, { inputTokens: v.agent.planInputTokens, outputTokens: v.agent.planOutputTokens });
    const wiring: Wiring = {
      steps: [
        { step: "plan", share: v.agent.planShare, port: planner },
        ...HOPS.map((h, i) => ({ step: h.step, share: v.hops[h.step].share, port: tools[i] as SimTool })),
      ],
      checkpoints,
      hopDeadlines,
      deadlineMs: v.caller.deadline,
      marginMs: v.agent.deadlineMargin,
      callerRetry: retryPolicy({ exponential: { base: v.caller.backoffBase, jitter: "full", maxAttempts: v.caller.maxRuns } }),
    };
    const arrivals = sim.rng("orders:arrivals");
    const times = Array.from({ length: v.orders.count }, () => arrivals.next() * v.orders.window).sort((a, b) => a - b);
    times.forEach((at, i) => {
      const order = `O-${1001 + i}`;
      sim.spawn(`${CALLER} ${order}`, async (ctx) => {
        await ctx.sleep(at);
        await serveOrder(ctx, wiring, order);
      });
    });
    const calls = (): ToolCallRecord[] => tools.flatMap((t) => [...t.calls]);
    return {
      check: (outcome) => [boundedLatency(sim.trace.events, calls(), outcome, v.caller.deadline), exactlyOnce(sim.trace.events, ledger)],
      metrics: (outcome) => failureMetrics(sim.trace.events, tools, ledger, outcome),
    };
  },
});

/** What every hop's service shares: the ledger, the checkpoint store, whether deadlines are honoured. */
interface HopServices {
  ledger: EffectLedger;
  checkpoints: CheckpointStore | undefined;
  honoursDeadline: boolean;
}

/** A hop's service: a `SimTool` whose commit also writes the step's checkpoint, when there is a store. */
function hopTool(sim: Simulation, hop: (typeof HOPS)[number], v: ParamValues<ReturnType<typeof hopParams>>, shared: HopServices): SimTool {
  const { ledger, checkpoints, honoursDeadline } = shared;
  return new SimTool(sim, {
    name: hop.tool,
    latency: v.latency,
    timeout: v.timeout === 0 ? null : v.timeout,
    faults: { transient: v.errorRate, hang: v.hangRate },
    commitAt: v.commitAt,
    ...(hop.effect ? { effect: { name: hop.effect, key: (a) => `order ${String(a.order)}` } } : {}),
    ledger,
    honoursDeadline,
    perform: (call) => {
      checkpoints?.write(String(call.args.order), hop.step, call.span);
      return { ok: true, result: { order: call.args.order ?? null, [hop.step]: "done" } };
    },
  });
}

/** The model's planning call as a run step, so that it gets a share of the deadline like any hop. */
function plannerPort(llm: LlmProvider, tokens: { inputTokens: number; outputTokens: number }): ToolPort {
  return {
    name: llm.name,
    async call(ctx, request): Promise<ToolResponse> {
      const r = await llm.complete(ctx, { ...tokens, caller: request.caller ?? AGENT, parent: request.parent });
      if (r.ok) return { ok: true, result: { plan: HOPS.map((h) => h.step) }, eventId: r.eventId };
      return { ok: false, error: r.status === 429 ? "rate-limited" : "transient", message: r.message, eventId: r.eventId };
    },
  };
}

/** The caller: `await agent.run(query)`, retried whole on error; with hop-deadlines, never past the deadline. */
async function serveOrder(ctx: ProcessContext, w: Wiring, order: string): Promise<void> {
  const trace = ctx.sim.trace;
  const call = trace.begin({ actor: CALLER, layer: "user", kind: "agent.run", attrs: { order, query: `process order ${order}`, deadlineMs: w.deadlineMs } });
  const deadlineAt = ctx.now + w.deadlineMs;
  const backoff = w.callerRetry.start(ctx.rng(`${CALLER}:retry`));
  let cause = call;
  let run = 0;
  let ok = false;
  for (;;) {
    run++;
    const r = await runAgent(ctx, w, order, run, cause, w.hopDeadlines ? deadlineAt : undefined);
    ok = r.ok;
    const delay = ok ? undefined : backoff.next();
    if (delay === undefined || (w.hopDeadlines && ctx.now + delay >= deadlineAt)) break;
    cause = trace.instant({ actor: CALLER, layer: "user", kind: "run.retry", parent: r.eventId, attrs: { order, nextRun: run + 1, delayMs: delay } });
    await ctx.sleep(delay);
  }
  trace.end(call, { outcome: ok ? "succeeded" : "error", runs: run });
}

/** One run of the agent: plan, then each hop in turn, skipping hops with a checkpoint; stops at the first failure. */
async function runAgent(
  ctx: ProcessContext,
  w: Wiring,
  order: string,
  run: number,
  parent: number,
  deadlineAt: number | undefined,
): Promise<{ ok: boolean; eventId: number }> {
  const trace = ctx.sim.trace;
  const span = trace.begin({ actor: AGENT, layer: "harness", kind: "run", parent, attrs: { order, run } });
  let cause = span;
  let failed: { step: string; error: string } | undefined;
  for (const [i, s] of w.steps.entries()) {
    const cp = w.checkpoints?.read(order, s.step);
    if (cp) {
      trace.instant({ actor: AGENT, layer: "harness", kind: "step.skipped", parent: cp.eventId, attrs: { order, run, step: s.step, committedAt: cp.t } });
      continue;
    }
    const limits = deadlineAt === undefined ? {} : { deadlineAt, attemptBudgetMs: hopBudget(ctx.now, deadlineAt, w, order, i), deadlineMarginMs: w.marginMs };
    const report = await callWithPolicy(ctx, s.port, { args: { order } }, NO_RETRY, {
      agent: AGENT,
      step: s.step,
      rng: ctx.rng(`${AGENT}:retry`),
      parent: cause,
      switches: { deadlinePropagation: deadlineAt !== undefined },
      ...limits,
    });
    if (report.outcome !== "succeeded") {
      failed = { step: s.step, error: report.error ?? report.outcome };
      break;
    }
    if (s.step === "plan") cause = report.resultEventId ?? report.eventId;
  }
  return { ok: !failed, eventId: trace.end(span, failed ? { outcome: "failed", ...failed } : { outcome: "succeeded" }) };
}

/** Step `i`'s share of the time left: its weight over the weights of the steps still to do. */
function hopBudget(now: number, deadlineAt: number, w: Wiring, order: string, i: number): number {
  const ahead = w.steps.slice(i).filter((s, j) => j === 0 || !w.checkpoints?.read(order, s.step));
  const weights = ahead.reduce((sum, s) => sum + s.share, 0);
  return ((deadlineAt - now) * (w.steps[i] as RunStep).share) / weights;
}

/** Each `agent.run` the caller made, as its begin event and its end event if it returned. */
function callerSpans(events: readonly TraceEvent[]): { begin: TraceEvent; end: TraceEvent | undefined }[] {
  const spans = new Map<number, { begin: TraceEvent; end: TraceEvent | undefined }>();
  for (const e of events) {
    if (e.kind !== "agent.run") continue;
    if (e.phase === "begin") spans.set(e.id, { begin: e, end: undefined });
    else if (e.phase === "end" && e.span !== undefined) {
      const s = spans.get(e.span);
      if (s) s.end = e;
    }
  }
  return [...spans.values()];
}

/**
 * `bounded-latency`: each order's `agent.run` within the deadline. One still waiting when the run
 * ended counts then, as never returned, once its deadline has passed. The evidence is the hop call
 * in flight when the deadline passed (or the last one begun before), so the chain shows which hop
 * held the caller.
 */
function boundedLatency(events: readonly TraceEvent[], calls: readonly ToolCallRecord[], outcome: RunOutcome, deadlineMs: number) {
  const violations = callerSpans(events).flatMap(({ begin, end }) => {
    if (!end && outcome.now - begin.t <= deadlineMs) return [];
    const order = String(begin.attrs?.order);
    const held = lastCallBefore(calls, order, begin.t + deadlineMs);
    const sample = end ? { ms: end.t - begin.t, endedAt: end.t, eventId: held ?? end.id } : { ms: Infinity, endedAt: outcome.now, eventId: held ?? begin.id };
    return everyWithin([sample], { invariant: "bounded-latency", boundMs: deadlineMs, what: `agent.run for order ${order}` }).violations;
  });
  return verdict(
    "bounded-latency",
    violations.map(({ invariant: _, ...rest }) => rest),
  );
}

/** The span of the last hop call for `order` begun at or before `t`. */
function lastCallBefore(calls: readonly ToolCallRecord[], order: string, t: number): number | undefined {
  let found: ToolCallRecord | undefined;
  for (const c of calls) if (c.args.order === order && c.invokedAt <= t && (!found || c.invokedAt >= found.invokedAt)) found = c;
  return found?.span;
}

/** `effects-exactly-once`: no effect twice; every order the caller saw succeed has each effect. */
function exactlyOnce(events: readonly TraceEvent[], ledger: EffectLedger) {
  const claims: ClaimedEffect[] = [];
  for (const { begin, end } of callerSpans(events)) {
    if (end?.attrs?.outcome !== "succeeded") continue;
    for (const h of HOPS) if (h.effect) claims.push({ effect: h.effect, key: `order ${String(begin.attrs?.order)}`, t: end.t, eventId: end.id });
  }
  return exactlyOnceEffects(ledger.entries, claims, { claimant: "agent.run" });
}

/** The story in numbers: runs and retries, latency seen by the caller, duplicates by hop, hangs. */
function failureMetrics(events: readonly TraceEvent[], tools: readonly SimTool[], ledger: EffectLedger, outcome: RunOutcome): Metric[] {
  const spans = callerSpans(events);
  const returned = spans.flatMap(({ begin, end }) => (end ? [end.t - begin.t] : []));
  const lat = summarize(returned);
  const runs = events.filter((e) => e.kind === "run" && e.phase === "begin").length;
  const calls = tools.flatMap((t) => [...t.calls]);
  const duplicates = (effect: string): number => ledger.duplicates().reduce((n, g) => (g[0]?.effect === effect ? n + g.length - 1 : n), 0);
  const byHop: Metric[] = HOPS.flatMap((h) =>
    h.effect
      ? [{ name: `duplicate ${h.effect}s`, value: duplicates(h.effect), unit: "count" as const, note: `${h.what} committed again by a retried run` }]
      : [],
  );
  return [
    { name: "agent.run latency p50", value: lat.p50, unit: "ms", note: "calls that returned" },
    { name: "agent.run latency p99", value: lat.p99, unit: "ms" },
    { name: "agent.run latency max", value: lat.max, unit: "ms" },
    { name: "orders", value: spans.length, unit: "count", note: "agent.run calls made by the orders API" },
    { name: "runs", value: runs, unit: "count", note: "whole runs, retries included" },
    { name: "whole-run retries", value: events.filter((e) => e.kind === "run.retry").length, unit: "count" },
    { name: "orders failed", value: spans.filter((s) => s.end?.attrs?.outcome === "error").length, unit: "count", note: "agent.run returned an error" },
    {
      name: "never returned",
      value: spans.filter((s) => !s.end).length,
      unit: "count",
      note: `agent.run calls still waiting when the run ended (${outcome.status})`,
    },
    ...byHop,
    {
      name: "failures after commit",
      value: calls.filter((c) => c.committedAt !== undefined && c.response?.ok === false).length,
      unit: "count",
      note: "hops whose effect happened although they answered an error",
    },
    { name: "hop timeouts", value: calls.filter((c) => c.response?.ok === false && c.response.error === "timeout").length, unit: "count" },
    { name: "hop calls hanging", value: calls.filter((c) => c.respondedAt === undefined).length, unit: "count", note: "calls that never answered" },
    { name: "steps resumed from a checkpoint", value: events.filter((e) => e.kind === "step.skipped").length, unit: "count" },
  ];
}
