/**
 * What a user's agent function is given: the seams its code is written against. Everything here
 * is virtual: the clock is the run's, the tools and the model are simulated, and randomness comes
 * from named seeded streams, so the same seed gives the same run.
 *
 * ```ts
 * async function refundAgent({ clock, tools, model, log }: AgentEnv) {
 *   await model.complete({ inputTokens: 2_000, outputTokens: 150 });    // think
 *   log("refund.start", { order: "R-1" });
 *   return tools.payments.invoke({ orderId: "R-1", amountUsd: 40 }, { idempotencyKey: "refund-R-1" });
 * }
 * ```
 */
import type { LlmRequest, LlmResponse } from "../actors/contracts.js";
import type { RandomStream } from "../sim/rng.js";
import type { ProcessContext } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import type { AgentClock } from "./agent-clock.js";
import type { AgentTool } from "./agent-tool.js";

/** A model request as agent code writes it: the caller and causal parent are filled in. */
export type AgentModelRequest = Omit<LlmRequest, "caller" | "parent">;

/** The simulated model, bound to the agent. */
export interface AgentModel {
  /** Sends a request and resolves to the response (usage and cost, or a 429/500/529 error). */
  complete(request: AgentModelRequest): Promise<LlmResponse>;
}

/** The environment of one agent run. `P` is the scenario's resolved parameters, `K` its tools' names. */
export interface AgentEnv<P = Record<string, unknown>, K extends string = string> {
  /** Virtual time: `now`, `date`, `sleep`, `schedule`/`cancel`. */
  readonly clock: AgentClock;
  /** The simulated tools by name. */
  readonly tools: Readonly<Record<K, AgentTool>>;
  /** The simulated model. */
  readonly model: AgentModel;
  /** The scenario's parameters, resolved (durations in ms, distributions compiled). */
  readonly params: P;
  /** The mitigations switched on for this run; the agent's code decides what each means. */
  readonly mitigations: ReadonlySet<string>;
  /** A seeded random stream for the agent's own draws (jitter, sampling): `agent:<purpose>`. */
  random(purpose: string): RandomStream;
  /**
   * Records an event of the agent's own (`retry`, `gave-up`) in the trace and returns its id;
   * the agent's later tool and model calls are traced as caused by it.
   */
  log(kind: string, attrs?: Attrs): number;
  /** The kernel's process context, for what the seams above do not cover (children, signals). */
  readonly ctx: ProcessContext;
}
