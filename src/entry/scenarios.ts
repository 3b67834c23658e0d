/**
 * `agentsim-kit/scenarios`: writing scenario modules and running them. The scenario contract
 * (`defineScenario`), the parameter DSL (`p`), fault windows, the catalog, scenario files, and the
 * runs, searches, repros, sweeps and reports the `agentsim` command is made of.
 * An explicit list; docs/API.md lists it by section (`npm run docs`).
 */

// ## Writing a scenario: the contract, parameters and fault windows
export {
  defineScenario,
  type ScenarioDefinition,
  type ScenarioInstance,
  type World,
  type Named,
  type FaultKind,
  type FaultSpec,
  type Metric,
  type Series,
} from "../scenarios/scenario.js";
export { p, Param, type ParamType, type ParamTree, type ParamValues } from "../scenarios/params.js";
export { activeFault, slowedDuring } from "../scenarios/fault-windows.js";
export { agentScenario, agentEvidence, AGENT_HORIZON } from "../api/agent-scenario.js";
export { toolFaultKinds, DEFAULT_SLOWDOWN } from "../api/tool-faults.js";

// ## The catalog
export { catalog, findScenario } from "../scenarios/catalog.js";

// ## Incidents: scenarios imported from OpenTelemetry GenAI traces (`agentsim import`)
export { incidentScenario, incidentInvariants, type IncidentWorkload } from "../scenarios/incident.js";
export { readOtlpJson, OtlpFormatError, type SpanRecord, type OtlpTraces, type OtlpSpan } from "../import/otlp-json.js";
export { incidentFromSpans, NotGenAiTracesError, type ImportOptions, type IncidentFindings } from "../import/incident-workload.js";

// ## Running: one seed, search with shrinking, repros and replay, determinism
export { runScenario, RunConfigError, type RunConfig, type RunResult, type RunVerdict } from "../run/run-scenario.js";
export { scenarioRunArbitrary, faultScheduleArbitrary, type ScenarioRun, type RunArbitraryOptions } from "../run/scenario-run-arbitrary.js";
export { expectNoViolation, type ExpectNoViolationOptions } from "../run/expect-no-violation.js";
export { checkScenario, type CheckOptions, type CheckResult, type Counterexample } from "../run/check.js";
export { parseRepro, reproOf, describeRepro, REPRO_KIND, type Repro } from "../run/repro.js";
export { replayRepro, type ReplayOutcome } from "../run/replay.js";
export { checkDeterminism, firstDivergence, type DeterminismCheck, type Divergence } from "../run/determinism.js";

// ## Sweeps: many seeds, rates with confidence intervals, sharding and merging
export { runSweep, SweepLoadError, type SweepOptions, type SweepRun } from "../run/sweep.js";
export { buildSweepReport, SWEEP_KIND, type SweepReport, type InvariantRate, type MetricSpread } from "../run/sweep-report.js";
export { mergeSweepReports, parseSweepReport } from "../run/merge.js";
export { parseSeedList, parseShard, shardSeeds, type SeedList, type Shard } from "../run/sweep-seeds.js";
export type { Rate, Spread } from "../run/sweep-stats.js";
export type { SeedSummary, SeedVerdict } from "../run/sweep-summary.js";

// ## Scenario files: YAML with positions, validation, `--set` overrides
export { loadScenarioFile, loadScenarioText, type LoadOptions, type LoadResult } from "../config/load-scenario-file.js";
export { toRunConfig, type ScenarioConfig } from "../config/scenario-config.js";
export { formatProblem, type ConfigProblem, type Position } from "../config/problem.js";
export { applyOverride, parseOverride, type Override } from "../config/overrides.js";

// ## Reports: text, json, jsonl and Chrome-trace renderers
export { replayCommand, type RunContext } from "../report/run-context.js";
export { renderText, type TextOptions } from "../report/render-text.js";
export { jsonReport, renderJson, type JsonReport } from "../report/render-json.js";
export { renderJsonl } from "../report/render-jsonl.js";
export { chromeTrace, renderChrome, type ChromeEvent, type ChromeTrace } from "../report/render-chrome.js";
export { toOtlp, renderOtlp, type OtlpOptions } from "../report/render-otlp.js";
