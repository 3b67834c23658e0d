/**
 * agentsim's public library API: the kernel, the scenario contract and parameters, the run layer,
 * invariant verdicts, scenario-file loading, the report renderers, sweeps, search with shrinking
 * (a fast-check arbitrary for runs and `expectNoViolation` for test suites), repros and replay.
 * The command line is in `cli.ts`.
 */
export * from "./sim/index.js";
export * from "./scenarios/scenario.js";
export * from "./scenarios/params.js";
export { catalog, findScenario } from "./scenarios/catalog.js";
export * from "./run/run-scenario.js";
export * from "./checks/verdict.js";
export { loadScenarioFile, loadScenarioText, type LoadOptions, type LoadResult } from "./config/load-scenario-file.js";
export { toRunConfig, type ScenarioConfig } from "./config/scenario-config.js";
export { formatProblem, type ConfigProblem, type Position } from "./config/problem.js";
export { applyOverride, parseOverride, type Override } from "./config/overrides.js";
export { replayCommand, type RunContext } from "./report/run-context.js";
export { renderText, type TextOptions } from "./report/render-text.js";
export { jsonReport, renderJson, type JsonReport } from "./report/render-json.js";
export { renderJsonl } from "./report/render-jsonl.js";
export { chromeTrace, renderChrome, type ChromeEvent, type ChromeTrace } from "./report/render-chrome.js";
export { scenarioRunArbitrary, faultScheduleArbitrary, type ScenarioRun, type RunArbitraryOptions } from "./run/scenario-run-arbitrary.js";
export { expectNoViolation, type ExpectNoViolationOptions } from "./run/expect-no-violation.js";
export { checkScenario, compareSchedules, scheduleSize, type CheckOptions, type CheckResult, type Counterexample } from "./run/check.js";
export { parseRepro, reproOf, describeRepro, REPRO_KIND, type Repro } from "./run/repro.js";
export { replayRepro, type ReplayOutcome } from "./run/replay.js";
export { checkDeterminism, firstDivergence, type DeterminismCheck, type Divergence } from "./run/determinism.js";
export { runSweep, SweepLoadError, type SweepOptions, type SweepRun } from "./run/sweep.js";
export { buildSweepReport, SWEEP_KIND, type SweepReport, type InvariantRate, type MetricSpread } from "./run/sweep-report.js";
export { mergeSweepReports, parseSweepReport } from "./run/merge.js";
export { parseSeedList, parseShard, shardSeeds, type SeedList, type Shard } from "./run/sweep-seeds.js";
export { wilson, spreadOf, type Rate, type Spread } from "./run/sweep-stats.js";
export type { SeedSummary, SeedVerdict } from "./run/sweep-summary.js";
