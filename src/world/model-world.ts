/**
 * The shortest way to run an agent you already have (the official SDKs, the Vercel AI SDK, any
 * OpenAI- or Anthropic-compatible client, unmodified) on virtual time: one seed, a world with both
 * model APIs behind one provider, your HTTP tools, and a fault schedule.
 *
 * ```ts
 * const run = await runWithModels(() => myAgent("Where is order 1234?"), { seed: 7, faults });
 * run.agent;      // { status: "done", value } | { status: "failed", error } | { status: "unfinished", reason }
 * run.traceHash;  // the same for the same seed and faults
 * ```
 *
 * Contract: a new `Simulation` on `seed`; one `LlmProvider` (`provider` options) behind an
 * `OpenAIEndpoint` (api.openai.com) and an `AnthropicEndpoint` (api.anthropic.com), both with
 * the `models` options (responder, output length, stream errors); the services `services` makes
 * (e.g. `HttpTool`s) beside them; `faults` scheduled on all of them (`scheduleWorldFaults`: a
 * tool outage takes down the `HttpTool`s among the services); then `runInWorld`.
 */
import { LlmProvider, type LlmProviderOptions } from "../actors/llm-provider.js";
import type { DurationInput } from "../sim/duration.js";
import { Simulation } from "../sim/simulation.js";
import { AnthropicEndpoint } from "./anthropic-endpoint.js";
import { HttpTool } from "./http-tool.js";
import type { ModelEndpointOptions } from "./llm-endpoint.js";
import { OpenAIEndpoint } from "./openai-endpoint.js";
import { runInWorld, type WorldRun } from "./run-in-world.js";
import type { SimService } from "./sim-fetch.js";
import { scheduleWorldFaults, type WorldFault } from "./world-faults.js";

/** How `runWithModels` builds the world. */
export interface ModelWorldOptions {
  seed: number;
  faults?: readonly WorldFault[];
  /** The provider behind both APIs: latency, rate limits, errors, cache, prices. */
  provider?: LlmProviderOptions;
  /** Both endpoints' options: responder (default the default model), output length, stream errors. */
  models?: Omit<ModelEndpointOptions, "provider" | "host">;
  /** More services for the world (your tools), made on its simulation. */
  services?: (sim: Simulation) => SimService[];
  /** The agent's name in the trace. */
  name?: string;
  /** Stop before any event later than this (default: run until nothing is scheduled). */
  horizon?: DurationInput;
}

/** A world run with the actors behind it. */
export interface ModelWorldRun<T> extends WorldRun<T> {
  provider: LlmProvider;
  openai: OpenAIEndpoint;
  anthropic: AnthropicEndpoint;
}

/** Runs `agent` in a world with both model APIs; see the file's contract. */
export async function runWithModels<T>(agent: () => Promise<T>, options: ModelWorldOptions): Promise<ModelWorldRun<T>> {
  const sim = new Simulation({ seed: options.seed });
  const provider = new LlmProvider(sim, options.provider ?? {});
  const openai = new OpenAIEndpoint(sim, { ...options.models, provider });
  const anthropic = new AnthropicEndpoint(sim, { ...options.models, provider });
  const extra = options.services?.(sim) ?? [];
  scheduleWorldFaults(
    sim,
    { provider, endpoints: [openai, anthropic], tools: extra.filter((s): s is HttpTool => s instanceof HttpTool) },
    options.faults ?? [],
  );
  const run = await runInWorld(sim, agent, {
    services: [openai, anthropic, ...extra],
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.horizon !== undefined ? { horizon: options.horizon } : {}),
  });
  return { ...run, provider, openai, anthropic };
}
