/**
 * Surfaced errors: what a system reports about a logical call must account for the errors in that
 * call's causal tree. A step reported as a clean success whose tree holds a caller error (a call
 * the tool rejected as malformed) had its defect laundered by a retry: the dashboard shows green
 * and the caller-error rate is invisible.
 *
 * Judged from the trace alone: a logical call is a root event (e.g. a harness `step` span); an
 * error belongs to the call whose root is its nearest root ancestor through causal links (a span's
 * end leads to its begin, any other event to its parent); so does a report. A report that claims
 * a clean success must have no such error in its tree; any other report must count at least as many
 * as its tree holds.
 */
import type { Trace, TraceEvent } from "../sim/trace.js";
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** What a report event says about its logical call. */
export interface ReportReading {
  /** Whether the call is reported as a clean success (no error on the way). */
  clean: boolean;
  /** How many errors of the judged kind the report counts. */
  reportedErrors: number;
  /** The call in words, e.g. `task T-0042 step "lookup_order"`. */
  label: string;
}

/** How `errorsSurfaced` finds logical calls and what their reports said. */
export interface SurfacedErrorsOptions {
  invariant?: string;
  /** The root event of a logical call (e.g. a `step` begin event). */
  isRoot: (e: TraceEvent) => boolean;
  /** Reads a report event (e.g. a status the harness reported), or undefined for other events. */
  report: (e: TraceEvent) => ReportReading | undefined;
  /** Describes an error that must be surfaced (e.g. a tool's caller error), or undefined for other events. */
  error: (e: TraceEvent) => string | undefined;
  /** A noun for one error in messages (default "error"; an "s" makes it plural). */
  noun?: string;
}

/** Judges that every report accounts for the errors in its call's causal tree. */
export function errorsSurfaced(trace: Trace, options: SurfacedErrorsOptions): Verdict {
  const invariant = options.invariant ?? "errors-surfaced";
  const noun = options.noun ?? "error";
  const count = (n: number): string => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const rootOf = rootFinder(trace, options.isRoot);
  const errors = new Map<number, { id: number; what: string }[]>();
  const reports: { e: TraceEvent; r: ReportReading }[] = [];
  for (const e of trace.events) {
    const what = options.error(e);
    if (what !== undefined) {
      const root = rootOf(e.id);
      if (root !== undefined) errors.set(root, [...(errors.get(root) ?? []), { id: e.id, what }]);
    }
    const r = options.report(e);
    if (r) reports.push({ e, r });
  }
  const violations: Omit<Violation, "invariant">[] = [];
  for (const { e, r } of reports) {
    const root = rootOf(e.id);
    const found = root === undefined ? [] : (errors.get(root) ?? []);
    if (found.length === 0 || (!r.clean && r.reportedErrors >= found.length)) continue;
    const first = found[0] as { id: number; what: string };
    const claim = r.clean ? "as a clean success" : `counting ${count(r.reportedErrors)}`;
    violations.push({
      at: e.t,
      message: `${r.label} was reported ${claim}, but ${count(found.length)} preceded it in its causal tree (first: ${first.what})`,
      evidence: [...found.map((f) => f.id), e.id],
    });
  }
  return verdict(invariant, violations);
}

/** The nearest root ancestor of each event (memoized), or undefined when there is none. */
function rootFinder(trace: Trace, isRoot: (e: TraceEvent) => boolean): (id: number) => number | undefined {
  const memo = new Map<number, number | undefined>();
  return (start) => {
    const path: number[] = [];
    let found: number | undefined;
    let cur = trace.get(start);
    while (cur) {
      if (memo.has(cur.id)) {
        found = memo.get(cur.id);
        break;
      }
      path.push(cur.id);
      if (isRoot(cur)) {
        found = cur.id;
        break;
      }
      const up = cur.phase === "end" && cur.span !== undefined ? cur.span : cur.parent;
      cur = up === undefined || path.includes(up) ? undefined : trace.get(up);
    }
    for (const id of path) memo.set(id, found);
    return found;
  };
}
