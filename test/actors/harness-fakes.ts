/**
 * Small fakes of the actor seams for the harness tests, built on the kernel: a tool whose work
 * runs on its own timers (so it keeps going after the caller gives up), and a model that takes
 * time to think. Each keeps a record of what it saw, which is what the tests assert on.
 */
import type { LlmRequest, LlmResponse, ModelPort, ToolErrorKind, ToolPort, ToolRequest, ToolResponse } from "../../src/actors/contracts.js";
import type { ProcessContext, Simulation } from "../../src/sim/simulation.js";
import type { AttrValue } from "../../src/sim/trace.js";

/** A tool response before the trace gives it an id. */
type Reply = ToolResponse extends infer R ? (R extends unknown ? Omit<R, "eventId"> : never) : never;

/** What one call of the fake tool does (decided by the test's script, per call number). */
export interface FakeCallPlan {
  latencyMs?: number;
  /** Fail with this kind instead of answering (no effect). */
  error?: ToolErrorKind;
  retryAfterMs?: number;
  /** The result (default `{ ok: "done" }`). */
  result?: AttrValue;
  /** Answer with a receipt (the job id) at once. */
  receipt?: string;
}

export interface FakeToolOptions {
  name?: string;
  latencyMs?: number;
  /** The plan of call number `n` (1-based). */
  script?: (n: number, request: ToolRequest) => FakeCallPlan;
  honoursCancellation?: boolean;
  honoursDeadline?: boolean;
}

/** One call as the fake saw it. */
export interface FakeCall {
  n: number;
  at: number;
  request: ToolRequest;
  /** The trace id of its `tool.call` span. */
  span: number;
  committedAt?: number;
  cancelledAt?: number;
  gaveUpAt?: number;
}

/** A tool with one side effect per successful call, committed when its work ends. */
export class FakeTool implements ToolPort {
  readonly name: string;
  readonly calls: FakeCall[] = [];
  readonly #sim: Simulation;
  readonly #o: FakeToolOptions;

  constructor(sim: Simulation, options: FakeToolOptions = {}) {
    this.#sim = sim;
    this.#o = options;
    this.name = options.name ?? "tool";
  }

  /** Calls that committed their effect, in commit order. */
  get effects(): FakeCall[] {
    return this.calls.filter((c) => c.committedAt !== undefined).sort((a, b) => (a.committedAt as number) - (b.committedAt as number));
  }

  call(ctx: ProcessContext, request: ToolRequest): Promise<ToolResponse> {
    const sim = this.#sim;
    const n = this.calls.length + 1;
    const plan = this.#o.script?.(n, request) ?? {};
    const span = sim.trace.begin({ actor: this.name, layer: "tool", kind: "tool.call", parent: request.parent, attrs: { n, args: request.args } });
    const call: FakeCall = { n, at: sim.now, request, span };
    this.calls.push(call);
    const done = sim.signal<ToolResponse>(`${this.name}#${n} response`);
    const answer = (r: Reply): void => {
      if (done.fired) return;
      sim.cancel(timer);
      done.fire({ ...r, eventId: sim.trace.end(span, { ok: r.ok }) } as ToolResponse);
    };
    const latency = plan.receipt !== undefined ? 0 : (plan.latencyMs ?? this.#o.latencyMs ?? 100);
    const giveUpAt = this.#o.honoursDeadline && request.deadlineAt !== undefined ? request.deadlineAt : Infinity;
    const finish = (): void => {
      if (plan.error)
        return answer({ ok: false, error: plan.error, message: `scripted ${plan.error}`, ...(plan.retryAfterMs ? { retryAfterMs: plan.retryAfterMs } : {}) });
      if (plan.receipt === undefined) {
        call.committedAt = sim.now;
        sim.trace.instant({ actor: this.name, layer: "tool", kind: "effect.commit", parent: span, attrs: { n } });
      }
      answer({ ok: true, result: plan.result === undefined ? { ok: "done" } : plan.result, ...(plan.receipt ? { receipt: plan.receipt } : {}) });
    };
    const giveUp = (): void => {
      call.gaveUpAt = sim.now;
      answer({ ok: false, error: "timeout", message: "deadline passed" });
    };
    const timer = sim.now + latency > giveUpAt ? sim.at(giveUpAt, giveUp) : sim.schedule(latency, finish);
    request.cancel?.onCancel(() => {
      if (!this.#o.honoursCancellation || done.fired) return;
      call.cancelledAt = sim.now;
      answer({ ok: false, error: "cancelled", message: "cancelled" });
    });
    return ctx.wait(done);
  }
}

/** How call number `n` of the fake model fails, or undefined when it answers. */
export type ModelFailureScript = (n: number) => { status: 429 | 500 | 529; retryAfterMs?: number } | undefined;

/** A model that thinks for a fixed time; call number `n` may be scripted to fail. */
export class FakeModel implements ModelPort {
  readonly name = "fake-llm";
  readonly requests: LlmRequest[] = [];
  readonly #thinkMs: number;
  readonly #fail: ModelFailureScript;

  constructor(thinkMs = 500, fail: ModelFailureScript = () => undefined) {
    this.#thinkMs = thinkMs;
    this.#fail = fail;
  }

  async complete(ctx: ProcessContext, request: LlmRequest): Promise<LlmResponse> {
    this.requests.push(request);
    await ctx.sleep(this.#thinkMs);
    const failure = this.#fail(this.requests.length);
    const eventId = ctx.sim.trace.instant({ actor: this.name, layer: "model", kind: "llm.complete", parent: request.parent, attrs: { ok: !failure } });
    if (failure) return { ok: false, ...failure, message: `status ${failure.status}`, eventId };
    const usage = { inputTokens: request.inputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, outputTokens: 50, costUsd: 0.001 };
    return { ok: true, usage, eventId, latencyMs: this.#thinkMs };
  }
}
