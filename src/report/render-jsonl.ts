/**
 * The jsonl report: the canonical trace, one event a line (fixed key order, attribute keys
 * sorted); `Trace.hashOf` of its events is the run's trace hash.
 */
import type { RunResult } from "../run/run-scenario.js";

/** The canonical trace text of a run. */
export function renderJsonl(result: RunResult): string {
  return result.trace.toJsonl();
}
