/**
 * agentsim's public library API for a team testing its own agent: the package root
 * (`import { simulate } from "agentsim-kit"`).
 *
 * An explicit list, sized for that audience: run an async agent function on virtual time
 * (`simulate`), state what must never happen (invariants), search seeds and fault schedules with
 * fast-check (`agentRunArbitrary`, `expectNoViolation`), run unmodified code in a simulated world
 * (`runInWorld`), and read the results. Everything else has its own entry point, one per audience:
 * `agentsim-kit/world`, `agentsim-kit/scenarios`, `agentsim-kit/actors`, `agentsim-kit/checks`
 * and `agentsim-kit/kernel` (src/entry/*.ts). test/package/root-names.test.ts lists every name
 * exported here, so adding one is a decision; docs/API.md lists them by section (`npm run docs`).
 */

// ## Test your own agent: run an async agent function on virtual time against simulated tools and a model
export { simulate, type SimulateOptions, type AgentRun, type SimulateReplay } from "./api/simulate.js";
export { agentScenario, type Agent, type AgentScenarioSpec, type AgentSetup, type ToolSpec, type ToolSpecs } from "./api/agent-scenario.js";
export type { AgentEnv, AgentModel, AgentModelRequest } from "./api/agent-env.js";
export { processClock, type AgentClock } from "./api/agent-clock.js";
export { ToolCallError, type AgentTool, type ToolCallOptions } from "./api/agent-tool.js";
export type { AgentEvidence } from "./api/agent-evidence.js";
export type { Ended } from "./sim/process.js";

// ## Invariants: what must never happen, judged from the run's evidence
export { atMostOnce, agentReturns, type Invariant, type ViolationInput } from "./api/invariant.js";
export type { Violation, Verdict } from "./checks/verdict.js";

// ## Property tests: seeds and fault schedules as fast-check arbitraries, shrunk to the smallest failing run
export { agentRunArbitrary, type AgentRunArbitraryOptions, type AgentRunDraw } from "./api/agent-run-arbitrary.js";
export { TOOL_SLOWDOWN, TOOL_OUTAGE } from "./api/tool-faults.js";
export type { FaultSpec } from "./scenarios/scenario.js";
export { expectNoViolation, type ExpectNoViolationOptions } from "./run/expect-no-violation.js";

// ## Real code on virtual time: run unmodified agent code (timers, Date, randomness, fetch, SDKs) in a simulated world
export { runInWorld, type RunInWorldOptions, type WorldRun } from "./world/run-in-world.js";
export { SimWorld, type SimWorldOptions } from "./world/sim-world.js";
export { SimulationLeakError } from "./world/sim-fetch.js";

// ## Run results: verdicts, violations with their evidence, and the trace they point into
export type { RunResult, RunVerdict, RunReplay } from "./run/run-scenario.js";
export type { Trace, TraceEvent } from "./sim/trace.js";
