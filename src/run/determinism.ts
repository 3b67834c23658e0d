/**
 * The determinism check (FoundationDB's "unseed" check): run the same configuration twice and
 * compare trace hashes. When they differ, name the first event where the two traces part, by
 * comparing their canonical JSON lines, so the author can see which actor read something outside
 * the simulation (a module-level counter, the wall clock, an unseeded random number).
 */
import { canonicalEvent, type TraceEvent } from "../sim/trace.js";
import { runScenario, type RunConfig, type RunResult } from "./run-scenario.js";

/** Where two traces of one configuration part. */
export interface Divergence {
  /** The id (position) of the first event that differs. */
  index: number;
  /** That event in the first run, as a canonical JSON line (absent when the first trace ended there). */
  first?: string;
  /** That event in the second run (absent when the second trace ended there). */
  second?: string;
}

/** Two runs of one configuration, and whether their traces agree. */
export type DeterminismCheck =
  | { deterministic: true; result: RunResult; second: RunResult }
  | { deterministic: false; result: RunResult; second: RunResult; divergence: Divergence };

/** The first event where two traces differ, or undefined when they are identical. */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): Divergence | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const first = x ? canonicalEvent(x) : undefined;
    const second = y ? canonicalEvent(y) : undefined;
    if (first !== second) return { index: i, ...(first !== undefined ? { first } : {}), ...(second !== undefined ? { second } : {}) };
  }
  return undefined;
}

/** Runs `config` twice and compares the traces. */
export async function checkDeterminism(config: RunConfig): Promise<DeterminismCheck> {
  const result = await runScenario(config);
  const second = await runScenario(config);
  if (second.traceHash === result.traceHash) return { deterministic: true, result, second };
  const divergence = firstDivergence(result.trace.events, second.trace.events) ?? { index: result.trace.events.length };
  return { deterministic: false, result, second, divergence };
}

/** Says where two runs parted, in two or three lines. */
export function describeDivergence(d: Divergence): string {
  return [`the traces part at event #${d.index}:`, `  first run:  ${d.first ?? "(trace ended)"}`, `  second run: ${d.second ?? "(trace ended)"}`].join("\n");
}
