/**
 * An async job service: a tool whose call returns at once with a receipt (a job id) while the job
 * itself succeeds or fails minutes later. The outcome is observable two ways:
 *
 * - polling: `status(jobId)` in code (no latency, no trace), or `poll(ctx, jobId)` through the
 *   `pollTool`, a `SimTool` with its own latency and trace that an agent calls with `{ jobId }`;
 * - a callback given at submission (`submit(ctx, request, onComplete)`) or for the whole service
 *   (`options.onComplete`): a function called, or a mailbox sent to, when the job ends.
 *
 * Trace (layer `tool`): a `job.submit` span (parent = `request.parent`) whose end is the receipt;
 * at the end, `job.succeeded` or `job.failed` with parent = the submission span, so a late failure
 * reads as a consequence of the call that started it; `job.callback` when a callback is delivered.
 * A successful job commits its `effect` (an `effect.commit` event and a ledger entry) first.
 * Draws come from `job:<name>:duration` and `job:<name>:outcome`, one each per job.
 */
import type { Distribution } from "../sim/distributions.js";
import { formatDuration } from "../sim/duration.js";
import type { Mailbox } from "../sim/process.js";
import type { RandomStream } from "../sim/rng.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";
import type { ToolPort, ToolRequest, ToolResponse } from "./contracts.js";
import { JOB_DEFAULTS, TOOL_DEFAULTS } from "./defaults.js";
import { EffectLedger } from "./effect-ledger.js";
import { toDistribution, type DistributionInput } from "../sim/distributions.js";
import { SimTool, type EffectSpec } from "./tool.js";

/** Where a job is: still running, or how it ended. */
export type JobState = "pending" | "succeeded" | "failed";

/** How a job ended, as a callback receives it. */
export interface JobOutcome {
  jobId: string;
  state: "succeeded" | "failed";
  /** The job's result (null when it failed). */
  result: AttrValue;
  /** Why it failed. */
  error?: string;
  /** Virtual time it ended. */
  t: number;
  /** The trace id of `job.succeeded` / `job.failed`. */
  eventId: number;
  /** The trace id of the submission span. */
  submitEvent: number;
}

/** How a job stands when polled (the harness's `ReceiptPort` reads this shape). */
export type JobPoll = { state: "pending" } | { state: "succeeded"; result: AttrValue } | { state: "failed"; message: string };

/** Where a job's outcome is delivered: a function, or a mailbox a process receives from. */
export type JobCallback = ((outcome: JobOutcome) => void) | Mailbox<JobOutcome>;

/** One job as the service knows it. */
export interface JobRecord {
  readonly jobId: string;
  readonly caller: string;
  readonly args: Attrs;
  readonly submittedAt: number;
  /** The trace id of the submission span. */
  readonly submitEvent: number;
  state: JobState;
  finishedAt?: number;
  result?: AttrValue;
  error?: string;
  /** The trace id of `job.succeeded` / `job.failed`. */
  finishEvent?: number;
}

/** How a job service behaves: job duration, outcomes, callbacks, effects. */
export interface JobServiceOptions {
  /** The service's name: trace actor, job id prefix, random stream stem. */
  name: string;
  /** How long a job runs (default lognormal p50 2 min, p99 10 min). */
  duration?: DistributionInput;
  /** Chance per job that it fails (default 0). */
  failureProbability?: number;
  /** The result of a successful job (default `{ status: "ok" }`). */
  resultFor?: (args: Attrs) => AttrValue;
  /** Committed when a job succeeds. */
  effect?: Omit<EffectSpec, "commitAt">;
  /** Where effects go (default: a ledger of the service's own). */
  ledger?: EffectLedger;
  /** The callback for every job submitted without one of its own. */
  onComplete?: JobCallback;
  /** Latency of the `pollTool` (default: the tool default). */
  pollLatency?: DistributionInput;
}

/** An async job service behind a `ToolPort`. */
export class JobService implements ToolPort {
  readonly name: string;
  readonly ledger: EffectLedger;
  /** A tool an agent polls with `{ jobId }`; its result is `{ jobId, state, result, error }`. */
  readonly pollTool: SimTool;
  readonly #sim: Simulation;
  readonly #o: JobServiceOptions;
  readonly #duration: Distribution;
  readonly #durationRng: RandomStream;
  readonly #outcomeRng: RandomStream;
  readonly #jobs = new Map<string, JobRecord>();

  constructor(sim: Simulation, options: JobServiceOptions) {
    this.#sim = sim;
    this.#o = options;
    this.name = options.name;
    this.ledger = options.ledger ?? new EffectLedger();
    this.#duration = toDistribution(options.duration ?? JOB_DEFAULTS.duration);
    this.#durationRng = sim.rng(`job:${this.name}:duration`);
    this.#outcomeRng = sim.rng(`job:${this.name}:outcome`);
    this.pollTool = new SimTool(sim, {
      name: `${this.name}.status`,
      latency: options.pollLatency ?? TOOL_DEFAULTS.latency,
      validate: (args) => (typeof args.jobId === "string" && this.#jobs.has(args.jobId) ? undefined : `unknown job id ${JSON.stringify(args.jobId ?? null)}`),
      resultFor: (args) => statusAttrs(this.#jobs.get(args.jobId as string) as JobRecord),
    });
  }

  /** Every job so far, in submission order. */
  get jobs(): readonly JobRecord[] {
    return [...this.#jobs.values()];
  }

  /** A job's current state, or undefined for an unknown id. */
  status(jobId: string): JobRecord | undefined {
    return this.#jobs.get(jobId);
  }

  /**
   * Asks how a job stands through `pollTool` (with its latency and trace span); an unknown id or a
   * failed poll reads as a failure with the tool's message.
   */
  async poll(ctx: ProcessContext, jobId: string, parent?: number): Promise<JobPoll> {
    const r = await this.pollTool.call(ctx, { args: { jobId }, ...(parent !== undefined ? { parent } : {}) });
    if (!r.ok) return { state: "failed", message: r.message };
    const job = r.result as { state: JobState; result: AttrValue; error?: string };
    if (job.state === "pending") return { state: "pending" };
    return job.state === "succeeded" ? { state: "succeeded", result: job.result } : { state: "failed", message: job.error ?? "job failed" };
  }

  /** Submits with the service-wide callback, if any. */
  call(ctx: ProcessContext, request: ToolRequest): Promise<ToolResponse> {
    return this.submit(ctx, request, this.#o.onComplete);
  }

  /** Submits a job and answers at once with its receipt; `onComplete` hears how it ends. */
  async submit(ctx: ProcessContext, request: ToolRequest, onComplete?: JobCallback): Promise<ToolResponse> {
    const jobId = `${this.name}:job-${this.#jobs.size + 1}`;
    const caller = request.caller ?? ctx.process.name;
    const trace = this.#sim.trace;
    const submitEvent = trace.begin({
      actor: this.name,
      layer: "tool",
      kind: "job.submit",
      parent: request.parent,
      attrs: { jobId, caller, args: request.args },
    });
    const job: JobRecord = { jobId, caller, args: request.args, submittedAt: this.#sim.now, submitEvent, state: "pending" };
    this.#jobs.set(jobId, job);
    const durationMs = Math.max(0, this.#duration.sample(this.#durationRng));
    const fails = this.#outcomeRng.next() < (this.#o.failureProbability ?? JOB_DEFAULTS.failureProbability);
    this.#sim.schedule(durationMs, () => this.#finish(job, fails, onComplete));
    const result = { jobId, state: "pending" };
    const eventId = trace.end(submitEvent, { ok: true, receipt: jobId, result });
    return { ok: true, result, receipt: jobId, eventId };
  }

  #finish(job: JobRecord, fails: boolean, onComplete: JobCallback | undefined): void {
    const now = this.#sim.now;
    if (!fails && this.#o.effect) this.#recordEffect(job, this.#o.effect);
    job.state = fails ? "failed" : "succeeded";
    job.finishedAt = now;
    job.result = fails ? null : this.#o.resultFor ? this.#o.resultFor(job.args) : TOOL_DEFAULTS.result;
    if (fails) job.error = `job ${job.jobId} failed after ${formatDuration(now - job.submittedAt)}`;
    job.finishEvent = this.#sim.trace.instant({
      actor: this.name,
      layer: "tool",
      kind: fails ? "job.failed" : "job.succeeded",
      parent: job.submitEvent,
      attrs: { jobId: job.jobId, durationMs: now - job.submittedAt, ...(fails ? { error: job.error as string } : { result: job.result }) },
    });
    if (onComplete) this.#deliver(job, onComplete);
  }

  #recordEffect(job: JobRecord, effect: Omit<EffectSpec, "commitAt">): void {
    const key = effect.key(job.args);
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "tool",
      kind: "effect.commit",
      parent: job.submitEvent,
      attrs: { effect: effect.name, key, jobId: job.jobId },
    });
    this.ledger.record({ t: this.#sim.now, effect: effect.name, key, tool: this.name, requestId: job.jobId, eventId, parent: job.submitEvent });
  }

  #deliver(job: JobRecord, onComplete: JobCallback): void {
    const outcome: JobOutcome = {
      jobId: job.jobId,
      state: job.state as "succeeded" | "failed",
      result: job.result ?? null,
      ...(job.error !== undefined ? { error: job.error } : {}),
      t: job.finishedAt as number,
      eventId: job.finishEvent as number,
      submitEvent: job.submitEvent,
    };
    this.#sim.trace.instant({
      actor: this.name,
      layer: "tool",
      kind: "job.callback",
      parent: outcome.eventId,
      attrs: { jobId: job.jobId, state: outcome.state },
    });
    if (typeof onComplete === "function") onComplete(outcome);
    else onComplete.send(outcome);
  }
}

function statusAttrs(job: JobRecord): AttrValue {
  return {
    jobId: job.jobId,
    state: job.state,
    result: job.result ?? null,
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}
