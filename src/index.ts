/**
 * agentsim's public library API: the kernel, the scenario contract and parameters, the run layer,
 * invariant verdicts, scenario-file loading and the report renderers. The command line is in
 * `cli.ts`.
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
