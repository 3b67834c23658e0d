/**
 * The agent harness: a configurable agent loop, run as a process. It follows a plan of steps;
 * before each attempt of a step the model "thinks" (a `ModelPort.complete` call: its latency and
 * cost) and a caller-supplied function produces the tool's arguments; then the tool is called with
 * the harness's retry policy, optional retry budget, per-attempt budget, overall deadline and the
 * mitigation switches (all off by default). See `call-with-policy.ts` for one step's semantics and
 * its trace events.
 *
 * ```ts
 * const agent = new AgentHarness({ name: "agent", model: llm, retry: { fixed: { delay: "1s" } }, attemptBudget: "7.9s" });
 * const handle = agent.spawn(sim, [{ name: "refund", tool: refunds, think: { inputTokens: 2_000 }, args: () => ({ order: "A1" }) }]);
 * ```
 *
 * The loop stops at the first step that does not succeed. It returns a `RunReport`; invariants
 * are judged from the trace and the tools' ledgers, not from this report. Scenarios that need
 * another loop compose `callWithPolicy` and `thinkThenAct` with the kernel directly.
 *
 * Trace (layer `harness`): a `run` span (attrs: plan; end: outcome, steps) is the parent of each
 * step; the model call is the parent of each attempt, the attempt the parent of the tool call.
 */
import type { LlmRequest, LlmResponse, ModelPort, ToolErrorKind, ToolPort } from "./contracts.js";
import { callWithPolicy } from "./call-with-policy.js";
import type { AttemptInfo, HarnessSwitches, PreparedRequest, RequestSource, StepOutcome, StepReport } from "./harness-contract.js";
import type { ReceiptPort } from "./receipts.js";
import type { RetryBudget } from "./retry-budget.js";
import { retryPolicy, type RetryPolicy, type RetryPolicySpec } from "./retry-policy.js";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { ProcessContext, ProcessHandle, Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";

/** The tokens of the model call that precedes each attempt. */
export type ThinkSpec = Pick<LlmRequest, "inputTokens" | "outputTokens" | "prefixTokens" | "prefixKey" | "cachePrefix">;

/** What the arguments function is told. */
export interface ArgsInfo extends AttemptInfo {
  /** The model's answer that chose these arguments, when the step thinks. */
  thought?: Extract<LlmResponse, { ok: true }>;
  /** Reports of the steps already done in this run. */
  earlier: readonly StepReport[];
}

/** One step of a plan. */
export interface PlanStep {
  name: string;
  tool: ToolPort;
  /**
   * The call's arguments, produced per attempt: return the same ones for a plain retry, or
   * resample (a model samples anew each time) and react to `info.previous.error`.
   */
  args: (ctx: ProcessContext, info: ArgsInfo) => Attrs | Promise<Attrs>;
  /** The model call before each attempt (needs the harness's `model`); omitted: no model call. */
  think?: ThinkSpec;
  /** The idempotency key (with `idempotencyKeys`); default `<agent>:run<n>:<index>:<step>`. */
  idempotencyKey?: string;
  /** Where its receipts are polled (with `awaitReceipts`); default: the tool, if it can `poll`. */
  receipts?: ReceiptPort;
}

/** How the agent harness behaves: its model, retry policy, budgets and mitigation switches. */
export interface AgentHarnessOptions {
  /** The agent's name: the trace actor, the requests' caller, the stem of its random streams. */
  name: string;
  /** The model that thinks before each attempt of a step with `think`. */
  model?: ModelPort;
  /** Default: no retries. */
  retry?: RetryPolicySpec | RetryPolicy;
  /** A budget shared with whoever else is given the same object. */
  retryBudget?: RetryBudget;
  /** Wall-clock budget of each call attempt (default: none). */
  attemptBudget?: DurationInput;
  /** The whole run's deadline, from its start (default: none). */
  deadline?: DurationInput;
  switches?: Partial<HarnessSwitches>;
  /** Subtracted from the remaining budget in a propagated deadline (default 100 ms). */
  deadlineMargin?: DurationInput;
  /** How long a receipt is awaited (default 10 min). */
  receiptTimeout?: DurationInput;
  /** Time between receipt polls (default 5 s). */
  receiptPollInterval?: DurationInput;
  /** Times an error may go back to the model for a corrected call (default 1). */
  maxFeedbackRounds?: number;
}

/** What one run did. */
export interface RunReport {
  agent: string;
  /** `succeeded` when every step did; else the outcome of the step that stopped the run. */
  outcome: StepOutcome;
  steps: StepReport[];
  startedAt: number;
  endedAt: number;
  /** The id of the run span's end event. */
  eventId: number;
}

/** A configurable agent loop. One instance may run many plans, one after another or at once. */
export class AgentHarness {
  readonly name: string;
  readonly #o: AgentHarnessOptions;
  readonly #policy: RetryPolicy;
  #runs = 0;

  constructor(options: AgentHarnessOptions) {
    this.name = options.name;
    this.#o = options;
    const retry = options.retry ?? "none";
    this.#policy = typeof retry === "object" && "start" in retry ? retry : retryPolicy(retry);
  }

  /** Runs `plan` in a new top-level process named for the agent. */
  spawn(sim: Simulation, plan: readonly PlanStep[], parent?: number): ProcessHandle<RunReport> {
    return sim.spawn(this.name, (ctx) => this.run(ctx, plan, parent));
  }

  /** Runs `plan` inside the calling process. */
  async run(ctx: ProcessContext, plan: readonly PlanStep[], parent?: number): Promise<RunReport> {
    const thinker = plan.find((s) => s.think);
    if (thinker && !this.#o.model) throw new Error(`agent ${this.name}: step "${thinker.name}" thinks but the harness has no model; pass options.model`);
    const run = ++this.#runs;
    const o = this.#o;
    const startedAt = ctx.now;
    const trace = ctx.sim.trace;
    const span = trace.begin({ actor: this.name, layer: "harness", kind: "run", parent, attrs: { run, plan: plan.map((s) => s.name) } });
    const deadlineAt = o.deadline === undefined ? undefined : startedAt + parseDuration(o.deadline);
    const steps: StepReport[] = [];
    for (const [index, step] of plan.entries()) {
      const source = thinkThenAct(this.name, o.model, step, steps);
      const report = await callWithPolicy(ctx, step.tool, source, this.#policy, {
        agent: this.name,
        step: step.name,
        rng: ctx.rng(`${this.name}:retry`),
        parent: span,
        idempotencyKey: step.idempotencyKey ?? `${this.name}:run${run}:${index}:${step.name}`,
        switches: o.switches,
        retryBudget: o.retryBudget,
        receipts: step.receipts,
        deadlineAt,
        maxFeedbackRounds: o.maxFeedbackRounds,
        attemptBudgetMs: ms(o.attemptBudget),
        deadlineMarginMs: ms(o.deadlineMargin),
        receiptTimeoutMs: ms(o.receiptTimeout),
        receiptPollMs: ms(o.receiptPollInterval),
      });
      steps.push(report);
      if (report.outcome !== "succeeded") break;
    }
    const outcome = steps.find((s) => s.outcome !== "succeeded")?.outcome ?? "succeeded";
    const eventId = trace.end(span, { outcome, steps: steps.length });
    return { agent: this.name, outcome, steps, startedAt, endedAt: ctx.now, eventId };
  }
}

/**
 * A request source for one step: the model thinks (when the step says so), then the step's
 * `args` function produces the arguments. The model's answer is the request's causal parent; a
 * model error (429, 500, 529) fails the attempt like a tool error of the same kind.
 */
export function thinkThenAct(agent: string, model: ModelPort | undefined, step: PlanStep, earlier: readonly StepReport[]): RequestSource {
  return async (ctx, info): Promise<PreparedRequest> => {
    if (!step.think || !model) return { ok: true, request: { args: await step.args(ctx, { ...info, earlier }), parent: info.parent } };
    const thought = await model.complete(ctx, { ...step.think, caller: agent, parent: info.parent });
    if (!thought.ok) {
      const error: ToolErrorKind = thought.status === 429 ? "rate-limited" : "transient";
      const after = thought.retryAfterMs === undefined ? {} : { retryAfterMs: thought.retryAfterMs };
      return { ok: false, error, message: `model ${model.name}: ${thought.message}`, eventId: thought.eventId, ...after };
    }
    return { ok: true, request: { args: await step.args(ctx, { ...info, thought, earlier }), parent: thought.eventId } };
  };
}

function ms(d: DurationInput | undefined): number | undefined {
  return d === undefined ? undefined : parseDuration(d);
}
