/**
 * Which events a text timeline shows. A short trace is shown whole; a long one shows its first
 * and last events plus every event on the causal chains of the violations it reports, with the
 * gaps between them counted, so that a reader sees how the run began, how it ended and exactly
 * what led to each failure.
 */
import type { TraceEvent } from "../sim/trace.js";

/** A row of the timeline: an event, or a count of events left out. */
export type TimelineRow = { event: TraceEvent } | { elided: number };

/** How much of a long trace to show. */
export interface TimelineOptions {
  /** Traces of at most this many events are shown whole. */
  limit: number;
  /** Events shown from the start of a longer trace. */
  head: number;
  /** Events shown from its end. */
  tail: number;
}

/** The defaults: about a screenful, plus the causal chains. */
export const DEFAULT_TIMELINE: TimelineOptions = { limit: 80, head: 25, tail: 10 };

/** The rows to show, in trace order; `focus` holds the ids that must be shown. */
export function selectTimeline(events: readonly TraceEvent[], focus: ReadonlySet<number>, options: TimelineOptions = DEFAULT_TIMELINE): TimelineRow[] {
  if (events.length <= options.limit) return events.map((event) => ({ event }));
  const keep = (i: number): boolean => i < options.head || i >= events.length - options.tail || focus.has(i);
  const rows: TimelineRow[] = [];
  let gap = 0;
  for (const [i, event] of events.entries()) {
    if (!keep(i)) {
      gap++;
      continue;
    }
    if (gap) rows.push({ elided: gap });
    gap = 0;
    rows.push({ event });
  }
  if (gap) rows.push({ elided: gap });
  return rows;
}
