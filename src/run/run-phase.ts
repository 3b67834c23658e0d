/**
 * The phases of a run (build, run, check, metrics), and the error a scenario's own code throws
 * outside the simulation, named by its phase. `runScenario` reports phases to `RunConfig.onPhase`
 * (a time budget's watchdog reads them) and wraps throws in `RunPhaseError`.
 */
import type { RunPhase } from "../config/run-config.js";

export type { RunPhase } from "../config/run-config.js";

/**
 * The scenario's own code threw outside the simulation (while being built, judged or measured);
 * `phase` says where, `cause` is what it threw. (A throw inside a simulated process is no error:
 * the run's verdict is `crashed`.)
 */
export class RunPhaseError extends Error {
  override name = "RunPhaseError";
  constructor(
    readonly phase: Exclude<RunPhase, "run">,
    override readonly cause: unknown,
  ) {
    super(`${PHASE_TEXT[phase]}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
  }
}

/** How messages name each phase. */
export const PHASE_TEXT: Readonly<Record<RunPhase, string>> = {
  build: "the scenario threw while being built",
  run: "the scenario threw while running",
  check: "the scenario threw while its invariants were judged (check)",
  metrics: "the scenario threw while its metrics were computed (metrics)",
};
