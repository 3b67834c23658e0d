/**
 * A validated scenario file: everything that names a run, ready for `runScenario`, plus what the
 * command line changed (so that a report can print the command that replays it).
 */
import type { RunConfig } from "./run-config.js";
import type { FaultSpec, ScenarioDefinition } from "../scenarios/scenario.js";

/** A scenario file after loading, overrides and validation. */
export interface ScenarioConfig {
  /** The file as the user named it. */
  file: string;
  scenario: ScenarioDefinition;
  /** The scenario module's absolute path, when the file names a module rather than a catalog scenario. */
  modulePath?: string;
  description?: string;
  seed: number;
  /** The horizon as written (or the scenario's default). */
  horizon: string | number;
  /** The horizon in virtual ms. */
  horizonMs: number;
  maxEvents?: number;
  /** UTC instant of virtual time 0 (ms since the Unix epoch), when the file sets `startAt`. */
  epochMs?: number;
  /** Written parameter values (YAML-shaped, overrides applied); omitted ones take defaults. */
  params: Record<string, unknown>;
  faults: FaultSpec[];
  /** Mitigations switched on: the file's, then `--mitigate`'s. */
  mitigations: string[];
  /** Invariants to judge; undefined means all the scenario declares. */
  invariants?: string[];
  /** The `--set` expressions applied, in order. */
  overrides: string[];
  /** The mitigations named with `--mitigate` (beyond the file's). */
  mitigate: string[];
}

/** The run configuration a loaded file stands for. */
export function toRunConfig(c: ScenarioConfig): RunConfig {
  return {
    scenario: c.scenario,
    seed: c.seed,
    params: c.params,
    mitigations: c.mitigations,
    faults: c.faults,
    horizon: c.horizon,
    ...(c.invariants ? { invariants: c.invariants } : {}),
    ...(c.maxEvents !== undefined ? { maxEvents: c.maxEvents } : {}),
    ...(c.epochMs !== undefined ? { epochMs: c.epochMs } : {}),
  };
}
