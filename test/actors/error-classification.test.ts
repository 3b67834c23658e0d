import { describe, expect, it } from "vitest";
import { classifyError, retryCause, type AttemptErrorKind, type ErrorClass } from "../../src/actors/error-classification.js";

describe("classifyError", () => {
  const expected: Record<AttemptErrorKind, ErrorClass> = {
    transient: "transient",
    "rate-limited": "transient",
    timeout: "transient",
    conflict: "transient",
    "budget-exceeded": "transient",
    caller: "caller",
    "idempotency-mismatch": "caller",
    "empty-result": "caller",
    cancelled: "final",
    "job-failed": "final",
    "deadline-exceeded": "final",
  };

  it.each(Object.entries(expected))("%s is %s", (kind, cls) => {
    expect(classifyError(kind as AttemptErrorKind)).toBe(cls);
  });
});

describe("retryCause", () => {
  it("charges timeouts (the tool's and the harness's own budget) as timeouts, the rest as errors", () => {
    expect(retryCause("timeout")).toBe("timeout");
    expect(retryCause("budget-exceeded")).toBe("timeout");
    expect(retryCause("transient")).toBe("error");
    expect(retryCause("rate-limited")).toBe("error");
  });
});
