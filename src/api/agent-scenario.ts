/**
 * A scenario whose workload is a user's own agent function: declare the simulated tools, the
 * model, the invariants (and, if the agent reads any, parameters and mitigations), and get back an
 * ordinary `ScenarioDefinition`. Everything that runs scenarios then runs the agent: `runScenario`
 * for one seed, `checkScenario` and `expectNoViolation` to search seeds, parameters and fault
 * schedules with shrinking, `runSweep`, and the command line (`agentsim run my-agent.yaml` with
 * `scenario: ./my-agent.js`).
 *
 * ```ts
 * export default agentScenario({
 *   name: "refund-agent",
 *   tools: { payments: { latency: { lognormal: { p50: "2s", p99: "20s" } }, idempotency: true,
 *                        effect: { name: "refund", key: (args) => String(args.orderId) } } },
 *   invariants: [atMostOnce("refund")],
 *   agent: async ({ tools, clock }) => refundOrder(tools.payments, clock, "R-1"),
 * });
 * ```
 *
 * The world of one run:
 * - tools: one `SimTool` per entry, all recording effects in one shared ledger; each offers the
 *   fault kinds `tool-slowdown` and `tool-outage` (see `tool-faults.ts`);
 * - the model: an `LlmProvider` named `llm`;
 * - the agent: one process named `agent`, started at virtual time 0 inside an `agent.run` span,
 *   given an `AgentEnv`. What it returns or throws is recorded as evidence (`Ended`); a
 *   `TypeError` or `ReferenceError` is a bug in the agent, not an outcome, and crashes the run.
 *
 * Invariants are judged over the `AgentEvidence`; the metrics are the defaults below plus the
 * spec's own.
 */
import { EffectLedger } from "../actors/effect-ledger.js";
import { LlmProvider, type LlmProviderOptions } from "../actors/llm-provider.js";
import { SimTool, type SimToolOptions } from "../actors/tool.js";
import { TOOL_DEFAULTS } from "../actors/defaults.js";
import type { RunResult } from "../run/run-scenario.js";
import type { ParamTree, ParamValues } from "../scenarios/params.js";
import { defineScenario, type FaultSpec, type Metric, type Named, type ScenarioDefinition } from "../scenarios/scenario.js";
import type { DurationInput } from "../sim/duration.js";
import type { ProcessContext, RunOutcome, Simulation } from "../sim/simulation.js";
import type { Trace } from "../sim/trace.js";
import { processClock } from "./agent-clock.js";
import type { AgentEnv, AgentModel } from "./agent-env.js";
import { unfinishedBecause, type AgentEvidence } from "./agent-evidence.js";
import { bindTool, type AgentTool, type CausalCursor } from "./agent-tool.js";
import { judge } from "../checks/invariant.js";
import type { Invariant } from "./invariant.js";
import { slowedLatency, toolFaultKinds, withOutages } from "./tool-faults.js";
import type { Ended } from "../sim/process.js";

/** A simulated tool as an agent scenario declares it: `SimTool`'s options, less the name and ledger. */
export interface ToolSpec extends Omit<SimToolOptions, "name" | "ledger"> {
  /** What a `tool-slowdown` fault adds to a call of this tool (default 15 s). */
  slowdown?: DurationInput;
}

/** The simulated tools by name; a spec may be a function of the scenario's resolved parameters. */
export type ToolSpecs<P extends ParamTree = {}, K extends string = string> = Readonly<Record<K, ToolSpec | ((params: ParamValues<P>) => ToolSpec)>>;

/** An agent function: the user's code under test. */
export type Agent<T = unknown, V = Record<string, unknown>, K extends string = string> = (env: AgentEnv<V, K>) => Promise<T>;

/** The world an agent runs in: tools, model, invariants, metrics, run limits. */
export interface AgentSetup<T = unknown, P extends ParamTree = {}, K extends string = string> {
  /** The simulated tools by name; a spec may be a function of the resolved parameters. */
  tools?: ToolSpecs<P, K>;
  /** The simulated model's settings (latency, prices, rate limits, error rates). */
  model?: Omit<LlmProviderOptions, "name">;
  /** What must hold, judged from the evidence after the run. */
  invariants?: readonly Invariant<T>[];
  /** Metrics of the spec's own, after the default ones. */
  metrics?: (evidence: AgentEvidence<T>) => Metric[];
  /** Virtual-time horizon (default 1 h). */
  horizon?: string;
  /** Event budget, a runaway guard (default the run layer's). */
  maxEvents?: number;
}

/** An agent scenario: a setup plus a name, the agent, and what a scenario file may set. */
export interface AgentScenarioSpec<T = unknown, P extends ParamTree = {}, K extends string = string> extends AgentSetup<T, P, K> {
  /** The scenario's public name (a file's `scenario:` names the module, not this). */
  name: string;
  /** A title for reports (default: the name). */
  title?: string;
  /** One line for `agentsim list` and reports. */
  summary?: string;
  /** The agent under test. */
  agent: Agent<T, ParamValues<P>, K>;
  /** Parameters a file or `--set` may change; the agent reads them from `env.params`. */
  params?: P;
  /** Mitigations a run may switch on; the agent reads them from `env.mitigations`. */
  mitigations?: readonly Named[];
  /** The default seed (default 1). */
  seed?: number;
}

/**
 * The default horizon of an agent scenario. source: assumption, a runaway guard generous for one
 * agent task (minutes of tool calls and retries), short enough that a hung agent ends the run.
 */
export const AGENT_HORIZON = "1h";

const evidenceByTrace = new WeakMap<Trace, () => AgentEvidence>();

/** The evidence of a run of an agent scenario (undefined for a run of any other scenario). */
export function agentEvidence<T = unknown>(result: Pick<RunResult, "trace">): AgentEvidence<T> | undefined {
  return evidenceByTrace.get(result.trace)?.() as AgentEvidence<T> | undefined;
}

/**
 * Declares a scenario whose workload is the user's agent function, so that `runScenario`,
 * `expectNoViolation`, `checkScenario`, sweeps and scenario files run it.
 */
export function agentScenario<T, P extends ParamTree = {}, K extends string = string>(spec: AgentScenarioSpec<T, P, K>): ScenarioDefinition<P> {
  const toolNames: string[] = Object.keys(spec.tools ?? {});
  return defineScenario<P>({
    name: spec.name,
    title: spec.title ?? spec.name,
    summary: spec.summary ?? `the agent ${spec.name} against ${toolNames.length ? toolNames.join(", ") : "no tools"}`,
    params: spec.params ?? ({} as P),
    invariants: (spec.invariants ?? []).map(({ name, description }) => ({ name, description })),
    mitigations: spec.mitigations ?? [],
    faults: toolFaultKinds(toolNames),
    defaults: { seed: spec.seed ?? 1, horizon: spec.horizon ?? AGENT_HORIZON, ...(spec.maxEvents !== undefined ? { maxEvents: spec.maxEvents } : {}) },
    build({ sim, params, mitigations, faults }) {
      const ledger = new EffectLedger();
      const tools = buildTools(sim, spec.tools ?? {}, params, faults, ledger);
      const model = new LlmProvider(sim, { ...spec.model, name: "llm" });
      const agentSpan = sim.trace.begin({ actor: "agent", layer: "harness", kind: "agent.run" });
      let end: Ended<T> | undefined;
      sim.spawn("agent", async (ctx) => {
        const env = agentEnv<ParamValues<P>, K>(ctx, { tools, faults, model, params, mitigations, cursor: { last: agentSpan } });
        end = await settle(() => spec.agent(env));
        sim.trace.end(agentSpan, end.status === "failed" ? { status: end.status, error: errorText(end.error) } : { status: end.status });
      });
      const evidence = (outcome: RunOutcome): AgentEvidence<T> => ({
        agent: end ?? { status: "unfinished", reason: unfinishedBecause(outcome) },
        ledger,
        tools,
        model,
        trace: sim.trace,
        outcome,
        agentSpan,
      });
      return {
        check: (outcome) => {
          evidenceByTrace.set(sim.trace, () => evidence(outcome));
          return (spec.invariants ?? []).map((i) => judge(i, evidence(outcome)));
        },
        metrics: (outcome) => {
          const e = evidence(outcome);
          return [...defaultMetrics(e), ...(spec.metrics?.(e) ?? [])];
        },
      };
    },
  });
}

/** One `SimTool` per spec, sharing `ledger`, with `tool-slowdown` windows on their latency. */
function buildTools<P extends ParamTree>(
  sim: Simulation,
  specs: ToolSpecs<P>,
  params: ParamValues<P>,
  faults: readonly FaultSpec[],
  ledger: EffectLedger,
): Record<string, SimTool> {
  const tools: Record<string, SimTool> = {};
  for (const [name, entry] of Object.entries<ToolSpecs<P>[string]>(specs)) {
    const { slowdown, ...options } = typeof entry === "function" ? entry(params) : entry;
    tools[name] = new SimTool(sim, { ...options, name, ledger, latency: slowedLatency(sim, name, options.latency ?? TOOL_DEFAULTS.latency, faults, slowdown) });
  }
  return tools;
}

/** What `agentEnv` binds. */
interface EnvParts<V> {
  tools: Record<string, SimTool>;
  faults: readonly FaultSpec[];
  model: LlmProvider;
  params: V;
  mitigations: ReadonlySet<string>;
  cursor: CausalCursor;
}

/** The agent's environment, bound to its process. */
function agentEnv<V, K extends string>(ctx: ProcessContext, parts: EnvParts<V>): AgentEnv<V, K> {
  const sim = ctx.sim;
  const { cursor } = parts;
  const tools: Record<string, AgentTool> = {};
  for (const [name, tool] of Object.entries(parts.tools)) tools[name] = bindTool(ctx, withOutages(sim, tool, parts.faults), cursor);
  const model: AgentModel = {
    complete: (request) => parts.model.complete(ctx, { ...request, caller: ctx.process.name, ...(cursor.last !== undefined ? { parent: cursor.last } : {}) }),
  };
  return {
    clock: processClock(ctx),
    tools: tools as Record<K, AgentTool>,
    model,
    params: parts.params,
    mitigations: parts.mitigations,
    random: (purpose) => sim.rng(`agent:${purpose}`),
    log(kind, attrs) {
      cursor.last = sim.trace.instant({ actor: ctx.process.name, layer: "harness", kind, ...(attrs ? { attrs } : {}), parent: cursor.last });
      return cursor.last;
    },
    ctx,
  };
}

/** Runs the agent and records how it ended; a TypeError or ReferenceError (a bug) is rethrown. */
async function settle<T>(run: () => Promise<T>): Promise<Ended<T>> {
  try {
    return { status: "done", value: await run() };
  } catch (error) {
    if (error instanceof TypeError || error instanceof ReferenceError) throw error;
    return { status: "failed", error };
  }
}

/** The story of any agent run in numbers. */
function defaultMetrics(e: AgentEvidence<unknown>): Metric[] {
  const effects = e.ledger.entries;
  const distinct = new Set(effects.map((r) => `${r.effect}\u0000${r.key}`)).size;
  return [
    { name: "agent", value: e.agent.status, note: "how the agent function ended" },
    { name: "run time", value: e.outcome.now, unit: "ms", note: "virtual time when the run stopped" },
    ...Object.entries(e.tools).map(([name, t]): Metric => ({ name: `${name} calls`, value: t.calls.length, unit: "count" })),
    { name: "effects committed", value: effects.length, unit: "count", note: "side effects in the tools' ledger" },
    { name: "duplicate effects", value: effects.length - distinct, unit: "count", note: "effects beyond the first of an operation" },
    { name: "model calls", value: e.model.totals.calls, unit: "count" },
    { name: "model cost", value: Math.round(e.model.totals.costUsd * 1e6) / 1e6, unit: "usd" },
  ];
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
