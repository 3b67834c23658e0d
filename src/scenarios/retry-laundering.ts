/**
 * retry-laundering (SCENARIOS.md #8): "Your Retry Logic Is Teaching the Agent the Wrong Lesson".
 * Support tasks arrive; for each, an agent thinks (a model call) and calls an order-lookup tool
 * with arguments the model samples. Some samples are malformed (a field dropped or of the wrong
 * type); the tool validates its arguments and rejects those as caller errors, and it also fails
 * transiently now and then (5xx, 429 with retry-after). The harness's retry policy was built for
 * flaky networks: it retries every error with backoff, the model samples again, a later sample
 * happens to be well formed, and the step is reported as a success. The dashboard shows about 99%
 * success while about 30% of first attempts were the model's own mistakes.
 *
 * - Actors: the LLM provider (`llm-provider.ts`, its `pMalformed` behaviour), the tool
 *   (`tool.ts`, `validate` and seeded faults), the agent harness (`agent-harness.ts` with a retry
 *   policy, a retry budget and the `classifyErrors` switch), and the dashboard, which counts the
 *   statuses the harness reports (`step.status` events).
 * - Invariant `caller-errors-surfaced`, judged from the trace (`checks/surfaced-errors.ts`): no
 *   step reported as a clean success may hold a caller error in its causal tree, and every report
 *   counts the caller errors its tree holds, so the caller-error rate reaches the dashboard.
 * - Mitigation `classify-errors`: retry only transient errors, within a retry budget; a caller
 *   error goes back to the model as feedback (with the validation message, which the model
 *   usually gets right) and is counted as a defect; the step is reported as
 *   `recovered-after-caller-error`, not as a clean success.
 */
import { errorsSurfaced } from "../checks/surfaced-errors.js";
import type { Verdict } from "../checks/verdict.js";
import { AgentHarness, type PlanStep } from "../actors/agent-harness.js";
import { LLM_DEFAULTS, RETRY_POLICY_DEFAULTS, TOOL_DEFAULTS } from "../actors/defaults.js";
import type { StepReport } from "../actors/harness-contract.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { retryBudget } from "../actors/retry-budget.js";
import { SimTool } from "../actors/tool.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { AttrValue, Attrs, TraceEvent } from "../sim/trace.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric, type Series } from "./scenario.js";

const params = {
  tasks: {
    count: p.int(120, {
      min: 1,
      max: 100_000,
      explore: [80, 200],
      doc: "support tasks, each one lookup step",
      source: "assumption: enough steps for rates to read as rates",
    }),
    perMinute: p.number(20, {
      min: 0.01,
      max: 10_000,
      explore: [5, 60],
      doc: "task arrivals per minute (Poisson)",
      source: "assumption: a busy support queue",
    }),
  },
  model: {
    pMalformed: p.probability(0.3, {
      explore: [0.1, 0.5],
      doc: "chance that a sample of the tool's arguments is malformed (a field dropped or mistyped)",
      source: "SCENARIOS.md #8: the model's real first-attempt error rate (say 30%)",
    }),
    pMalformedAfterFeedback: p.probability(0.05, {
      explore: [0, 0.2],
      doc: "with classify-errors: chance the arguments are still malformed after the validation error went back to the model",
      source: "assumption: a model shown the validation message usually fixes the field it names",
    }),
    thinkInputTokens: p.int(3_000, {
      min: 1,
      doc: "tokens of the model call before each attempt",
      source: "assumption: a system prompt, the ticket and tool definitions",
    }),
    thinkOutputTokens: p.int(150, { min: 1, doc: "tokens of that call's answer (the tool call)", source: "assumption: a short tool call" }),
    ttft: p.distribution(LLM_DEFAULTS.ttft, { doc: "time to first token", source: 'FACTS.md "Latency": p50/p95 600/2,000 ms' }),
  },
  tool: {
    latency: p.distribution(TOOL_DEFAULTS.latency, {
      doc: "the order-lookup tool's work time",
      source: "src/actors/defaults.ts TOOL_DEFAULTS (SCENARIOS.md #11: a search tool's 200 ms median)",
    }),
    pServerError: p.probability(0.02, {
      explore: [0, 0.05],
      doc: "chance a call fails with a 5xx (transient)",
      source: "assumption: a mostly healthy network; the post: the network is mostly fine",
    }),
    pRateLimited: p.probability(0.01, {
      explore: [0, 0.05],
      doc: "chance a call is refused with 429 and a retry-after",
      source: "assumption, as pServerError",
    }),
    retryAfter: p.distribution("1s", { doc: "the retry-after a 429 carries", source: 'FACTS.md "Retries": retry-after in seconds' }),
  },
  retry: {
    maxAttempts: p.int(4, {
      min: 1,
      max: 20,
      explore: [3, 6],
      doc: "tries in all, the first included",
      source: "the post: the framework retries it three times with exponential backoff",
    }),
    base: p.duration("100ms", { min: "1ms", doc: "exponential backoff base (full jitter)", source: "AWS SDK v3 base delay (RETRY_POLICY_DEFAULTS)" }),
    cap: p.duration("20s", { min: "1ms", doc: "backoff cap", source: 'FACTS.md "Retries": AWS SDK v3 delay cap 20 s' }),
  },
  classify: {
    feedbackRounds: p.int(1, {
      min: 0,
      max: 10,
      explore: [1, 3],
      doc: "with classify-errors: times a caller error may go back to the model per step",
      source: "HARNESS_DEFAULTS.maxFeedbackRounds (agentsim's choice)",
    }),
    budgetTokens: p.int(500, {
      min: 0,
      doc: "with classify-errors: the retry budget's token bucket (a retry costs 5, a success returns 1)",
      source: 'FACTS.md "Retries": AWS SDK v3 retry quota starts at 500',
    }),
  },
};

type Values = ParamValues<typeof params>;

const TOOL = "orders.lookup";
const STEP = "lookup_order";
const CALLER_ERROR = "caller error";

/** The wired world, for judging and metrics. */
interface World {
  sim: Simulation;
  v: Values;
  classify: boolean;
  llm: LlmProvider;
  tool: SimTool;
}

export const retryLaundering = defineScenario({
  name: "retry-laundering",
  title: "Your Retry Logic Is Teaching the Agent the Wrong Lesson",
  summary: "retries re-sample malformed tool calls until one passes: the dashboard shows ~99% success, the 30% caller-error rate is invisible",
  params,
  invariants: [
    {
      name: "caller-errors-surfaced",
      description: "no step is reported as a clean success when a caller error preceded it; every report counts its caller errors (from the trace)",
    },
  ],
  mitigations: [
    {
      name: "classify-errors",
      description: "retry only transient errors within a retry budget; caller errors go back to the model as feedback and are counted as defects",
    },
  ],
  defaults: { seed: 14, horizon: "2h" },
  build({ sim, params: v, mitigations }) {
    const classify = mitigations.has("classify-errors");
    const llm = new LlmProvider(sim, { ttft: v.model.ttft, pMalformed: v.model.pMalformed });
    const tool = new SimTool(sim, {
      name: TOOL,
      latency: v.tool.latency,
      retryAfter: v.tool.retryAfter,
      faults: { transient: v.tool.pServerError, rateLimited: v.tool.pRateLimited },
      validate: validateLookup,
      resultFor: (args) => ({ order_id: args.order_id as AttrValue, status: "shipped", eta: "2026-03-12" }),
    });
    const world: World = { sim, v, classify, llm, tool };
    const agent = new AgentHarness({
      name: "agent",
      model: llm,
      retry: { exponential: { base: v.retry.base, cap: v.retry.cap, jitter: RETRY_POLICY_DEFAULTS.jitter, maxAttempts: v.retry.maxAttempts } },
      ...(classify
        ? {
            switches: { classifyErrors: true },
            retryBudget: retryBudget({ tokenBucket: { initial: v.classify.budgetTokens } }),
            maxFeedbackRounds: v.classify.feedbackRounds,
          }
        : {}),
    });
    startTasks(world, agent);
    return {
      check: () => [callerErrorsSurfaced(sim)],
      metrics: () => metrics(world),
      series: () => series(world),
    };
  },
});

/** The order lookup's contract: every field present with its type. */
function validateLookup(args: Attrs): string | undefined {
  const expect: [string, (x: AttrValue | undefined) => boolean, string][] = [
    ["order_id", (x) => typeof x === "string" && x !== "", "a non-empty string"],
    ["fields", (x) => Array.isArray(x) && x.every((f) => typeof f === "string"), "a list of field names"],
    ["limit", (x) => typeof x === "number" && Number.isInteger(x), "an integer"],
    ["include_history", (x) => typeof x === "boolean", "true or false"],
  ];
  for (const [field, ok, what] of expect) {
    const x = args[field];
    if (x === undefined) return `400 invalid_request: missing required field "${field}"`;
    if (!ok(x)) return `400 invalid_request: "${field}" must be ${what}, got ${JSON.stringify(x)}`;
  }
  return undefined;
}

/** Tasks arrive (Poisson); each runs the agent's one-step plan and reports the step's status. */
function startTasks(world: World, agent: AgentHarness): void {
  const { sim, v } = world;
  const arrivals = sim.rng("tasks:arrivals");
  const meanGap = 60_000 / v.tasks.perMinute;
  sim.spawn("tasks", async (ctx) => {
    for (let n = 1; n <= v.tasks.count; n++) {
      await ctx.sleep(-meanGap * Math.log(arrivals.nextOpen()));
      const task = `T-${String(n).padStart(4, "0")}`;
      sim.spawn(`task ${task}`, (c) => runTask(c, world, agent, task, 10_000 + n));
    }
  });
}

/**
 * One task: the agent looks the order up; before each attempt the model samples the arguments
 * afresh (malformed with `pMalformed`; after feedback, with `pMalformedAfterFeedback`).
 */
async function runTask(ctx: ProcessContext, world: World, agent: AgentHarness, task: string, order: number): Promise<void> {
  const { sim, v, llm, tool } = world;
  const asked = sim.trace.instant({ actor: "customer", layer: "user", kind: "task.request", attrs: { task, order: `A-${order}` } });
  const wellFormed: Attrs = { order_id: `A-${order}`, fields: ["status", "eta"], limit: 5, include_history: false };
  const lookup: PlanStep = {
    name: STEP,
    tool,
    think: { inputTokens: v.model.thinkInputTokens, outputTokens: v.model.thinkOutputTokens },
    args: (c, info) => {
      const fedBack = world.classify && info.previous?.error === "caller";
      const pMalformed = fedBack ? v.model.pMalformedAfterFeedback : undefined;
      const parent = info.thought?.eventId ?? info.parent;
      return llm.sampleToolArgs(c, { caller: agent.name, wellFormed, tool: TOOL, parent, ...(pMalformed !== undefined ? { pMalformed } : {}) }).args;
    },
  };
  const run = await agent.run(ctx, [lookup], asked);
  for (const step of run.steps) reportStatus(sim, task, step);
}

/**
 * What the harness tells the dashboard about a step: `success`, `recovered-after-caller-error`
 * (succeeded, with caller errors counted) or `failed`. Caused by the result that ended the step.
 */
function reportStatus(sim: Simulation, task: string, step: StepReport): void {
  const status = step.outcome !== "succeeded" ? step.outcome : step.callerErrors > 0 ? "recovered-after-caller-error" : "success";
  const attrs: Attrs = { task, step: step.step, status, attempts: step.attempts.length, callerErrors: step.callerErrors };
  sim.trace.instant({ actor: "agent", layer: "harness", kind: "step.status", parent: step.resultEventId ?? step.eventId, attrs });
}

// ---------------------------------------------------------------------------------------------
// Invariant
// ---------------------------------------------------------------------------------------------

const isStepRoot = (e: TraceEvent): boolean => e.kind === "step" && e.phase === "begin" && e.layer === "harness";
const isCallerError = (e: TraceEvent): boolean => e.kind === "tool.call" && e.phase === "end" && e.attrs?.error === "caller";

function callerErrorsSurfaced(sim: Simulation): Verdict {
  return errorsSurfaced(sim.trace, {
    invariant: "caller-errors-surfaced",
    isRoot: isStepRoot,
    report: (e) =>
      e.kind === "step.status"
        ? {
            clean: e.attrs?.status === "success",
            reportedErrors: Number(e.attrs?.callerErrors ?? 0),
            label: `task ${String(e.attrs?.task)} step "${String(e.attrs?.step)}" (${String(e.attrs?.status)} after ${String(e.attrs?.attempts)} attempts)`,
          }
        : undefined,
    error: (e) => (isCallerError(e) ? `the tool rejected the model's arguments: ${String(e.attrs?.message)}` : undefined),
    noun: CALLER_ERROR,
  });
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

/** The first tool call of each step, and the statuses reported: what the dashboard shows and what it hides. */
function metrics(world: World): Metric[] {
  const events = world.sim.trace.events;
  const statuses = events.filter((e) => e.kind === "step.status");
  const steps = statuses.length;
  const count = (status: string): number => statuses.filter((e) => e.attrs?.status === status).length;
  const calls = world.tool.calls;
  const firstCalls = firstCallPerStep(world);
  const firstCallerErrors = firstCalls.filter((c) => c.response?.ok === false && c.response.error === "caller").length;
  const callerErrors = calls.filter((c) => c.response?.ok === false && c.response.error === "caller").length;
  const reported = statuses.reduce((s, e) => s + Number(e.attrs?.callerErrors ?? 0), 0);
  const retries = events.filter((e) => e.kind === "retry.scheduled");
  const launderingRetries = retries.filter((e) => e.parent !== undefined && world.sim.trace.get(e.parent)?.attrs?.error === "caller").length;
  const ratio = (n: number, of: number): number => (of === 0 ? 0 : n / of);
  return [
    {
      name: "dashboard success rate",
      value: ratio(count("success") + count("recovered-after-caller-error"), steps),
      unit: "ratio",
      note: "steps reported as succeeded",
    },
    { name: "clean success rate", value: ratio(count("success"), steps), unit: "ratio", note: "steps reported as succeeded with no caller error" },
    {
      name: "first-attempt caller-error rate",
      value: ratio(firstCallerErrors, firstCalls.length),
      unit: "ratio",
      note: "first calls the tool rejected as malformed (from the tool's log)",
    },
    {
      name: "reported caller-error rate",
      value: ratio(statuses.filter((e) => Number(e.attrs?.callerErrors ?? 0) > 0).length, steps),
      unit: "ratio",
      note: "steps the dashboard counts as defects",
    },
    { name: "steps", value: steps, unit: "count" },
    { name: "steps failed", value: count("failed"), unit: "count" },
    { name: "steps recovered after caller error", value: count("recovered-after-caller-error"), unit: "count" },
    { name: "tool calls", value: calls.length, unit: "count" },
    { name: "caller errors", value: callerErrors, unit: "count", note: "calls the tool rejected as malformed" },
    { name: "caller errors reported", value: reported, unit: "count", note: "defects the harness counted" },
    {
      name: "transient errors",
      value: calls.filter((c) => c.response?.ok === false && c.response.error !== "caller").length,
      unit: "count",
      note: "5xx and 429",
    },
    { name: "retries", value: retries.length, unit: "count" },
    { name: "retries of caller errors", value: launderingRetries, unit: "count", note: "retries that re-rolled a malformed call" },
    { name: "feedback rounds", value: events.filter((e) => e.kind === "feedback").length, unit: "count", note: "caller errors sent back to the model" },
    { name: "model spend", value: world.llm.billing.total(), unit: "usd" },
  ];
}

/** The first tool call of each step: calls whose attempt is the step's first. */
function firstCallPerStep(world: World): (typeof world.tool.calls)[number][] {
  const trace = world.sim.trace;
  return world.tool.calls.filter((c) => {
    const attempt = trace.get(trace.get(c.span)?.parent ?? -1);
    return attempt?.kind === "attempt" && attempt.attrs?.attempt === 1;
  });
}

/** Caller errors and retries per minute. */
function series(world: World): Record<string, Series> {
  const perMinute = (ts: number[]): Series => {
    const buckets = new Map<number, number>();
    for (const t of ts) buckets.set(Math.floor(t / 60_000) * 60_000, (buckets.get(Math.floor(t / 60_000) * 60_000) ?? 0) + 1);
    return [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  };
  const events = world.sim.trace.events;
  return {
    "caller errors per minute": perMinute(world.tool.calls.filter((c) => c.response?.ok === false && c.response.error === "caller").map((c) => c.invokedAt)),
    "retries per minute": perMinute(events.filter((e) => e.kind === "retry.scheduled").map((e) => e.t)),
  };
}
