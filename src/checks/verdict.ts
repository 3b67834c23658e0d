/**
 * What an invariant checker returns: held or violated, with evidence. Checkers are pure functions
 * over evidence (the trace, an effect ledger, a store history, a wait-for graph); none of them
 * reads a flag that a scenario set to say "this failed".
 */

/** One breach of an invariant. */
export interface Violation {
  /** The invariant's public name, e.g. `at-most-once-effect`. */
  invariant: string;
  /** Virtual time (ms) at which the invariant broke. */
  at: number;
  /** What broke, in words a newcomer understands. */
  message: string;
  /** Ids of the trace events that show it; the last is where it broke. */
  evidence: number[];
}

/** The judgement of one invariant over one run. */
export interface Verdict {
  invariant: string;
  held: boolean;
  violations: Violation[];
}

/** Builds a verdict from the violations a checker found. */
export function verdict(invariant: string, violations: Omit<Violation, "invariant">[]): Verdict {
  const vs = violations.map((v) => ({ invariant, ...v })).sort((a, b) => a.at - b.at || (a.evidence.at(-1) ?? 0) - (b.evidence.at(-1) ?? 0));
  return { invariant, held: vs.length === 0, violations: vs };
}
