/**
 * The entry point for running real, unmodified agent code on virtual time.
 *
 * ```ts
 * const sim = new Simulation({ seed: 7 });
 * const provider = new LlmProvider(sim, { rpm: 50 });
 * const run = await runInWorld(sim, async () => {
 *   const client = new Anthropic({ apiKey: "sk-sim" });      // the real SDK, unmodified
 *   return client.messages.create({ model, max_tokens: 512, messages });
 * }, { services: [new AnthropicEndpoint(sim, { provider })] });
 * run.agent;      // { status: "done", value } | { status: "failed", error } | { status: "unfinished", reason }
 * run.traceHash;  // the same for the same seed
 * ```
 *
 * The agent runs as one process of a `SimWorld` (timers, Date, randomness and fetch virtual for
 * the run's duration; see `virtual-globals.ts`) and the kernel runs until nothing is scheduled,
 * the horizon or the event budget, then drains for a bounded time once the agent has settled (timers
 * it left running are cleared and named in `leftovers`). The result is data: how the agent ended, how the run ended,
 * what leaked. An agent that never finished is explained: it waits on something the simulation
 * does not control (a leak the detector could not name: a promise nothing in the world settles),
 * or the horizon came first.
 */
import type { DurationInput } from "../sim/duration.js";
import type { RunOutcome, Simulation } from "../sim/simulation.js";
import type { SimService } from "./sim-fetch.js";
import { SimWorld } from "./sim-world.js";
import type { Ended } from "../sim/process.js";

/** How `runInWorld` runs the agent: its services, its name, the horizon and event budget. */
export interface RunInWorldOptions {
  /** The services the world's fetch reaches. */
  services?: readonly SimService[];
  /** The agent's name in the trace (default `agent`). */
  name?: string;
  /** Stop before any event later than this (default: run until nothing is scheduled). */
  horizon?: DurationInput;
  /** Runaway guard (default the kernel's). */
  maxEvents?: number;
  /** Virtual time the world's timers may still run once the agent has settled (default 60 s); see `SimWorld`. */
  drain?: DurationInput;
  /** Timer firings allowed in the drain (default 1,000). */
  drainFirings?: number;
  /** Real time, in ms, before a stuck world is ended and torn down (default 4,000; see `SimWorld`). */
  timeout?: number;
}

/** How the user's code ended. */

/** A finished run of user code. */
export interface WorldRun<T> {
  agent: Ended<T>;
  outcome: RunOutcome;
  /** Leaks that failed the run (see `SimWorld`), in order. */
  leaks: readonly string[];
  /** Timers still pending after the drain (cleared then), each naming the user's code that created it. */
  leftovers: readonly string[];
  traceHash: string;
  world: SimWorld;
}

/** Runs `agent` inside a simulated world on `sim`; see the file's contract. */
export async function runInWorld<T>(sim: Simulation, agent: () => Promise<T>, options: RunInWorldOptions = {}): Promise<WorldRun<T>> {
  const world = new SimWorld(sim, {
    services: options.services ?? [],
    ...(options.drain !== undefined ? { drain: options.drain } : {}),
    ...(options.drainFirings !== undefined ? { drainFirings: options.drainFirings } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  const name = options.name ?? "agent";
  const handle = world.spawnAgent(name, agent);
  const outcome = await world.enter(() =>
    sim.run({
      ...(options.horizon !== undefined ? { horizon: options.horizon } : {}),
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
    }),
  );
  const ended = handle.outcome;
  // The agent's process ends `done` with how the agent ended (it catches what the agent throws).
  const result: Ended<T> = ended?.status === "done" ? ended.value : { status: "unfinished", reason: unfinishedReason(name, outcome) };
  return { agent: result, outcome, leaks: world.leaks, leftovers: world.leftovers, traceHash: sim.trace.hash(), world };
}

/** Why an agent never finished, in words that say what to look for. */
export function unfinishedReason(name: string, outcome: RunOutcome): string {
  if (outcome.status === "crashed")
    return `the run crashed before agent "${name}" finished: ${String((outcome.crash?.error as Error | undefined)?.message ?? outcome.crash?.error)}`;
  if (outcome.status === "horizon") return `the horizon came at ${outcome.now} ms before agent "${name}" finished`;
  if (outcome.status === "budget-exceeded") return `the event budget ran out at ${outcome.now} ms before agent "${name}" finished`;
  return `agentsim: agent "${name}" never finished: it waits on something the simulation does not control (a promise that nothing in the world settles: real I/O, a timer captured before the world started, or a promise never resolved)`;
}
