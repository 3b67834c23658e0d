/**
 * What names a run: the scenario, the seed, the written parameters, mitigations and faults, and
 * the run's limits. A scenario file loads into one (`toRunConfig`); `runScenario` runs one. It
 * lives in the loading layer, below running, so that loading never imports the runner.
 */
import type { FaultSpec, ScenarioDefinition } from "../scenarios/scenario.js";
import type { TieBreak } from "../sim/simulation.js";

/** Everything that names a run. The same config gives the same trace, byte for byte. */
export interface RunConfig {
  scenario: ScenarioDefinition;
  seed: number;
  /** Written parameter values (YAML-shaped); missing ones take the scenario's defaults. */
  params?: Record<string, unknown>;
  mitigations?: readonly string[];
  faults?: readonly FaultSpec[];
  /** Invariants to judge; default all the scenario declares. */
  invariants?: readonly string[];
  /** Virtual-time horizon (default the scenario's). */
  horizon?: string | number;
  maxEvents?: number;
  tieBreak?: TieBreak;
  /** UTC instant of virtual time 0, ms since the Unix epoch. */
  epochMs?: number;
  /**
   * Told as the run enters each phase, and `done` at its end (a time budget's watchdog reads it:
   * it names what a run over budget was doing). Not part of what names the run.
   */
  onPhase?(phase: RunPhase | "done", seed: number): void;
}

/** The phases of a run, in order (`run/run-phase.ts` names them in messages). */
export type RunPhase = "build" | "run" | "check" | "metrics";
