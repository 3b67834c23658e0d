/** The metrics of a run as a table, grouped by unit (latency, cost, counts...) as the text report groups them. */
import type { Metric } from "../../scenarios/scenario.js";
import { formatMetricValue, groupMetrics } from "../format-metric.js";
import { esc } from "./html.js";

/** The metrics card, or nothing when the scenario reports none. */
export function metricsSection(metrics: readonly Metric[]): string {
  if (!metrics.length) return "";
  const rows = groupMetrics(metrics).flatMap((g) => [
    `<tr><th colspan="3">${esc(g.group)}</th></tr>`,
    ...g.metrics.map(
      (m) =>
        `<tr data-metric="${esc(m.name)}"><td>${esc(m.name)}</td><td class="num">${esc(formatMetricValue(m))}</td><td class="muted">${esc(m.note ?? "")}</td></tr>`,
    ),
  ]);
  return `<section class="card" id="metrics"><h2>Metrics</h2><table class="metrics compact"><tbody>${rows.join("")}</tbody></table></section>`;
}
