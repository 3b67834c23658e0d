/**
 * A fast-check arbitrary for runs of a user's agent: a seed and a fault schedule over the setup's
 * tools (`tool-slowdown`, `tool-outage` windows within the horizon). It shrinks as a reader wants
 * a counterexample: the seed toward 1, fewer faults, earlier and shorter windows.
 *
 * ```ts
 * await fc.assert(fc.asyncProperty(agentRunArbitrary(setup), async ({ seed, faults }) => {
 *   const run = await simulate(myAgent, { ...setup, seed, faults });
 *   return run.verdict === "held";
 * }));
 * ```
 */
import fc from "fast-check";
import { faultScheduleArbitrary } from "../run/scenario-run-arbitrary.js";
import type { FaultSpec } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { AGENT_HORIZON } from "./agent-scenario.js";
import { toolFaultKinds } from "./tool-faults.js";

/** One drawn run: pass both to `simulate`. */
export interface AgentRunDraw {
  seed: number;
  /** Sorted by start time. */
  faults: FaultSpec[];
}

/** How runs are drawn. */
export interface AgentRunArbitraryOptions {
  /** The most faults in one schedule (default 4; 0 draws seeds only). */
  maxFaults?: number;
  /** Switch a random subset of the fault kinds on per run (swarm testing). */
  swarm?: boolean;
}

/** A fast-check arbitrary of seeds and fault schedules over the setup's tools, shrinking toward small ones. */
export function agentRunArbitrary(
  setup: { tools?: Readonly<Record<string, unknown>>; horizon?: string },
  options: AgentRunArbitraryOptions = {},
): fc.Arbitrary<AgentRunDraw> {
  const kinds = toolFaultKinds(Object.keys(setup.tools ?? {}));
  const horizonMs = parseDuration(setup.horizon ?? AGENT_HORIZON);
  return fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    faults: faultScheduleArbitrary(kinds, { horizonMs, maxFaults: options.maxFaults ?? 4, swarm: options.swarm ?? false }),
  });
}
