/**
 * A world run (`runInWorld`: real agent code on virtual time) as a run result, so that every
 * renderer (the HTML report, the Chrome trace, text, JSON) takes it as it takes a scenario's run.
 *
 * Contract:
 * - Two invariants judge the evidence in the trace: `agent-finishes` (the agent's `agent.run` span
 *   ended without an error; violated at its end, or at the run's end when it never finished) and
 *   `no-leaks` (each `world.leak` instant is a violation).
 * - The verdict: `crashed` when the run crashed (the kernel's outcome); `violated` when an
 *   invariant broke; else `held`.
 * - Metrics are counted from the trace: virtual duration, HTTP requests, model calls and their
 *   errors by status, streams broken off, output tokens and cost.
 * A pure function of the run: the same run gives the same result.
 */
import type { Verdict, Violation } from "../checks/verdict.js";
import type { RunResult } from "../run/run-scenario.js";
import type { FaultSpec, Metric } from "../scenarios/scenario.js";
import type { WorldRun } from "../world/run-in-world.js";

/** What to call the run in reports. */
export interface WorldRunResultOptions {
  /** The run's name in titles (default `world`). */
  name?: string;
}

/** Whether `x` is a world run rather than a scenario's result. */
export function isWorldRun(x: RunResult | WorldRun<unknown>): x is WorldRun<unknown> {
  return "world" in x && "agent" in x;
}

/** A run result from either kind of run. */
export function asRunResult(x: RunResult | WorldRun<unknown>): RunResult {
  return isWorldRun(x) ? worldRunResult(x) : x;
}

/** A world run as a run result; see the file's contract. */
export function worldRunResult(run: WorldRun<unknown>, options: WorldRunResultOptions = {}): RunResult {
  const sim = run.world.sim;
  const events = sim.trace.events;
  const end = run.outcome.now;
  const agentEnds = events.filter((e) => e.kind === "agent.run" && e.phase === "end");
  const finishes: Violation[] = [];
  for (const e of agentEnds) {
    if (e.attrs?.ok === false)
      finishes.push({ invariant: "agent-finishes", at: e.t, message: `agent ${e.actor} failed: ${String(e.attrs.error)}`, evidence: [e.span ?? e.id, e.id] });
  }
  if (run.agent.status === "unfinished")
    finishes.push({ invariant: "agent-finishes", at: end, message: run.agent.reason, evidence: events.length ? [events.length - 1] : [] });
  const leaks: Violation[] = events
    .filter((e) => e.kind === "world.leak")
    .map((e) => ({ invariant: "no-leaks", at: e.t, message: String(e.attrs?.what ?? "a leak"), evidence: [e.id] }));
  const verdicts: Verdict[] = [
    { invariant: "agent-finishes", held: finishes.length === 0, violations: finishes },
    { invariant: "no-leaks", held: leaks.length === 0, violations: leaks },
  ];
  const violations = [...finishes, ...leaks].sort((a, b) => a.at - b.at);
  const verdict = run.outcome.status === "crashed" ? "crashed" : violations.length ? "violated" : "held";
  return {
    scenario: options.name ?? "world",
    seed: sim.seed,
    mitigations: [],
    replay: { scenarioName: options.name ?? "world", seed: sim.seed, params: {}, mitigations: [], faults: worldFaults(run), horizon: end },
    verdict,
    outcome: run.outcome,
    verdicts,
    violations,
    metrics: worldMetrics(run),
    series: {},
    trace: sim.trace,
    traceHash: run.traceHash,
  };
}

/**
 * How to replay a world run: its seed and the fault windows its trace recorded (`fault.start` and
 * `fault.end`), as the options of `runWithModels`.
 */
export function worldReplay(run: WorldRun<unknown>): string {
  return `{ seed: ${run.world.sim.seed}, faults: ${JSON.stringify(worldFaults(run))} }`;
}

/** The fault windows a world run's trace recorded (`fault.start`), in order. */
function worldFaults(run: WorldRun<unknown>): FaultSpec[] {
  const faults: FaultSpec[] = [];
  for (const e of run.world.sim.trace.events) {
    if (e.kind !== "fault.start") continue;
    const target = e.attrs?.target;
    faults.push({ kind: String(e.attrs?.fault), at: e.t, for: Number(e.attrs?.for), ...(target !== undefined ? { target: String(target) } : {}) });
  }
  return faults;
}

function worldMetrics(run: WorldRun<unknown>): Metric[] {
  const events = run.world.sim.trace.events;
  const count = (kind: string, phase?: string): number => events.filter((e) => e.kind === kind && (phase === undefined || e.phase === phase)).length;
  const calls = events.filter((e) => e.kind === "llm.call" && e.phase === "end");
  const errors = events.filter((e) => e.kind === "llm.error");
  const byStatus = new Map<number, number>();
  for (const e of errors) byStatus.set(Number(e.attrs?.status), (byStatus.get(Number(e.attrs?.status)) ?? 0) + 1);
  const sum = (key: string): number => calls.reduce((n, e) => n + Number(e.attrs?.[key] ?? 0), 0);
  return [
    { name: "virtual time", value: run.outcome.now, unit: "ms", note: "from the start to the last event" },
    { name: "HTTP requests", value: count("http.request", "begin"), unit: "count" },
    { name: "model calls answered", value: calls.length, unit: "count" },
    ...[...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]): Metric => ({ name: `model calls answered ${status}`, value: n, unit: "count" })),
    { name: "streams broken off", value: count("stream.error"), unit: "count", note: "errors after a 200" },
    { name: "output tokens", value: sum("outputTokens"), unit: "tokens" },
    { name: "model cost", value: sum("costUsd"), unit: "usd" },
  ];
}
