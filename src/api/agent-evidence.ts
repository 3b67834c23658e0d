/**
 * What a finished run of a user's agent leaves behind for invariants and metrics to judge: how
 * the agent ended, every effect its tools committed, each tool's own call log, the model's
 * totals, the whole trace and how the run ended. Invariants read this evidence; none of it is a
 * flag saying "this failed".
 */
import type { LlmProvider } from "../actors/llm-provider.js";
import type { EffectLedger } from "../actors/effect-ledger.js";
import type { SimTool } from "../actors/tool.js";
import type { RunOutcome } from "../sim/simulation.js";
import type { Trace } from "../sim/trace.js";
import type { Ended } from "../sim/process.js";

/**
 * How the agent function ended: it returned a value, it threw (retries ran out, say: an outcome
 * of the agent, not a crash of the simulation), or it had not finished when the run stopped.
 */

/** The evidence of one run of an agent. */
export interface AgentEvidence<T = unknown> {
  /** How the agent function ended. */
  readonly agent: Ended<T>;
  /** Every side effect any tool committed, in commit order (one ledger shared by all tools). */
  readonly ledger: EffectLedger;
  /** The simulated tools by name, with their call logs (`tools.payments.calls`). */
  readonly tools: Readonly<Record<string, SimTool>>;
  /** The simulated model provider (`model.totals`: calls, tokens, cost). */
  readonly model: LlmProvider;
  /** The run's causal trace. */
  readonly trace: Trace;
  /** The trace id of the agent's `agent.run` span (its end event, when it ended, carries `status`). */
  readonly agentSpan: number;
  /** How the run ended (completed, stalled, horizon...) and at what virtual time. */
  readonly outcome: RunOutcome;
}

/** Why an agent that never finished did not, in words that say what to look for. */
export function unfinishedBecause(outcome: RunOutcome): string {
  switch (outcome.status) {
    case "horizon":
      return `the horizon came at ${outcome.now} ms first`;
    case "budget-exceeded":
      return `the event budget ran out at ${outcome.now} ms`;
    case "crashed":
      return `the run crashed in ${outcome.crash?.process ?? "a process"}`;
    default:
      return "it waits on something nothing in the simulation will do (a promise never settled, or a wait on a signal nobody fires)";
  }
}
