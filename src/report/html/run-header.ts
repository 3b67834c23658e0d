/**
 * The top and the bottom of a run's report: what ran (scenario, file, seed, horizon,
 * mitigations, overrides), the verdict in one line, the command that replays the run; and at the
 * end how the run stopped, which processes were still waiting, and the trace hash.
 */
import type { RunResult } from "../../run/run-scenario.js";
import { formatDuration, formatTimestamp } from "../../sim/duration.js";
import { errorText } from "../error-text.js";
import { formatNumber } from "../format-metric.js";
import { replayCommand, type RunContext } from "../run-context.js";
import { esc } from "./html.js";

/** The header card. */
export function runHeader(result: RunResult, ctx: RunContext): string {
  const facts = [
    `scenario <b>${esc(result.scenario)}</b>`,
    `file <b>${esc(ctx.file)}</b>`,
    `seed <b>${result.seed}</b>`,
    ...(ctx.horizonMs !== undefined ? [`horizon <b>${esc(formatDuration(ctx.horizonMs))}</b>`] : []),
    `mitigations <b>${esc(result.mitigations.length ? result.mitigations.join(", ") : "none")}</b>`,
  ];
  return [
    `<section class="card" id="header">`,
    `<h1>${esc(ctx.title ?? result.scenario)}<span class="verdict ${result.verdict}">${result.verdict.toUpperCase()}</span></h1>`,
    `<p class="facts">${facts.join(" · ")}</p>`,
    ctx.description ? `<p class="description">${esc(ctx.description)}</p>` : "",
    ctx.overrides.length ? `<p class="facts">overrides: <code>${esc(ctx.overrides.join(" "))}</code></p>` : "",
    `<p class="summary">${esc(summary(result))}</p>`,
    `<pre class="replay"><span>$ </span>${esc(replayCommand(result, ctx))}</pre>`,
    `</section>`,
  ].join("\n");
}

/** The verdict in words. */
export function summary(result: RunResult): string {
  const judged = result.verdicts.length;
  const broke = result.verdicts.filter((v) => !v.held).length;
  const first = result.violations[0];
  if (result.verdict === "crashed") return "The scenario itself crashed; its invariants were not judged to the end.";
  if (result.verdict === "violated" && first) {
    return `${broke} of ${judged} invariant${judged === 1 ? "" : "s"} broke (${formatNumber(result.violations.length)} violation${result.violations.length === 1 ? "" : "s"}); the first, ${first.invariant}, at ${formatTimestamp(first.at)}.`;
  }
  if (judged === 0) return "No invariant was judged.";
  return judged === 1 ? `The invariant held.` : `All ${judged} invariants held.`;
}

/** The run details card: how it stopped, who was still waiting, the trace hash. */
export function runDetails(result: RunResult): string {
  const o = result.outcome;
  const rows: [string, string][] = [
    ["stopped", `${esc(o.status)} at <span class="mono">${formatTimestamp(o.now)}</span> after ${formatNumber(o.events)} kernel events`],
    ["trace", `${formatNumber(result.trace.events.length)} trace events`],
    ["trace hash", `<code>${result.traceHash}</code>`],
  ];
  if (o.crash) rows.push(["crash", `process <code>${esc(o.crash.process)}</code> threw ${esc(errorText(o.crash.error))}`]);
  for (const w of o.waiting.slice(0, 8))
    rows.push([
      "still waiting",
      `<code>${esc(w.process)}</code> on ${esc(w.waitingOn.join(", "))} since <span class="mono">${formatTimestamp(w.since)}</span>`,
    ]);
  if (o.waiting.length > 8) rows.push(["", `… and ${formatNumber(o.waiting.length - 8)} more processes still waiting`]);
  return `<section class="card" id="run"><h2>Run</h2><dl class="run">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl></section>`;
}
