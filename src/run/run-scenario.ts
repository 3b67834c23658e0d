/**
 * Runs one seed of one scenario: resolve parameters, build the world, run the kernel, judge the
 * invariants, collect metrics. The result is a value with its evidence and replay handle.
 */
import { judgeDeclared } from "../checks/invariant.js";
import type { RunConfig } from "../config/run-config.js";
import type { Verdict, Violation } from "../checks/verdict.js";
import { resolveParams, type ParamProblem } from "../scenarios/params.js";
import type { FaultSpec, Metric, Series } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { Simulation, type RunOutcome } from "../sim/simulation.js";
import type { Trace } from "../sim/trace.js";
import { RunPhaseError, type RunPhase } from "./run-phase.js";

export type { RunConfig } from "../config/run-config.js";

/** held: every judged invariant held; violated: at least one broke; crashed: the scenario itself threw. */
export type RunVerdict = "held" | "violated" | "crashed";

/**
 * What made a run, as plain data: its seed, the written parameters, mitigations and faults, and its
 * limits. With the scenario it ran, `runScenario({ scenario, ...result.replay })` reruns it, trace
 * for trace; it may be stored as JSON.
 */
export interface RunReplay extends Omit<RunConfig, "scenario" | "params" | "mitigations" | "faults" | "invariants" | "horizon"> {
  /** The scenario's name (pass its definition back as `scenario`). */
  scenarioName: string;
  /** Parameter values as written (defaults fill the rest). */
  params: Record<string, unknown>;
  mitigations: string[];
  faults: FaultSpec[];
  /** The invariants judged, when not all the scenario declares. */
  invariants?: string[];
  /** The virtual-time horizon the run had. */
  horizon: string | number;
}

/** One finished run: verdicts, violations, metrics, series, the trace and its hash. */
export interface RunResult {
  scenario: string;
  seed: number;
  mitigations: string[];
  /** What made this run, as data: `runScenario({ scenario, ...result.replay })` replays it. */
  replay: RunReplay;
  verdict: RunVerdict;
  outcome: RunOutcome;
  verdicts: Verdict[];
  /** Every violation of every judged invariant, earliest first. */
  violations: Violation[];
  metrics: Metric[];
  series: Record<string, Series>;
  trace: Trace;
  traceHash: string;
}

/** Bad parameters, unknown mitigations or invariants: input errors, reported and not thrown past the CLI. */
export class RunConfigError extends Error {
  override name = "RunConfigError";
  constructor(readonly problems: ParamProblem[]) {
    super(problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("\n"));
  }
}

/** Runs one seed. Throws `RunConfigError` for bad input; a scenario that throws yields `crashed`. */
export async function runScenario(config: RunConfig): Promise<RunResult> {
  const def = config.scenario;
  const problems: ParamProblem[] = [];
  const mitigations = [...new Set(config.mitigations ?? [])];
  for (const m of mitigations) {
    if (!def.mitigations.some((d) => d.name === m)) {
      problems.push({
        path: ["mitigations"],
        message: `unknown mitigation "${m}" for ${def.name}; expected one of ${def.mitigations.map((d) => d.name).join(", ")}`,
      });
    }
  }
  const judged = config.invariants ?? def.invariants.map((i) => i.name);
  for (const i of judged) {
    if (!def.invariants.some((d) => d.name === i)) {
      problems.push({
        path: ["invariants"],
        message: `unknown invariant "${i}" for ${def.name}; expected one of ${def.invariants.map((d) => d.name).join(", ")}`,
      });
    }
  }
  const resolved = resolveParams(def.params, config.params ?? {});
  if (!resolved.ok) problems.push(...resolved.problems.map((p) => ({ ...p, path: ["params", ...p.path] })));
  if (problems.length || !resolved.ok) throw new RunConfigError(problems);

  const phase = (p: RunPhase | "done"): void => config.onPhase?.(p, config.seed);
  const during = <T>(p: Exclude<RunPhase, "run">, f: () => T): T => {
    phase(p);
    try {
      return f();
    } catch (e) {
      phase("done");
      throw new RunPhaseError(p, e);
    }
  };
  const sim = new Simulation({
    seed: config.seed,
    ...(config.tieBreak ? { tieBreak: config.tieBreak } : {}),
    ...(config.epochMs !== undefined ? { epochMs: config.epochMs } : {}),
  });
  const instance = during("build", () => def.build({ sim, params: resolved.values, mitigations: new Set(mitigations), faults: config.faults ?? [] }));
  const run = (): Promise<RunOutcome> =>
    sim.run({
      horizon: config.horizon ?? def.defaults.horizon,
      maxEvents: config.maxEvents ?? def.defaults.maxEvents ?? 20_000_000,
    });
  phase("run");
  const outcome = await (instance.aroundRun ? instance.aroundRun(run) : run());
  // Held to the declaration: a verdict under a misspelt name throws, naming the declared invariants.
  const verdicts = during("check", () => judgeDeclared(`scenario ${def.name}`, def.invariants, instance.check(outcome))).filter((v) =>
    judged.includes(v.invariant),
  );
  const violations = verdicts.flatMap((v) => v.violations).sort((a, b) => a.at - b.at);
  let hash: string | undefined;
  const metrics = during("metrics", () => instance.metrics(outcome));
  const series = during("metrics", () => instance.series?.(outcome) ?? {});
  phase("done");
  return {
    scenario: def.name,
    seed: config.seed,
    mitigations,
    replay: replayOf(config, mitigations),
    verdict: outcome.status === "crashed" ? "crashed" : violations.length ? "violated" : "held",
    outcome,
    verdicts,
    violations,
    metrics,
    series,
    trace: sim.trace,
    // Hashed when first read: a search over a thousand runs reads only its counterexample's.
    get traceHash(): string {
      return (hash ??= sim.trace.hash());
    },
  };
}

/** The replay of a run of `config` (its mitigations deduplicated, as they ran). */
function replayOf(config: RunConfig, mitigations: string[]): RunReplay {
  const { scenario, params, faults, invariants, horizon, ...limits } = config;
  return {
    scenarioName: scenario.name,
    ...limits,
    params: params ?? {},
    mitigations: [...mitigations],
    faults: (faults ?? []).map((f) => ({ ...f })),
    ...(invariants ? { invariants: [...invariants] } : {}),
    horizon: horizon ?? scenario.defaults.horizon,
  };
}

/** Horizon in ms, from the config or the scenario's default. */
export function horizonMs(config: RunConfig): number {
  return parseDuration(config.horizon ?? config.scenario.defaults.horizon);
}
