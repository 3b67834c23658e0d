/**
 * The package root (`agentsim-kit`, src/index.ts) is the API for a team testing its own agent,
 * and every name on it is frozen by semver. This test lists them all, so that adding one (or
 * dropping one) is a decision made in review: edit src/index.ts and this list together. The root
 * stays at 60 names at most; the rest belongs on a subpath (src/entry/*.ts).
 */
import { describe, expect, it } from "vitest";
import { readApi, REPO } from "../api-docs/api-reference.js";

const ROOT_NAMES = [
  // Test your own agent
  "simulate",
  "SimulateOptions",
  "AgentRun",
  "SimulateReplay",
  "agentScenario",
  "Agent",
  "AgentScenarioSpec",
  "AgentSetup",
  "ToolSpec",
  "ToolSpecs",
  "AgentEnv",
  "AgentModel",
  "AgentModelRequest",
  "processClock",
  "AgentClock",
  "ToolCallError",
  "AgentTool",
  "ToolCallOptions",
  "AgentEvidence",
  "Ended",
  // Invariants
  "atMostOnce",
  "agentReturns",
  "Invariant",
  "ViolationInput",
  "Violation",
  "Verdict",
  // Property tests
  "agentRunArbitrary",
  "AgentRunArbitraryOptions",
  "AgentRunDraw",
  "TOOL_SLOWDOWN",
  "TOOL_OUTAGE",
  "FaultSpec",
  "expectNoViolation",
  "ExpectNoViolationOptions",
  // Real code on virtual time
  "runInWorld",
  "RunInWorldOptions",
  "WorldRun",
  "SimWorld",
  "SimWorldOptions",
  "SimulationLeakError",
  // Run results
  "RunResult",
  "RunVerdict",
  "RunReplay",
  "Trace",
  "TraceEvent",
];

describe("the package root", () => {
  const names = readApi(REPO).map((e) => e.name);

  it("exports exactly the listed names, in order", () => {
    expect(names).toEqual(ROOT_NAMES);
  });

  it("exports at most 60 names", () => {
    expect(names.length).toBeLessThanOrEqual(60);
  });
});
