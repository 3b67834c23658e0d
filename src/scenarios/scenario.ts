/**
 * The contract of a scenario module: what the actors are (parameters), how they are wired
 * (`build`), which invariants watch them and what each mitigation switches.
 *
 * A scenario's mechanics live in the actors; its judgement lives in the checkers. `build` wires
 * actors into a simulation and returns a `ScenarioInstance` whose `check` judges the finished run
 * from evidence (trace, ledgers, histories) and whose `metrics` tell the story.
 */
import type { Verdict } from "../checks/verdict.js";
import type { RunOutcome, Simulation } from "../sim/simulation.js";
import type { ParamTree, ParamValues } from "./params.js";

/** A named invariant or mitigation with a one-line description. */
export interface Named {
  name: string;
  description: string;
}

/** A kind of fault a scenario can inject (for fault schedules in files and in `check`). */
export interface FaultKind extends Named {
  /** Names of the targets it may hit (tools, workers...), if it takes one. */
  targets?: readonly string[];
  /**
   * Mitigations this fault defeats by design (a degraded dependency that hedging cannot hide, say),
   * as its description explains. The catalog's proof with mitigations does not draw such a kind;
   * a test shows instead that a search drawing it does break them.
   */
  defeats?: readonly string[];
}

/** One fault injection, as written in a scenario file (durations resolved to ms). */
export interface FaultSpec {
  kind: string;
  /** When it starts (virtual ms). */
  at: number;
  /** How long it lasts (ms); 0 for an instant fault. */
  for: number;
  /** What it hits, when the kind takes a target. */
  target?: string;
  /** For rate faults: the chance per opportunity while active. */
  probability?: number;
}

/** A metric: a named number (or text) with a unit, for text, json and report output. */
export interface Metric {
  name: string;
  value: number | string;
  unit?: "ms" | "usd" | "count" | "ratio" | "tokens" | "h";
  /** A few words on what it means, shown beside it. */
  note?: string;
}

/** A time series for charts: [virtual ms, value] pairs. */
export type Series = [number, number][];

/** What a scenario's `build` receives. */
export interface World<V> {
  sim: Simulation;
  params: V;
  mitigations: ReadonlySet<string>;
  faults: readonly FaultSpec[];
}

/** A wired scenario, ready to run; judged after the run. */
export interface ScenarioInstance {
  /** Judges every invariant the scenario declares, from evidence. */
  check(outcome: RunOutcome): Verdict[];
  /** The metrics that tell the story (percentiles, spend, counts...). */
  metrics(outcome: RunOutcome): Metric[];
  /** Optional time series (spend over time, cache writes...) for charts. */
  series?(outcome: RunOutcome): Record<string, Series>;
  /**
   * Optional: wraps the kernel's run, which the run layer passes as `run`; e.g. a simulated world
   * (src/world) installs its virtual globals for exactly the run's duration. Must call `run` once.
   */
  aroundRun?(run: () => Promise<RunOutcome>): Promise<RunOutcome>;
}

/** A catalog entry (or a user's own scenario module's default export). */
export interface ScenarioDefinition<P extends ParamTree = ParamTree> {
  /** Public name; the file is `scenarios/<name>.yaml`. */
  name: string;
  /** The post it replays, or a title. */
  title: string;
  /** One line for `agentsim list`. */
  summary: string;
  params: P;
  invariants: readonly Named[];
  /** Each with the invariants it addresses (`addresses`, for "what to try next"); all of the scenario's when absent. */
  mitigations: readonly (Named & { addresses?: readonly string[] })[];
  faults?: readonly FaultKind[];
  /** Run defaults a file may override. */
  defaults: {
    seed: number;
    /** Virtual-time horizon, e.g. `"2h"`. */
    horizon: string;
    /** Event budget (runaway guard). */
    maxEvents?: number;
  };
  build(world: World<ParamValues<P>>): ScenarioInstance;
}

/** Declares a scenario with its parameter types inferred. */
export function defineScenario<P extends ParamTree>(def: ScenarioDefinition<P>): ScenarioDefinition<P> {
  return def;
}
