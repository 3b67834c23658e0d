/**
 * Replays a repro: reruns the run it names and confirms the same verdict, the same first violation
 * and the same trace hash.
 *
 * Outcomes:
 * - `reproduced`: the same trace (hash) and the same judgement;
 * - `trace-differs`: another trace hash. The run is then repeated once more: if the two reruns
 *   differ from each other too, the scenario is nondeterministic (the first diverging event is
 *   named); if they agree, the run is stable but no longer the recorded one (the code, the
 *   scenario or the file changed since the repro was written);
 * - `verdict-differs`: the same trace judged differently (the checkers changed).
 *
 * With a fingerprint in the repro (scenario code and parameters, see `fingerprint.ts`), a differing
 * trace whose scenario fingerprint changed is `scenarioChanged`: the scenario was edited since,
 * which is not nondeterminism.
 */
import type { ScenarioConfig } from "../config/scenario-config.js";
import { firstDivergence, type Divergence } from "./determinism.js";
import { reproRunConfig, type Repro } from "./repro.js";
import { runFingerprint } from "./fingerprint.js";
import { runScenario, type RunConfig, type RunResult } from "./run-scenario.js";
import { oneLine } from "./sweep-summary.js";

/** What a replay found. */
export type ReplayOutcome =
  | { status: "reproduced"; result?: RunResult; error?: string }
  | { status: "verdict-differs"; result?: RunResult; error?: string }
  | {
      status: "trace-differs";
      result: RunResult;
      expected: string;
      nondeterministic: boolean;
      divergence?: Divergence;
      scenarioChanged?: { was: string; now: string };
    };

/** Reruns `repro` over its scenario file (loaded with the repro's overrides) and compares. */
export function replayRepro(repro: Repro, config: ScenarioConfig): Promise<ReplayOutcome> {
  return replayReproWith(repro, config, {});
}

/** `replayRepro`, telling `onPhase` each rerun's phases (for a time budget). */
export async function replayReproWith(repro: Repro, config: ScenarioConfig, options: { onPhase?: RunConfig["onPhase"] }): Promise<ReplayOutcome> {
  const run = { ...reproRunConfig(repro, config), ...(options.onPhase ? { onPhase: options.onPhase } : {}) };
  let result: RunResult;
  try {
    result = await runScenario(run);
  } catch (e) {
    const error = oneLine(e);
    return { status: repro.verdict === "error" && repro.error === error ? "reproduced" : "verdict-differs", error };
  }
  const expected = repro.expectedTraceHash;
  if (expected !== undefined && result.traceHash !== expected) {
    const again = await runScenario(run);
    const nondeterministic = again.traceHash !== result.traceHash;
    const divergence = nondeterministic ? firstDivergence(result.trace.events, again.trace.events) : undefined;
    const now = runFingerprint(run, config.modulePath);
    const changed = repro.fingerprint !== undefined && repro.fingerprint !== now ? { scenarioChanged: { was: repro.fingerprint, now } } : {};
    return { status: "trace-differs", result, expected, nondeterministic, ...(divergence ? { divergence } : {}), ...changed };
  }
  return { status: sameJudgement(repro, result) ? "reproduced" : "verdict-differs", result };
}

/** Whether a run is judged as the repro recorded: verdict, broken invariants, first violation. */
function sameJudgement(repro: Repro, r: RunResult): boolean {
  const violated = r.verdicts.filter((v) => !v.held).map((v) => v.invariant);
  const first = r.violations[0];
  const v = repro.violation;
  const sameFirst =
    v === undefined ? first === undefined : first !== undefined && first.invariant === v.invariant && first.at === v.at && first.message === v.message;
  return r.verdict === repro.verdict && JSON.stringify(violated) === JSON.stringify(repro.violated) && sameFirst;
}
