/**
 * The figures that fit a run, chosen from what it has: latency charts when spans were measured,
 * the scenario's own series, spend when events carry costs, the cache's traffic when a cache
 * recorded events, and the wait-for graph when a wait cycle was judged.
 */
import type { RunResult } from "../../run/run-scenario.js";
import type { Figure } from "./figure.js";
import { latencyFigures } from "./latency-figures.js";
import { seriesFigures } from "./series-figures.js";
import { layerRateFigure, spendFigure } from "./trace-figures.js";
import { waitForFigure } from "./wait-for-figure.js";

/** The run's figures, in reading order. */
export function runFigures(result: RunResult): Figure[] {
  const events = result.trace.events;
  const end = Math.max(result.outcome.now, events.at(-1)?.t ?? 0);
  return [
    ...waitForFigure(result.violations),
    ...seriesFigures(result.series, result.violations),
    ...spendFigure(events, end, result.violations),
    ...layerRateFigure(events, "cache", end, result.violations),
    ...latencyFigures(events, result.series),
  ];
}
