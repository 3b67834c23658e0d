/**
 * The world property-test benchmark (issue 13): runs per second of a fast-check property over
 * five real SDK clients in one world (`test/world/fixtures/five-clients.ts`: the openai SDK on
 * Chat Completions and Responses, the AI SDK over @ai-sdk/openai and @ai-sdk/anthropic, and
 * @anthropic-ai/sdk, each a streamed tool loop), with fault schedules drawn by
 * `worldRunArbitrary`. Run it with `npx tsx bench/world-property.bench.ts` (AGENTSIM_BENCH_RUNS
 * sets the runs, default 200; AGENTSIM_BENCH_FAULTS the most faults a schedule has, default 3).
 * It prints runs/s, model calls and kernel events per run, and the machine's load.
 *
 * Measured (2026-12-03, 2-core machine shared with 8 other agents, load average 7-8): 20.1 runs/s
 * with no faults (10 model calls a run), 9.0 runs/s with up to 3 faults (13.4 calls a run, with
 * the SDKs' retries and error objects). A CPU profile puts about a third of the time in the
 * clients' own work (SSE parsing in openai, @anthropic-ai/sdk and ai; zod validating every chunk),
 * about 15% in Node's web streams (each SDK pipes the body through TextDecoderStream and
 * TransformStreams), about 7% in the async-hook promise callbacks (the leak detector's `init` hook
 * turns on promise hooks for every promise), 7% in GC, and under 10% in agentsim itself.
 */
import { loadavg } from "node:os";
import fc from "fast-check";
import { worldRunArbitrary } from "../src/world/world-fault-arbitrary.js";
import { carefulFleet, fleetRun, TOOL_HOST } from "../test/world/fixtures/five-clients.js";

const RUNS = Number(process.env.AGENTSIM_BENCH_RUNS ?? 200);
const MAX_FAULTS = Number(process.env.AGENTSIM_BENCH_FAULTS ?? 3);

async function main(): Promise<void> {
  // Warm-up: module loading and V8's first compilations are not what a long property test pays.
  for (let s = 1; s <= 5; s++) await fleetRun(s, [], carefulFleet);
  let calls = 0;
  let events = 0;
  let runs = 0;
  const start = performance.now();
  await fc.assert(
    fc.asyncProperty(worldRunArbitrary({ horizon: "20s", tools: [TOOL_HOST], maxFaults: MAX_FAULTS }), async ({ seed, faults }) => {
      const run = await fleetRun(seed, faults, carefulFleet);
      runs++;
      calls += run.world.sim.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "begin").length;
      events += run.world.sim.eventCount;
      return run.agent.status === "done";
    }),
    { numRuns: RUNS, seed: 1 },
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(`world property test: ${runs} runs in ${seconds.toFixed(2)} s = ${(runs / seconds).toFixed(1)} runs/s`);
  console.log(`per run: ${(calls / runs).toFixed(1)} model calls, ${(events / runs).toFixed(0)} kernel events; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

await main();
