/**
 * The one model of an invariant: a value with a name, a one-line description and a check that
 * judges it from a run's evidence (`E`: the evidence of an agent's run, a scenario's ledgers...).
 * A check returns the violations it found (empty when it held) or a checker's `Verdict`, judged
 * under the invariant's own name.
 *
 * A scenario declares its invariants (name and description) and judges them after the run;
 * `judgeDeclared` holds the verdicts to the declaration, so a misspelt name is an error that names
 * the declared ones, never a verdict dropped in silence.
 */
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** A violation as a check reports it; the invariant's name is added for it. */
export type ViolationInput = Omit<Violation, "invariant">;

/** An invariant as a value: what it is called, what it promises, and the check that judges it from evidence `E`. */
export interface Invariant<E = unknown> {
  name: string;
  /** One line: what must hold. */
  description: string;
  /** The violations found (empty when it held), or a checker's verdict. */
  check(evidence: E): readonly ViolationInput[] | Verdict;
}

/** Judges one invariant, under its own name. */
export function judge<E>(invariant: Invariant<E>, evidence: E): Verdict {
  const found = invariant.check(evidence);
  const violations = isVerdict(found) ? found.violations.map(({ invariant: _, ...v }) => v) : found;
  return verdict(invariant.name, [...violations]);
}

function isVerdict(x: readonly ViolationInput[] | Verdict): x is Verdict {
  return !Array.isArray(x);
}

/** A scenario's verdicts that do not match what it declares: a bug in the scenario, not in the run. */
export class InvariantMismatchError extends Error {
  override name = "InvariantMismatchError";
}

/**
 * The verdicts of `declared`, in declared order, one each. Throws `InvariantMismatchError` naming
 * the declared invariants when a verdict judges a name that is not declared (a misspelling) or a
 * declared invariant has no verdict or more than one.
 */
export function judgeDeclared(owner: string, declared: readonly Pick<Invariant, "name">[], verdicts: readonly Verdict[]): Verdict[] {
  const names = declared.map((d) => d.name);
  const expected = `it declares: ${names.join(", ") || "none"}`;
  for (const v of verdicts) {
    if (!names.includes(v.invariant)) throw new InvariantMismatchError(`${owner} judged an undeclared invariant "${v.invariant}"; ${expected}`);
  }
  return declared.map((d) => {
    const found = verdicts.filter((v) => v.invariant === d.name);
    if (found.length !== 1)
      throw new InvariantMismatchError(`${owner} returned ${found.length} verdicts for invariant "${d.name}" (expected one); ${expected}`);
    return found[0] as Verdict;
  });
}
