/** Hand-built runs for the HTML report tests: a trace written event by event, wrapped as a run result. */
import type { Verdict, Violation } from "../../src/checks/verdict.js";
import type { RunResult } from "../../src/run/run-scenario.js";
import { Trace } from "../../src/sim/trace.js";

/** A virtual clock the test moves by hand. */
export interface HandClock {
  now: number;
}

/** A run whose trace `write` records; violations are judged as given (one verdict per invariant named). */
export function handRun(
  write: (trace: Trace, clock: HandClock) => void,
  extra: Partial<Pick<RunResult, "violations" | "metrics" | "series">> & { invariants?: string[] } = {},
): RunResult {
  const clock: HandClock = { now: 0 };
  const trace = new Trace(clock);
  write(trace, clock);
  const violations: Violation[] = extra.violations ?? [];
  const names = [...new Set([...(extra.invariants ?? []), ...violations.map((v) => v.invariant)])];
  const verdicts: Verdict[] = names.map((invariant) => {
    const vs = violations.filter((v) => v.invariant === invariant);
    return { invariant, held: vs.length === 0, violations: vs };
  });
  return {
    scenario: "hand-built",
    seed: 1,
    mitigations: [],
    replay: { scenarioName: "hand-built", seed: 1, params: {}, mitigations: [], faults: [], horizon: clock.now },
    verdict: violations.length ? "violated" : "held",
    outcome: { status: "completed", now: clock.now, events: trace.length, waiting: [] },
    verdicts,
    violations,
    metrics: extra.metrics ?? [],
    series: extra.series ?? {},
    trace,
    traceHash: trace.hash(),
  };
}

/** The context a CLI would give for a hand-built run. */
export const HAND_CONTEXT = { file: "hand.yaml", overrides: [], mitigate: [] } as const;
