/** expectNoViolation: the helper users call from their own property tests. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectNoViolation } from "../../src/index.js";
import { parseRepro } from "../../src/run/repro.js";
import { runScenario } from "../../src/run/run-scenario.js";
import refund from "../fixtures/fixture-scenario.js";
import flaky from "./fixtures/flaky-service.js";

describe("expectNoViolation", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentsim-expect-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resolves when no seed, parameter or fault schedule breaks an invariant", async () => {
    // Idempotency keys make a second commit of a key impossible, hangs or not.
    await expect(expectNoViolation(refund, { runs: 30, mitigations: ["idempotency-keys"] })).resolves.toBeUndefined();
  });

  it("throws an Error carrying the shrunk counterexample and a call that replays it", async () => {
    const error = await expectNoViolation(flaky, { runs: 100, params: { errorRate: 0 }, fixedParams: [["errorRate"]] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    expect(message).toMatch(/^flaky-service: every-request-served violated \(found after \d+ runs, shrunk in \d+ steps; search seed 1\)/);
    expect(message).toContain("  seed:        1\n");
    expect(message).toMatch(/ {2}faults: {6}outage at \d+ms for \d+ms on db\n/);
    expect(message).toContain("violation:   every-request-served at 100ms: request 0 failed");
    // The replay line is a real call: run it and get the same violation.
    const call = /replay: {6}await runScenario\(\{ scenario: flakyService, seed: (\d+), params: (.*), faults: (.*), mitigations: (.*) \}\)/.exec(message);
    expect(call).not.toBeNull();
    const [, seed, params, faults] = call!;
    const r = await runScenario({ scenario: flaky, seed: Number(seed), params: { errorRate: 0, ...JSON.parse(params!) }, faults: JSON.parse(faults!) });
    expect(r.violations[0]?.message).toBe("request 0 failed");
  });

  it("writes a replayable repro file when asked", async () => {
    const reproFile = join(dir, "flaky.repro.json");
    await expect(
      expectNoViolation(flaky, { runs: 100, params: { errorRate: 0 }, fixedParams: [["errorRate"]], reproFile, scenarioFile: "test/run/fixtures/flaky.yaml" }),
    ).rejects.toThrow(`npx agentsim replay ${reproFile}`);
    const parsed = parseRepro(readFileSync(reproFile, "utf8"));
    expect(parsed.ok && parsed.repro).toMatchObject({
      scenario: "flaky-service",
      scenarioFile: "test/run/fixtures/flaky.yaml",
      verdict: "violated",
      violated: ["every-request-served"],
    });
  });
});
