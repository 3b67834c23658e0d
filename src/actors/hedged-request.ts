/**
 * Hedged requests (Dean and Barroso, "The Tail at Scale", CACM 2013; FACTS.md "Latency"): send a
 * request; if it has not answered after `afterMs` (typically the tool's own p95), send the same
 * request again as a backup and take whichever answer comes first. The other is cancelled: a tool
 * that honours cancellation stops its work (`tool.cancelled`). A hedge at the q-quantile sends
 * about (1 - q) extra requests, and a hop is slow only when both draws are.
 *
 * Callback-style over `SimTool.send`, like the tool's own timers: a chain of thousands of short
 * hops then costs no process wake-ups.
 *
 * Trace (layer `harness`, actor = the request's caller): `hedge.sent` (attrs: tool, afterMs),
 * whose parent is the primary's call span and which is the parent of the backup's call span.
 */
import type { Simulation, TimerHandle } from "../sim/simulation.js";
import { CancelSource } from "./cancel-source.js";
import type { ToolRequest, ToolResponse } from "./contracts.js";
import type { SimTool } from "./tool.js";

/** Which request answered first. */
export type HedgeWinner = "primary" | "backup";

/** How a hedged request went. */
export interface HedgeResult {
  /** Whether a backup was sent. */
  hedged: boolean;
  winner: HedgeWinner;
}

/**
 * Sends `request` to `tool`, with a backup after `afterMs` if it has not answered by then;
 * `onResponse` gets the first answer (once) and the loser is cancelled.
 */
export function hedgedSend(
  sim: Simulation,
  tool: SimTool,
  request: ToolRequest & { caller: string },
  afterMs: number,
  onResponse: (response: ToolResponse, hedge: HedgeResult) => void,
): void {
  const primary = new CancelSource();
  let backup: CancelSource | undefined;
  let timer: TimerHandle | undefined;
  let settled = false;
  const settle = (response: ToolResponse, winner: HedgeWinner): void => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) sim.cancel(timer);
    (winner === "primary" ? backup : primary)?.cancel(`hedge: the ${winner} answered first`);
    onResponse(response, { hedged: backup !== undefined, winner });
  };
  // Object.assign, not `{ ...request, cancel }`: on Node 20's V8 that gives each request a hidden class of its own.
  const rec = tool.send(Object.assign({}, request, { cancel: primary.signal }), (r) => settle(r, "primary"));
  if (settled) return;
  timer = sim.schedule(afterMs, () => {
    backup = new CancelSource();
    const sent = sim.trace.instant({ actor: request.caller, layer: "harness", kind: "hedge.sent", parent: rec.span, attrs: { tool: tool.name, afterMs } });
    tool.send(Object.assign({}, request, { parent: sent, cancel: backup.signal }), (r) => settle(r, "backup"));
  });
}
