/** Suggestions for misspelt names. */
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, unknownName } from "../../src/config/did-you-mean.js";

describe("didYouMean", () => {
  it("suggests the closest name when it is plausibly meant", () => {
    expect(didYouMean("horizn", ["seed", "horizon", "params"])).toBe("horizon");
    expect(didYouMean("mitigation", ["mitigations", "invariants"])).toBe("mitigations");
    expect(didYouMean("Seed", ["seed", "params"])).toBe("seed");
    expect(didYouMean("paramz", ["seed", "params"])).toBe("params");
  });

  it("suggests nothing when no name is close", () => {
    expect(didYouMean("workers", ["seed", "horizon"])).toBeUndefined();
    expect(didYouMean("x", [])).toBeUndefined();
  });

  it("counts an adjacent swap as one edit", () => {
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("words an unknown name with the hint and the valid names", () => {
    expect(unknownName("mitigation", "single-flght", ["single-flight", "jittered-refresh"])).toBe(
      'unknown mitigation "single-flght"; did you mean "single-flight"? expected one of: single-flight, jittered-refresh',
    );
    expect(unknownName("key", "zz", ["a"], "in params")).toBe('unknown key "zz" in params; expected one of: a');
  });
});
