/**
 * The faults every agent scenario offers on each of its tools, for fault schedules (a file's
 * `faults:`, `agentsim check`, fast-check's `faultScheduleArbitrary`):
 *
 * - `tool-slowdown`: calls that start inside the window take the tool's `slowdown` longer (default
 *   15 s). The call still runs to the end on the server: a caller that timed out has already given
 *   up, and the effect commits anyway.
 * - `tool-outage`: calls that start inside the window fail at once with a 503 (`transient`);
 *   nothing runs on the server, nothing commits.
 *
 * A fault names its tool as `target` (no target: every tool). A fault with a `probability` hits
 * each call in its window with that chance, drawn from the stream `faults:<kind>:<tool>`. With no
 * fault active a tool draws exactly as it would without this layer, so adding a schedule never
 * shifts the draws of runs that do not hit it.
 */
import type { ToolPort, ToolRequest, ToolResponse } from "../actors/contracts.js";
import { toDistribution, type DistributionInput } from "../sim/distributions.js";
import { activeFault, slowedDuring } from "../scenarios/fault-windows.js";
import type { FaultKind, FaultSpec } from "../scenarios/scenario.js";
import type { Distribution } from "../sim/distributions.js";
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";

/** Calls that start in the window take longer. */
export const TOOL_SLOWDOWN = "tool-slowdown";
/** Calls that start in the window fail at once with a 503. */
export const TOOL_OUTAGE = "tool-outage";

/**
 * What a `tool-slowdown` adds to a call by default. source: assumption, as the double-refund
 * scenario's `processor-slowdown` (SCENARIOS.md #9): past a typical client timeout (10 s), inside
 * a tool's own (30 s, TOOL_DEFAULTS.timeoutMs).
 */
export const DEFAULT_SLOWDOWN = "15s";

/** The two fault kinds, targeting the named tools (none when there are no tools). */
export function toolFaultKinds(tools: readonly string[]): FaultKind[] {
  if (tools.length === 0) return [];
  const targets = [...tools];
  return [
    { name: TOOL_SLOWDOWN, description: "tool calls that start in the window take longer (the work still commits)", targets },
    { name: TOOL_OUTAGE, description: "tool calls that start in the window fail at once with a 503 (nothing runs)", targets },
  ];
}

/** A tool's latency with `tool-slowdown` windows applied. */
export function slowedLatency(
  sim: Simulation,
  tool: string,
  latency: DistributionInput,
  faults: readonly FaultSpec[],
  slowdown: DurationInput = DEFAULT_SLOWDOWN,
): Distribution {
  return slowedDuring(sim, toDistribution(latency), faults, { kind: TOOL_SLOWDOWN, target: tool, extraMs: parseDuration(slowdown) });
}

/** `port`, answering 503 at once to calls that start in a `tool-outage` window. */
export function withOutages(sim: Simulation, port: ToolPort, faults: readonly FaultSpec[]): ToolPort {
  const outages = faults.filter((f) => f.kind === TOOL_OUTAGE);
  if (outages.length === 0) return port;
  const stream = `faults:${TOOL_OUTAGE}:${port.name}`;
  return {
    name: port.name,
    call(ctx: ProcessContext, request: ToolRequest): Promise<ToolResponse> {
      const f = activeFault(outages, TOOL_OUTAGE, port.name, sim.now);
      const hit = f !== undefined && (f.probability === undefined || sim.rng(stream).chance(f.probability));
      return hit ? Promise.resolve(refuse(sim, port.name, ctx, request)) : port.call(ctx, request);
    },
  };
}

/** Records a refused call (a span that opens and closes at once) and answers 503. */
function refuse(sim: Simulation, tool: string, ctx: ProcessContext, request: ToolRequest): ToolResponse {
  const span = sim.trace.begin({
    actor: tool,
    layer: "tool",
    kind: "tool.call",
    parent: request.parent,
    attrs: {
      caller: request.caller ?? ctx.process.name,
      args: request.args,
      ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
    },
  });
  const message = `503 service unavailable: ${tool} is down (${TOOL_OUTAGE})`;
  const eventId = sim.trace.end(span, { ok: false, error: "transient", message, fault: TOOL_OUTAGE, latencyMs: 0 });
  return { ok: false, error: "transient", message, eventId };
}
