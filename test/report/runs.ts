/** Runs of the fixture scenario for the report tests. */
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import type { RunContext } from "../../src/report/run-context.js";
import fixture from "../fixtures/fixture-scenario.js";

/** Runs the fixture scenario with these parameters (written form) and mitigations. */
export function run(params: Record<string, unknown> = {}, mitigations: string[] = [], seed = 7): Promise<RunResult> {
  return runScenario({ scenario: fixture, seed, params, mitigations });
}

/** A context as the CLI would build it for `run test/fixtures/refund.yaml`. */
export function context(overrides: string[] = [], mitigate: string[] = []): RunContext {
  return { file: "test/fixtures/refund.yaml", title: fixture.title, horizonMs: 600_000, overrides, mitigate };
}
