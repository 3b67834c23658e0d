/** The one invariant model: values judged under their own names, verdicts held to a scenario's declaration. */
import { describe, expect, it } from "vitest";
import { InvariantMismatchError, judge, judgeDeclared, type Invariant } from "../../src/checks/invariant.js";
import { verdict } from "../../src/checks/verdict.js";
import { runScenario } from "../../src/run/run-scenario.js";
import flaky from "../run/fixtures/flaky-service.js";

const declared = [
  { name: "every-request-served", description: "every request ends served" },
  { name: "no-double-charge", description: "each order charged once" },
];

describe("invariants as values", () => {
  it("judges a check under the invariant's own name, whether it returns violations or a checker's verdict", () => {
    const over: Invariant<number[]> = {
      name: "under-10",
      description: "every value under 10",
      check: (xs) => xs.filter((x) => x >= 10).map((x) => ({ at: x, message: `${x} >= 10`, evidence: [] })),
    };
    const renamed: Invariant<number[]> = {
      name: "mine",
      description: "a checker's verdict, renamed",
      check: () => verdict("checker-default", [{ at: 1, message: "broke", evidence: [3] }]),
    };
    expect(judge(over, [1, 12])).toEqual({
      invariant: "under-10",
      held: false,
      violations: [{ invariant: "under-10", at: 12, message: "12 >= 10", evidence: [] }],
    });
    expect(judge(renamed, []).violations.map((v) => v.invariant)).toEqual(["mine"]);
  });

  it("holds verdicts to the declaration, in declared order", () => {
    const verdicts = [verdict("no-double-charge", []), verdict("every-request-served", [])];
    expect(judgeDeclared("scenario s", declared, verdicts).map((v) => v.invariant)).toEqual(["every-request-served", "no-double-charge"]);
  });

  it("a misspelt verdict name is an error naming the declared invariants, not a verdict dropped in silence", () => {
    const verdicts = [verdict("every-request-served", []), verdict("no-double-charges", [])];
    expect(() => judgeDeclared("scenario s", declared, verdicts)).toThrow(InvariantMismatchError);
    expect(() => judgeDeclared("scenario s", declared, verdicts)).toThrow(
      'scenario s judged an undeclared invariant "no-double-charges"; it declares: every-request-served, no-double-charge',
    );
  });

  it("a declared invariant without a verdict is an error too", () => {
    expect(() => judgeDeclared("scenario s", declared, [verdict("every-request-served", [])])).toThrow(
      'scenario s returned 0 verdicts for invariant "no-double-charge" (expected one)',
    );
  });

  it("runScenario refuses a scenario whose check misspells its invariant, and a run config that does", async () => {
    const misspelt = {
      ...flaky,
      build: (w: Parameters<typeof flaky.build>[0]) => {
        const inst = flaky.build(w);
        return { ...inst, check: (o: Parameters<typeof inst.check>[0]) => inst.check(o).map((v) => ({ ...v, invariant: "every-request-serve" })) };
      },
    };
    await expect(runScenario({ scenario: misspelt, seed: 1 })).rejects.toThrow(
      'scenario flaky-service judged an undeclared invariant "every-request-serve"; it declares: every-request-served',
    );
    await expect(runScenario({ scenario: flaky, seed: 1, invariants: ["every-request-serve"] })).rejects.toThrow(
      'unknown invariant "every-request-serve" for flaky-service; expected one of every-request-served',
    );
  });
});
