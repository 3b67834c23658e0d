/**
 * No phantom failures: a call the agent declared failed must not commit an effect afterwards.
 *
 * An agent that gives a call a wall-clock budget declares it failed when the budget fires, while
 * the tool, on its own clock, may still finish and commit. The agent then replans around an error
 * that never happened, and the effect lands on a plan that no longer expects it (clock-race).
 *
 * Read from the trace alone:
 * - a declaration is a `step.declared-failed` event (layer harness); its causes lead, through the
 *   `budget.exceeded` event, to the `attempt` span whose call was abandoned;
 * - an effect belongs to that attempt when the `attempt` span is the nearest attempt among the
 *   causes of its `effect.commit` event (commit -> tool call -> attempt);
 * - a phantom failure is such a commit recorded after the declaration.
 * A call that itself answered "failed" (a timeout, a cancellation) is not declared failed by the
 * harness, so a tool that gives up in time never counts.
 */
import { formatDuration } from "../sim/duration.js";
import type { TraceEvent } from "../sim/trace.js";
import { verdict, type Verdict } from "./verdict.js";

/** How `noPhantomFailures` names the invariant and its effects. */
export interface PhantomFailureOptions {
  /** The invariant's name (default `no-phantom-failure`). */
  invariant?: string;
  /** A noun for messages, e.g. "invoice" (default: the effect's own name). */
  noun?: string;
}

/** How far up the causes of a commit or a declaration the attempt span is looked for. */
const MAX_DEPTH = 16;

/** Judges that no effect commits, for an attempt, after the harness declared that attempt failed. */
export function noPhantomFailures(events: readonly TraceEvent[], options: PhantomFailureOptions = {}): Verdict {
  const invariant = options.invariant ?? "no-phantom-failure";
  const byId = new Map<number, TraceEvent>();
  for (const e of events) byId.set(e.id, e);
  const declared = new Map<number, TraceEvent>();
  for (const e of events) {
    if (e.kind !== "step.declared-failed") continue;
    const attempt = nearestAttempt(e, byId);
    if (attempt !== undefined && !declared.has(attempt.id)) declared.set(attempt.id, e);
  }
  const violations = [];
  for (const commit of events) {
    if (commit.kind !== "effect.commit") continue;
    const attempt = nearestAttempt(commit, byId);
    const declaration = attempt && declared.get(attempt.id);
    if (!declaration || commit.id < declaration.id) continue;
    const call = callOf(commit, byId);
    violations.push({
      at: commit.t,
      message: phantomMessage(commit, declaration, options.noun),
      evidence: [declaration.id, ...(call ? [call.id] : []), commit.id],
    });
  }
  return verdict(invariant, violations);
}

/** The nearest `attempt` span begin among the causes of `e`. */
function nearestAttempt(e: TraceEvent, byId: ReadonlyMap<number, TraceEvent>): TraceEvent | undefined {
  let cur = parentOf(e, byId);
  for (let depth = 0; cur && depth < MAX_DEPTH; depth++, cur = parentOf(cur, byId)) {
    if (cur.kind === "attempt" && cur.phase === "begin") return cur;
  }
  return undefined;
}

/** The call span that committed: the direct cause of the commit. */
function callOf(commit: TraceEvent, byId: ReadonlyMap<number, TraceEvent>): TraceEvent | undefined {
  const p = parentOf(commit, byId);
  return p && p.phase === "begin" ? p : undefined;
}

function parentOf(e: TraceEvent, byId: ReadonlyMap<number, TraceEvent>): TraceEvent | undefined {
  const up = e.phase === "end" && e.span !== undefined ? e.span : e.parent;
  return up === undefined ? undefined : byId.get(up);
}

function phantomMessage(commit: TraceEvent, declaration: TraceEvent, noun: string | undefined): string {
  const a = commit.attrs ?? {};
  const d = declaration.attrs ?? {};
  const what = `${noun ?? String(a.effect ?? "effect")} for ${String(a.key ?? "?")}`;
  const step = d.step !== undefined ? `${String(d.step)} attempt ${String(d.attempt ?? "?")}` : "the call";
  const why = d.reason !== undefined ? ` (${String(d.reason)})` : "";
  return `${what} committed ${formatDuration(commit.t - declaration.t)} after ${declaration.actor} declared ${step} failed${why}`;
}
