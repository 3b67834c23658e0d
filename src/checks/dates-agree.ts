/**
 * Clocks that must agree on a date: for each run of a dated job (a daily summary), every layer's
 * reading of the day it is about (the data window it queried, the date its message names, the
 * day its timestamp implies) must equal the day the schedule says. A layer that guessed "now" from
 * its own clock and got another day is named, with the clock it trusted.
 *
 * Evidence: the trace events where each layer committed to its date; the scenario extracts them.
 */
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** One layer's reading of which day a run is about. */
export interface DateWitness {
  /** What committed to the date, with its verb, in domain words: "the data window covers", "the message names". */
  what: string;
  /** The clock it trusted: "the worker's clock", "the model's belief of now". */
  clock: string;
  /** The calendar date it settled on, `YYYY-MM-DD`. */
  date: string;
  /** The trace event where it did. */
  eventId: number;
  /** How it got there, shown after the date ("its clock read 08:59:58Z"). */
  detail?: string;
}

/** One run of a dated job: the reference date (the schedule's) and the layers' readings. */
export interface DatedRun {
  /** The run in words: "daily summary #3". */
  subject: string;
  /** The reference: the date the run is about by definition (the scheduler's). */
  reference: DateWitness;
  witnesses: readonly DateWitness[];
  /** When the run's outcome became visible (its last event), virtual ms. */
  at: number;
  /** That last event (the post), the end of the evidence. */
  eventId: number;
}

/** Judges that every witness of every run names the reference date. One violation per run that disagrees. */
export function datesAgree(runs: readonly DatedRun[], options: { invariant?: string } = {}): Verdict {
  const violations: Omit<Violation, "invariant">[] = [];
  for (const run of runs) {
    const wrong = run.witnesses.filter((w) => w.date !== run.reference.date);
    if (!wrong.length) continue;
    const ref = run.reference;
    const parts = wrong.map((w) => `${w.what} ${w.date} (${w.clock}${w.detail ? `: ${w.detail}` : ""})`);
    violations.push({
      at: run.at,
      message: `${run.subject} should be about ${ref.date} (${ref.clock}${ref.detail ? `: ${ref.detail}` : ""}), but ${parts.join("; ")}`,
      evidence: [ref.eventId, ...wrong.map((w) => w.eventId), run.eventId].filter((id, i, a) => a.indexOf(id) === i),
    });
  }
  return verdict(options.invariant ?? "dates-agree", violations);
}

/** How many runs each clock put on a wrong date, by the witnesses' `clock`. */
export function disagreementsByClock(runs: readonly DatedRun[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of runs) {
    for (const w of run.witnesses) if (!out.has(w.clock)) out.set(w.clock, 0);
    for (const clock of new Set(run.witnesses.filter((w) => w.date !== run.reference.date).map((w) => w.clock))) out.set(clock, (out.get(clock) ?? 0) + 1);
  }
  return out;
}
