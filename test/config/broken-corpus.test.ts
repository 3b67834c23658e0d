/**
 * The corpus of broken scenario files: each one must be refused with exit 2 and one message that
 * points at the line and column of the mistake (positions counted by hand from the files).
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/capture.js";

const DIR = "test/fixtures/broken";

/** file -> [line, col, a fragment of the message]. */
const EXPECTED: Record<string, [number, number, string]> = {
  "alias-bomb.yaml": [3, 8, "alias bomb"],
  "bad-instant-param.yaml": [3, 11, "expected an ISO-8601 instant"],
  "bad-start-at.yaml": [2, 10, "expected a UTC instant"],
  "boolean-yes.yaml": [3, 12, 'expected true or false, got "yes"'],
  "custom-tag.yaml": [2, 7, "tag !!js/function is not allowed"],
  "distribution-p99-below-p50.yaml": [7, 14, "p99 must be above p50"],
  "distribution-unknown-family.yaml": [4, 14, 'unknown distribution "lognorml"'],
  "duplicate-key.yaml": [4, 1, "duplicate key"],
  "empty.yaml": [1, 1, "the file is empty"],
  "fault-after-horizon.yaml": [4, 28, "after the horizon (10m)"],
  "fault-bad-target.yaml": [5, 13, 'did you mean "refund"?'],
  "fault-unknown-key.yaml": [3, 32, 'unknown key "duraton" in faults.0'],
  "fault-unknown-kind.yaml": [5, 11, 'did you mean "tool-hang"?'],
  "int-out-of-range.yaml": [3, 12, "500 is above the maximum 50"],
  "malformed-duration.yaml": [4, 14, 'malformed duration "5 minutes"'],
  "max-events-zero.yaml": [2, 12, "expected at least 1 event, got 0"],
  "missing-module.yaml": [1, 11, "cannot load scenario module ./no-such-scenario.js: no such file"],
  "missing-scenario.yaml": [1, 1, 'missing key "scenario"'],
  "negative-duration.yaml": [3, 10, "must not be negative"],
  "not-a-mapping.yaml": [1, 1, "the file holds a list; expected a mapping"],
  "params-not-a-mapping.yaml": [3, 9, "expected a mapping with keys clients, requestsPerClient"],
  "probability-out-of-range.yaml": [3, 25, "1.5 is above the maximum 1"],
  "string-not-a-choice.yaml": [3, 11, '"asia" is not one of eu, us'],
  "syntax-error.yaml": [3, 1, "invalid YAML"],
  "unknown-invariant.yaml": [2, 35, 'unknown invariant "at-most-once"; expected one of: at-most-once-effect'],
  "unknown-mitigation.yaml": [3, 5, 'did you mean "idempotency-keys"?'],
  "unknown-param.yaml": [5, 5, 'unknown key "latncy" in params.tool; did you mean "latency"?'],
  "unknown-scenario.yaml": [2, 11, 'unknown scenario "double-refnd"'],
  "unknown-top-key.yaml": [3, 1, 'unknown key "horizn"; did you mean "horizon"?'],
  "wrong-type-seed.yaml": [2, 7, 'expected a whole-number seed, got "forty-two"'],
};

describe("broken scenario files", () => {
  it("has an expectation for every file in the corpus, and at least 15 files", () => {
    const files = readdirSync(DIR).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const [name, [line, col, fragment]] of Object.entries(EXPECTED)) {
    it(`${name}: exit 2 with ${line}:${col}`, async () => {
      const file = `${DIR}/${name}`;
      const r = await cli(["run", file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:${line}:${col}: `));
      expect(lines[0]).toContain(fragment);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it("reports every problem of a file at once, in file order", async () => {
    const r = await cli(["validate", `${DIR}/unknown-top-key.yaml`, `${DIR}/wrong-type-seed.yaml`]);
    expect(r.code).toBe(2);
    expect(
      r.stderr
        .trimEnd()
        .split("\n")
        .map((l) => l.split(": ")[0]),
    ).toEqual([`${DIR}/unknown-top-key.yaml:3:1`, `${DIR}/wrong-type-seed.yaml:2:7`]);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
