/**
 * Liveness of long-running work (a workflow, a job): each item finishes within its bound. An item
 * still open when the run ends counts from its start to the end of the run; if the run stalled
 * (no process could ever move again), it will never finish and breaks its bound whatever its age.
 */
import { formatDuration, formatTimestamp } from "../sim/duration.js";
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** One piece of work, from its start to its finish (if it finished). */
export interface WorkItem {
  /** What it is, in domain words: "workflow wf-3". */
  name: string;
  startedAt: number;
  finishedAt?: number;
  /** How long it may take (its SLA), ms. */
  boundMs: number;
  /** The event that started it. */
  startEvent: number;
  /** Its latest event: the finish, or the last thing that happened to it. */
  lastEvent: number;
  /** Words added to a violation's message: what it waits on. */
  detail?: string;
}

/** How `finishesWithin` judges work items: the bound and when the run ended. */
export interface FinishesWithinOptions {
  invariant?: string;
  /** When the run ended (virtual ms). */
  endMs: number;
  /** Whether the run stalled: open work can then never finish. */
  stalled: boolean;
}

/** Judges that every item finished within its bound. A breach is dated at start + bound. */
export function finishesWithin(items: readonly WorkItem[], options: FinishesWithinOptions): Verdict {
  const violations: Omit<Violation, "invariant">[] = [];
  for (const w of items) {
    const sla = `its ${formatDuration(w.boundMs)} SLA`;
    let message: string | undefined;
    if (w.finishedAt !== undefined) {
      if (w.finishedAt - w.startedAt > w.boundMs) message = `${w.name} took ${formatDuration(w.finishedAt - w.startedAt)}, over ${sla}`;
    } else if (options.stalled) {
      message = `${w.name} never finished: stuck for ${formatDuration(options.endMs - w.startedAt)} when the run stalled at ${formatTimestamp(options.endMs)} (nothing left could move it), over ${sla}`;
    } else if (options.endMs - w.startedAt > w.boundMs) {
      message = `${w.name} had not finished after ${formatDuration(options.endMs - w.startedAt)}, at the end of the run, over ${sla}`;
    }
    if (message) {
      violations.push({
        at: w.startedAt + w.boundMs,
        message: w.detail ? `${message}; ${w.detail}` : message,
        evidence: [...new Set([w.startEvent, w.lastEvent])],
      });
    }
  }
  return verdict(options.invariant ?? "liveness", violations);
}
