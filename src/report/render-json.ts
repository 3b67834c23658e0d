/**
 * The json report: one object that a program reads after `agentsim run --format json`: what ran
 * (scenario, file, seed, mitigations, overrides), how it ended, every violation with its time,
 * message and causal event ids, every verdict, the metrics, the trace hash and the replay command.
 */
import type { Verdict, Violation } from "../checks/verdict.js";
import type { RunResult, RunVerdict } from "../run/run-scenario.js";
import type { Metric } from "../scenarios/scenario.js";
import type { RunStatus } from "../sim/simulation.js";
import { errorText } from "./error-text.js";
import { replayCommand, type RunContext } from "./run-context.js";

/** The json report's shape. */
export interface JsonReport {
  scenario: string;
  file: string;
  seed: number;
  mitigations: string[];
  overrides: string[];
  /** held, violated or crashed. */
  verdict: RunVerdict;
  outcome: {
    status: RunStatus;
    /** Virtual ms when the run stopped. */
    now: number;
    events: number;
    waiting: { process: string; waitingOn: string[]; since: number }[];
    crash?: { process: string; error: string };
  };
  violations: Violation[];
  verdicts: Verdict[];
  metrics: Metric[];
  traceHash: string;
  replay: string;
}

/** The report as a value. */
export function jsonReport(result: RunResult, ctx: RunContext): JsonReport {
  const o = result.outcome;
  return {
    scenario: result.scenario,
    file: ctx.file,
    seed: result.seed,
    mitigations: [...result.mitigations],
    overrides: [...ctx.overrides],
    verdict: result.verdict,
    outcome: {
      status: o.status,
      now: o.now,
      events: o.events,
      waiting: o.waiting.map((w) => ({ process: w.process, waitingOn: [...w.waitingOn], since: w.since })),
      ...(o.crash ? { crash: { process: o.crash.process, error: errorText(o.crash.error) } } : {}),
    },
    violations: result.violations,
    verdicts: result.verdicts,
    metrics: result.metrics,
    traceHash: result.traceHash,
    replay: replayCommand(result, ctx),
  };
}

/** The report as JSON text (two-space indented, ending in a newline). */
export function renderJson(result: RunResult, ctx: RunContext): string {
  return JSON.stringify(jsonReport(result, ctx), null, 2) + "\n";
}
