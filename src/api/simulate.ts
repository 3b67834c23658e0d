/**
 * One call to run a user's agent function once, by seed, and get back how it ended, the
 * invariants' verdicts, the metrics and the trace:
 *
 * ```ts
 * const run = await simulate(refundAgent, {
 *   seed: 7,
 *   tools: { payments: { latency: "8s", idempotency: true, effect: { name: "refund", key: (a) => String(a.orderId) } } },
 *   invariants: [atMostOnce("refund")],
 * });
 * run.verdict;       // "held" | "violated" | "crashed"
 * run.violations;    // what broke, when, and the trace events that show it
 * run.agent;         // { status: "done", value } | { status: "failed", error } | { status: "unfinished", reason }
 * run.traceHash;     // the same for the same seed, byte for byte
 * run.replay;        // { seed, faults }: simulate(agent, { ...setup, ...run.replay }) replays it
 * ```
 *
 * It is `runScenario` over `agentScenario({ ...options, agent })`: the same seed and options give
 * the same run, and `faults` takes the schedules `agentRunArbitrary` draws, so a property test is
 * `simulate` inside `fc.asyncProperty`. A tool spec the simulated tool rejects (a `commitAt`
 * outside [0, 1]) throws.
 */
import type { Violation, Verdict } from "../checks/verdict.js";
import type { EffectLedger } from "../actors/effect-ledger.js";
import type { LlmProvider } from "../actors/llm-provider.js";
import type { SimTool } from "../actors/tool.js";
import { runScenario, type RunConfig, type RunResult, type RunVerdict } from "../run/run-scenario.js";
import type { FaultSpec, Metric } from "../scenarios/scenario.js";
import type { RunOutcome } from "../sim/simulation.js";
import type { Trace } from "../sim/trace.js";
import type { Ended } from "../sim/process.js";
import { agentEvidence, agentScenario, type Agent, type AgentSetup } from "./agent-scenario.js";

/** One run of an agent: the setup, the seed and, optionally, a fault schedule. */
export interface SimulateOptions<T = unknown, K extends string = string> extends AgentSetup<T, {}, K> {
  /** The run's seed: every random draw of the run forks from it. */
  seed: number;
  /** Fault windows on the tools (`tool-slowdown`, `tool-outage`), e.g. drawn by `agentRunArbitrary`. */
  faults?: readonly FaultSpec[];
  /** The scenario name in results and reports (default `agent`). */
  name?: string;
  /** UTC instant of virtual time 0, ms since the Unix epoch (default 2026-03-09T08:00:00Z). */
  epochMs?: number;
  /** How simultaneous events are ordered (default `fifo`). */
  tieBreak?: RunConfig["tieBreak"];
}

/**
 * What made one run of an agent, beside the agent and its setup: pass it back,
 * `simulate(agent, { ...setup, ...run.replay })`, to replay the run trace for trace.
 */
export interface SimulateReplay {
  seed: number;
  /** The fault schedule the run had (empty for none). */
  faults: FaultSpec[];
  epochMs?: number;
  tieBreak?: RunConfig["tieBreak"];
}

/** What one run of an agent gives back. `K` is the names of its tools. */
export interface AgentRun<T, K extends string = string> {
  /** What made this run (seed, faults...): `simulate(agent, { ...setup, ...run.replay })` replays it. */
  replay: SimulateReplay;
  /** How the agent function ended. */
  agent: Ended<T>;
  /** `held`: every invariant held; `violated`: one broke; `crashed`: a process threw (a bug). */
  verdict: RunVerdict;
  /** Every violation, earliest first. */
  violations: Violation[];
  /** Each invariant's verdict. */
  verdicts: Verdict[];
  metrics: Metric[];
  /** The causal trace of the run. */
  trace: Trace;
  /** sha256 of the trace: the same for the same seed and options. */
  traceHash: string;
  /** How the run ended and at what virtual time. */
  outcome: RunOutcome;
  /** Every committed side effect. */
  ledger: EffectLedger;
  /** The simulated tools, with their call logs. */
  tools: Readonly<Record<K, SimTool>>;
  /** The simulated model, with its totals. */
  model: LlmProvider;
  /** The run as the run layer reports it: what `renderText`, `renderJson` and `renderChrome` take. */
  result: RunResult;
}

/**
 * Runs the agent function once on virtual time, by seed, against the setup's simulated tools and
 * model, and returns how it ended, the invariants' verdicts, the metrics and the trace.
 */
export async function simulate<T, K extends string = string>(agent: Agent<T, {}, K>, options: SimulateOptions<T, K>): Promise<AgentRun<T, K>> {
  const { seed, faults, name, epochMs, tieBreak, ...setup } = options;
  const scenario = agentScenario<T, {}, K>({ ...setup, name: name ?? "agent", agent });
  const result = await runScenario({
    scenario,
    seed,
    faults: faults ?? [],
    ...(epochMs !== undefined ? { epochMs } : {}),
    ...(tieBreak !== undefined ? { tieBreak } : {}),
  });
  const evidence = agentEvidence<T>(result);
  if (!evidence) throw new Error("simulate: the run left no evidence; this is a bug in agentsim");
  return {
    replay: {
      seed,
      faults: (faults ?? []).map((f) => ({ ...f })),
      ...(epochMs !== undefined ? { epochMs } : {}),
      ...(tieBreak !== undefined ? { tieBreak } : {}),
    },
    agent: evidence.agent,
    verdict: result.verdict,
    violations: result.violations,
    verdicts: result.verdicts,
    metrics: result.metrics,
    trace: result.trace,
    traceHash: result.traceHash,
    outcome: result.outcome,
    ledger: evidence.ledger,
    tools: evidence.tools as Readonly<Record<K, SimTool>>,
    model: evidence.model,
    result,
  };
}
