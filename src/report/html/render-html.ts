/**
 * The HTML report of one run: a single self-contained file (styles, data and script inline,
 * nothing fetched) that opens from disk. It shows what ran and its verdict; a swimlane timeline
 * (a lane per actor, spans and instants coloured by layer on the virtual time axis, causal links
 * as arrows, each violation marked where it broke, zoom and hover details); the invariants with
 * each violation's causal chain; the figures that fit the scenario (latency, series, spend, cache
 * traffic, the wait-for graph); the metrics; and the trace hash. A pure function of the result:
 * the same run gives the same bytes.
 */
import type { RunResult } from "../../run/run-scenario.js";
import type { Named } from "../../scenarios/scenario.js";
import type { Layer } from "../../sim/trace.js";
import { formatNumber } from "../format-metric.js";
import type { RunContext } from "../run-context.js";
import type { WorldRun } from "../../world/run-in-world.js";
import { asRunResult, isWorldRun, worldReplay } from "../world-run-result.js";
import { figureHtml } from "./figure.js";
import { esc } from "./html.js";
import { invariantsSection, shownViolations, type ShownViolation } from "./invariants-section.js";
import { DEFAULT_LANE_LIMITS, layoutLanes, type LaneLimits } from "./lane-layout.js";
import { layerKeys } from "./layer-style.js";
import { metricsSection } from "./metrics-section.js";
import { htmlPage } from "./page.js";
import { runDetails, runHeader } from "./run-header.js";
import { runFigures } from "./run-figures.js";
import { swimlaneSvg } from "./swimlane-svg.js";

/** What the HTML report may be told beyond the run and its context. */
export interface HtmlOptions {
  /** The scenario's declared invariants, for their descriptions in the table. */
  invariants?: readonly Named[];
  /** How much of a large trace the timeline draws one by one. */
  limits?: LaneLimits;
  /** Violations per invariant shown with their causal chains and marked on the timeline (default 3). */
  violationsShown?: number;
}

/**
 * Renders a run as one HTML document: a scenario's run, or a world run of real agent code (judged
 * by `worldRunResult`; its context defaults to naming the run, as it has no scenario file).
 */
export function renderHtml(run: RunResult | WorldRun<unknown>, ctx?: RunContext, options: HtmlOptions = {}): string {
  const result = asRunResult(run);
  const context = ctx ?? worldContext(run, result.scenario);
  const shown = shownViolations(result, options.violationsShown ?? 3);
  const timeline = timelineSection(result, shown, options.limits ?? DEFAULT_LANE_LIMITS);
  const figures = runFigures(result);
  const body = [
    runHeader(result, context),
    timeline.html,
    invariantsSection(result, shown, options.invariants ?? []),
    figures.length ? `<section class="card" id="figures"><h2>Charts</h2><div class="figures">${figures.map(figureHtml).join("\n")}</div></section>` : "",
    metricsSection(result.metrics),
    runDetails(result),
  ].join("\n");
  return htmlPage({ title: `agentsim · ${result.scenario} · seed ${result.seed} · ${result.verdict}`, body, details: timeline.details });
}

/** A world run's context: no scenario file; replayed by its seed and faults. */
function worldContext(run: RunResult | WorldRun<unknown>, name: string): RunContext {
  if (!isWorldRun(run)) throw new Error("renderHtml: a scenario's run needs its RunContext");
  return { file: "(a world run of real agent code)", title: `world run of ${name}`, overrides: [], mitigate: [], replay: worldReplay(run) };
}

function timelineSection(result: RunResult, shown: readonly ShownViolation[], limits: LaneLimits): { html: string; details: Record<string, string[]> } {
  const events = result.trace.events;
  const focus = new Set<number>();
  for (const s of shown) for (const e of s.chain) focus.add(e.phase === "end" && e.span !== undefined ? e.span : e.id);
  const model = layoutLanes(events, { ids: focus, times: shown.map((s) => s.violation.at) }, result.outcome.now, limits);
  const svg = swimlaneSvg({ model, trace: result.trace, violations: shown });
  const used = new Set<Layer>(events.map((e) => e.layer));
  const counted =
    model.drawn === model.total
      ? `${formatNumber(model.total)} spans and instants`
      : `${formatNumber(model.drawn)} of ${formatNumber(model.total)} spans and instants drawn one by one`;
  const html = [
    `<section class="card" id="timeline"><h2>Timeline <span class="muted" style="font-weight:400;font-size:14px">${esc(counted)} · ${formatNumber(model.lanes.length)} lanes</span></h2>`,
    `<div class="legend">${layerKeys(used)}${shown.length ? `<span class="key"><i class="violation"></i>violation</span><span class="key"><i class="chain"></i>causal chain</span>` : ""}<span class="key"><i style="background:#94a3b8;height:2px"></i>causal link</span></div>`,
    `<div class="toolbar"><button type="button" data-zoom="in">zoom in</button><button type="button" data-zoom="out">zoom out</button><button type="button" data-zoom="left">◀</button><button type="button" data-zoom="right">▶</button><button type="button" data-zoom="reset">whole run</button><span id="zoom-range"></span><span>drag across the lanes to zoom to a range, Ctrl/Alt + wheel zooms, Shift + wheel pans, double-click resets; hover an event for its details</span></div>`,
    `<div class="timeline-wrap">${svg.svg}</div>`,
    svg.notes.length ? `<ul class="notes">${svg.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "",
    `</section>`,
  ].join("\n");
  return { html, details: svg.details };
}
