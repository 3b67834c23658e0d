/** `agentsim validate`: checks files without running them. */
import { describe, expect, it } from "vitest";
import { cli } from "./capture.js";

describe("agentsim validate", () => {
  it("says ok for a valid file, with what it would run", async () => {
    const r = await cli(["validate", "--allow-module", "test/fixtures/refund.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("ok  test/fixtures/refund.yaml  (fixture-refund, seed 7, horizon 10m, 1 fault, mitigations: none)\n");
    expect(r.stderr).toBe("");
  });

  it("checks every file, exiting 2 when any is invalid", async () => {
    const r = await cli([
      "validate",
      "--allow-module",
      "test/fixtures/refund.yaml",
      "test/fixtures/broken/unknown-param.yaml",
      "test/fixtures/broken/empty.yaml",
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("ok  test/fixtures/refund.yaml");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      'test/fixtures/broken/unknown-param.yaml:5:5: unknown key "latncy" in params.tool; did you mean "latency"? expected one of: latency, timeout',
      'test/fixtures/broken/empty.yaml:1:1: the file is empty; expected a mapping such as "scenario: double-refund"',
    ]);
  });

  it("applies --set and --mitigate when checking", async () => {
    const ok = await cli(["validate", "--allow-module", "test/fixtures/refund.yaml", "--set", "seed=9", "--mitigate", "idempotency-keys"]);
    expect(ok.stdout).toContain("(fixture-refund, seed 9, horizon 10m, 1 fault, mitigations: idempotency-keys)");
    const bad = await cli(["validate", "--allow-module", "test/fixtures/refund.yaml", "--set", "params.clients=51"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("test/fixtures/refund.yaml: --set params.clients=51: 51 is above the maximum 50\n");
  });

  it("never runs the scenario", async () => {
    // The crash parameter makes the tool throw as soon as it runs; validation does not notice.
    const r = await cli(["validate", "--allow-module", "test/fixtures/refund.yaml", "--set", "params.crash=true"]);
    expect(r.code).toBe(0);
  });
});
