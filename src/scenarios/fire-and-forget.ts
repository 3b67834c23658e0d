/**
 * fire-and-forget (SCENARIOS.md #3, "The Async Tool Call Your Agent Fired and Forgot"): a user
 * hands an agent a few tasks; each is done by an async job service whose call answers at once
 * with a receipt (a job id) while the job itself succeeds or fails minutes later. To the planner
 * the receipt looks like any successful tool result: the agent marks the step done and the model
 * writes a confident summary. Minutes later some jobs fail, and nobody is listening.
 *
 * - Actors: the user (tasks arriving over time), the agent (`AgentHarness`: the model thinks,
 *   calls the job tool; then the model writes the summary the user reads), the LLM provider, the
 *   job service (`JobService`: seeded run time and failure per job; a status tool to poll).
 * - Invariants, judged from the trace (`checks/receipts.ts`): `receipts-resolved` (no report
 *   presents a task as finished while a job its run started is still running) and
 *   `claims-match-outcomes` (a report claims success only for jobs that succeeded).
 * - Mitigation `await-receipts`: the harness's `awaitReceipts` switch. The job tool declares its
 *   receipts (a `ReceiptPort` over its status tool); the harness polls each receipt until the job
 *   ends or `receipts.timeout` passes, and a job still running then is reported as pending.
 *
 * Trace: `task` (user) -> the harness's `run`, `step`, the model's `llm.call`, `attempt`,
 * `job.submit` (whose end is the receipt) -> the summary's `llm.call` -> `report` (harness; attrs
 * subject, status done|failed|pending, claims [{ jobId, outcome }], text). `job.failed` minutes
 * later has the submission as its parent.
 */
import { AgentHarness, type PlanStep } from "../actors/agent-harness.js";
import { JobService } from "../actors/job-service.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { receiptsViaTool } from "../actors/receipts.js";
import type { StepReport } from "../actors/harness-contract.js";
import { claimsMatchOutcomes, receiptEvidence, receiptsResolved, type ReceiptEvidence } from "../checks/receipts.js";
import { quantile } from "../checks/latency.js";
import { formatDuration } from "../sim/duration.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { AttrValue } from "../sim/trace.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

/** What users ask for: jobs that take minutes (exports, re-indexes, renders, bulk updates). */
const TASKS = [
  "export the Q3 invoices to the ledger",
  "re-index the product catalog",
  "render the monthly usage report",
  "bulk-update 4,000 CRM contacts",
  "provision the staging database",
  "transcode the onboarding video",
  "backfill last week's analytics events",
  "rebuild the search synonyms index",
] as const;

const params = {
  tasks: {
    count: p.int(6, {
      min: 1,
      max: 500,
      explore: [2, 12],
      doc: "tasks the user hands the agent in one run; each starts one async job",
      source: "assumption: a working session's worth of requests; the post's \"several\" async calls",
    }),
    gap: p.duration("45s", {
      min: "0ms",
      explore: ["1s", "3m"],
      doc: "mean time between the user's tasks (exponential)",
      source: "assumption: tasks handed over every minute or so, closer together than the jobs take",
    }),
  },
  job: {
    p50: p.duration("2m", {
      min: "1ms",
      explore: ["30s", "4m"],
      doc: "median run time of a job (lognormal with job.p99); explored below job.p99's range so that p50 < p99",
      source: 'SCENARIOS.md #3 ("minutes later the job fails") and the post ("three minutes later"); JOB_DEFAULTS in defaults.ts',
    }),
    p99: p.duration("10m", {
      min: "1ms",
      explore: ["5m", "20m"],
      doc: "99th percentile run time of a job; must be above job.p50",
      source: 'assumption within "minutes" (JOB_DEFAULTS in defaults.ts)',
    }),
    failureProbability: p.probability(0.25, {
      explore: [0.05, 0.5],
      doc: "chance that a job fails (decided when it is submitted, seen when it ends)",
      source: 'assumption: the post gives no rate ("either succeeded with nobody listening or failed")',
    }),
    pollLatency: p.distribution(
      { lognormal: { p50: "200ms", p99: "1s" } },
      { doc: "latency of the job service's status tool", source: "TOOL_DEFAULTS.latency in defaults.ts" },
    ),
  },
  agent: {
    planTokens: p.int(1_500, {
      min: 1,
      doc: "input tokens of the model call that chooses the job to start",
      source: "assumption: a system prompt, tool definitions and the task",
    }),
    summaryTokens: p.int(250, { min: 1, doc: "output tokens of the summary the user reads", source: "assumption: a short paragraph" }),
  },
  receipts: {
    timeout: p.duration("10m", {
      min: "0ms",
      explore: ["1m", "20m"],
      doc: "with await-receipts: how long the harness awaits a job before reporting it as still pending",
      source: 'HARNESS_DEFAULTS.receiptTimeoutMs in defaults.ts (an assumption within "minutes")',
    }),
    pollInterval: p.duration("15s", {
      min: "1ms",
      explore: ["5s", "1m"],
      doc: "with await-receipts: time between status polls",
      source: "assumption: jobs that take minutes polled a few times a minute (HARNESS_DEFAULTS.receiptPollMs, 5 s, is the low end)",
    }),
  },
};

type Values = ParamValues<typeof params>;

/** Output tokens of the model call that picks the job to start: a tool call's arguments. */
const PLAN_OUTPUT_TOKENS = 80;
/** Input tokens of the summary call: the conversation so far, with the tool's result. */
const SUMMARY_INPUT_TOKENS = 2_000;

/** The actors one run wires together. */
interface World {
  sim: Simulation;
  v: Values;
  llm: LlmProvider;
  jobs: JobService;
  agent: AgentHarness;
}

function wire(sim: Simulation, v: Values, awaitReceipts: boolean): World {
  if (!(v.job.p99 > v.job.p50))
    throw new RangeError(`params.job.p99 (${formatDuration(v.job.p99)}) must be above params.job.p50 (${formatDuration(v.job.p50)})`);
  const llm = new LlmProvider(sim);
  const jobs = new JobService(sim, {
    name: "jobs",
    duration: { lognormal: { p50: v.job.p50, p99: v.job.p99 } },
    failureProbability: v.job.failureProbability,
    pollLatency: v.job.pollLatency,
    resultFor: (args) => ({ task: args.task ?? null, status: "completed" }),
  });
  const agent = new AgentHarness({
    name: "agent",
    model: llm,
    switches: { awaitReceipts },
    receiptTimeout: v.receipts.timeout,
    receiptPollInterval: v.receipts.pollInterval,
  });
  return { sim, v, llm, jobs, agent };
}

/** The user hands over tasks one after another, each handled in a process of its own. */
function user(w: World): void {
  w.sim.spawn("user", async (ctx) => {
    const rng = ctx.rng("user:tasks");
    for (let i = 0; i < w.v.tasks.count; i++) {
      await ctx.sleep(-w.v.tasks.gap * Math.log(rng.nextOpen()));
      const task = `T-${i + 1}`;
      const what = TASKS[i % TASKS.length] as string;
      const asked = ctx.sim.trace.instant({ actor: "user", layer: "user", kind: "task", attrs: { task, what } });
      ctx.sim.spawn(`agent:${task}`, (c) => handle(c, w, task, what, asked));
    }
  });
}

/** One task: the harness runs a one-step plan (the job), then the model writes the summary. */
async function handle(ctx: ProcessContext, w: World, task: string, what: string, asked: number): Promise<void> {
  const step: PlanStep = {
    name: "start-job",
    tool: w.jobs,
    think: { inputTokens: w.v.agent.planTokens, outputTokens: PLAN_OUTPUT_TOKENS },
    args: () => ({ task, action: what }),
    receipts: receiptsViaTool(w.jobs.pollTool),
  };
  const run = await w.agent.run(ctx, [step], asked);
  const done = run.steps[0] as StepReport;
  const summary = await w.llm.complete(ctx, {
    caller: "agent",
    inputTokens: SUMMARY_INPUT_TOKENS,
    outputTokens: w.v.agent.summaryTokens,
    parent: done.resultEventId ?? done.eventId,
  });
  ctx.sim.trace.instant({ actor: "agent", layer: "harness", kind: "report", parent: summary.eventId, attrs: report(task, what, done) });
}

/**
 * What the agent tells the user. A step the harness counts as succeeded is reported done and its
 * job claimed succeeded: without `awaitReceipts` that is the receipt itself, as the post's model
 * reads it ("a successful tool call with a non-error payload").
 */
function report(task: string, what: string, step: StepReport): Record<string, AttrValue> {
  const jobId = step.receipt;
  const outcome = step.outcome;
  const status = outcome === "succeeded" ? "done" : outcome;
  const text =
    outcome === "succeeded"
      ? `Done: ${what}.`
      : outcome === "pending"
        ? `Still running: ${what} (job ${jobId}); not finished yet.`
        : `Failed: ${what} (${step.attempts.at(-1)?.message ?? step.error ?? "error"}).`;
  const claims = jobId === undefined ? [] : [{ jobId, outcome }];
  return { subject: `task ${task} (${what})`, status, claims, text };
}

function metrics(e: ReceiptEvidence): Metric[] {
  const jobs = [...e.jobs.values()];
  const claims = e.reports.flatMap((r) => r.claims.map((c) => ({ ...c, at: r.t })));
  const successClaims = claims.filter((c) => c.outcome === "succeeded");
  const falseClaims = successClaims.filter((c) => e.jobs.get(c.jobId)?.state !== "succeeded");
  const lags = falseClaims.flatMap((c) => {
    const end = e.jobs.get(c.jobId)?.endedAt;
    return end === undefined ? [] : [end - c.at];
  });
  return [
    { name: "jobs", value: jobs.length, unit: "count", note: "async jobs the agent started" },
    { name: "failed jobs", value: jobs.filter((j) => j.state === "failed").length, unit: "count" },
    { name: "claims of success", value: successClaims.length, unit: "count", note: "tasks reported done" },
    { name: "false claims", value: falseClaims.length, unit: "count", note: "reported done; the job failed or never finished" },
    {
      name: "reported pending",
      value: e.reports.filter((r) => r.status === "pending").length,
      unit: "count",
      note: "honest: still running at the receipt deadline",
    },
    {
      name: "report to failure (median)",
      value: lags.length ? quantile(lags, 0.5) : "none",
      unit: "ms",
      note: "how long after the confident summary the job failed",
    },
    { name: "report to failure (max)", value: lags.length ? Math.max(...lags) : "none", unit: "ms" },
  ];
}

export const fireAndForget = defineScenario({
  name: "fire-and-forget",
  title: "The Async Tool Call Your Agent Fired and Forgot",
  summary: "an async tool's receipt is taken for the answer; the agent reports done and the job fails minutes later",
  params,
  invariants: [
    { name: "receipts-resolved", description: "the agent never reports done while a job it started is unresolved" },
    { name: "claims-match-outcomes", description: "the summary claims success only for jobs that succeeded" },
  ],
  mitigations: [{ name: "await-receipts", description: "the harness polls each receipt under a deadline and reports work still pending honestly" }],
  defaults: { seed: 3, horizon: "3h" },
  build({ sim, params: v, mitigations }) {
    const w = wire(sim, v, mitigations.has("await-receipts"));
    user(w);
    const evidence = (): ReceiptEvidence => receiptEvidence(sim.trace);
    return {
      check(outcome) {
        const e = evidence();
        return [receiptsResolved(e), claimsMatchOutcomes(e, { endOfRun: outcome.now })];
      },
      metrics: () => metrics(evidence()),
    };
  },
});
