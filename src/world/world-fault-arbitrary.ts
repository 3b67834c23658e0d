/**
 * A fast-check arbitrary for world runs (as `agentRunArbitrary` is for `simulate`): a seed and a
 * schedule of world faults (`world-faults.ts`) within a horizon, so that a property test searches
 * fault schedules against real, unmodified agent code. It shrinks as a reader wants a
 * counterexample: fewer faults, earlier and shorter windows, the seed toward 1.
 *
 * ```ts
 * await fc.assert(fc.asyncProperty(worldRunArbitrary({ horizon: "2m", tools: ["payments.sim"] }), async ({ seed, faults }) => {
 *   const sim = new Simulation({ seed });
 *   const provider = new LlmProvider(sim);
 *   const openai = new OpenAIEndpoint(sim, { provider });
 *   scheduleWorldFaults(sim, { provider, endpoints: [openai] }, faults);
 *   const run = await runInWorld(sim, myAgent, { services: [openai] });
 *   return run.agent.status === "done";
 * }));
 * ```
 */
import fc from "fast-check";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import { WORLD_FAULT_KINDS, type WorldFault, type WorldFaultKind } from "./world-faults.js";

/** One drawn run. */
export interface WorldRunDraw {
  seed: number;
  /** Sorted by start time. */
  faults: WorldFault[];
}

/** How runs are drawn. */
export interface WorldRunArbitraryOptions {
  /** Fault windows start within it and last at most it (default 2 min). */
  horizon?: DurationInput;
  /** Hosts of HTTP tools `tool-outage` may target (none: no tool outages). */
  tools?: readonly string[];
  /** The kinds to draw from (default every kind that has a target). */
  kinds?: readonly WorldFaultKind[];
  /** The most faults in one schedule (default 4; 0 draws seeds only). */
  maxFaults?: number;
}

/** A fast-check arbitrary of seeds and world fault schedules; see the file's contract. */
export function worldRunArbitrary(options: WorldRunArbitraryOptions = {}): fc.Arbitrary<WorldRunDraw> {
  const horizonMs = Math.floor(parseDuration(options.horizon ?? "2m"));
  const tools = options.tools ?? [];
  const kinds = (options.kinds ?? WORLD_FAULT_KINDS).filter((k) => k !== "tool-outage" || tools.length > 0);
  const maxFaults = options.maxFaults ?? 4;
  const one = fc
    .record({
      kind: fc.constantFrom(...kinds),
      at: fc.integer({ min: 0, max: horizonMs }),
      for: fc.integer({ min: 0, max: horizonMs }),
      target: tools.length ? fc.constantFrom(...tools) : fc.constant(undefined),
    })
    .map(({ kind, at, for: length, target }): WorldFault => ({ kind, at, for: length, ...(kind === "tool-outage" && target !== undefined ? { target } : {}) }));
  const faults =
    kinds.length === 0 || maxFaults <= 0
      ? fc.constant<WorldFault[]>([])
      : fc.array(one, { maxLength: maxFaults }).map((fs) => [...fs].sort((a, b) => a.at - b.at));
  return fc.record({ seed: fc.integer({ min: 1, max: 0x7fffffff }), faults });
}
