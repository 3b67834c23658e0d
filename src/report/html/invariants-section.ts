/**
 * The invariants of a run as HTML: a table of every judged invariant (held or violated, how
 * often, when it first broke, why), then each shown violation with its message and the causal
 * chain of the event where it broke, across layers, with a link that zooms the timeline to it.
 */
import type { Violation } from "../../checks/verdict.js";
import type { RunResult } from "../../run/run-scenario.js";
import type { Named } from "../../scenarios/scenario.js";
import { formatTimestamp } from "../../sim/duration.js";
import type { Trace, TraceEvent } from "../../sim/trace.js";
import { describeEvent } from "../event-line.js";
import { formatNumber } from "../format-metric.js";
import { esc } from "./html.js";
import { layerChip } from "./layer-style.js";

/** A violation shown in full, with the causal chain of the event where it broke. */
export interface ShownViolation {
  violation: Violation;
  chain: TraceEvent[];
}

/** The first `perInvariant` violations of each invariant, in time order, with their chains. */
export function shownViolations(result: RunResult, perInvariant = 3): ShownViolation[] {
  const count = new Map<string, number>();
  return result.violations
    .filter((v) => {
      const k = (count.get(v.invariant) ?? 0) + 1;
      count.set(v.invariant, k);
      return k <= perInvariant;
    })
    .map((violation) => ({ violation, chain: chainOf(result.trace, violation) }));
}

function chainOf(trace: Trace, v: Violation): TraceEvent[] {
  const last = v.evidence.at(-1);
  return last === undefined ? [] : trace.causalChain(last);
}

/** The invariants table and the violations with their causal chains. */
export function invariantsSection(result: RunResult, shown: readonly ShownViolation[], declared: readonly Named[]): string {
  const out = [`<section class="card" id="invariants"><h2>Invariants</h2>`, invariantsTable(result, declared)];
  if (shown.length) {
    out.push(`<h2 style="margin-top:22px">Violations and their causal chains</h2>`);
    out.push(...shown.map((s) => violationBlock(s, result.trace)));
    for (const [invariant, n] of hiddenCounts(result.violations, shown)) {
      out.push(
        `<p class="muted">… ${formatNumber(n)} more violation${n === 1 ? "" : "s"} of ${esc(invariant)} (<code>--format json</code> lists them all).</p>`,
      );
    }
  }
  out.push(`</section>`);
  return out.join("\n");
}

function invariantsTable(result: RunResult, declared: readonly Named[]): string {
  if (!result.verdicts.length) return `<p class="muted">No invariant was judged.</p>`;
  const rows = result.verdicts.map((v) => {
    const about = declared.find((d) => d.name === v.invariant)?.description;
    const name = `<code>${esc(v.invariant)}</code>${about ? `<div class="muted">${esc(about)}</div>` : ""}`;
    const first = v.violations[0];
    if (v.held || !first)
      return `<tr class="held" data-invariant="${esc(v.invariant)}"><td><span class="held-mark">✓ held</span></td><td>${name}</td><td class="num">0</td><td class="num muted">—</td><td class="muted">never broke in this run</td></tr>`;
    return `<tr class="violated" data-invariant="${esc(v.invariant)}"><td><span class="violated-mark">✗ violated</span></td><td>${name}</td><td class="num">${formatNumber(v.violations.length)}</td><td class="num mono">${formatTimestamp(first.at)}</td><td>${esc(first.message)}</td></tr>`;
  });
  return `<table class="invariants"><thead><tr><th>verdict</th><th>invariant</th><th class="num">violations</th><th class="num">first broke at</th><th>why</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function violationBlock(s: ShownViolation, trace: Trace): string {
  const v = s.violation;
  const times = [v.at, ...s.chain.map((e) => e.t)];
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max((hi - lo) * 0.15, 50);
  const items = s.chain.map(
    (e) =>
      `<li><span class="mono">${formatTimestamp(e.t)}</span><span class="mono muted">#${e.id}</span><span>${esc(e.actor)}</span><span>${layerChip(e.layer)}</span><span class="what">${esc(describeEvent(e, trace))}</span></li>`,
  );
  return [
    `<div class="violation" data-invariant="${esc(v.invariant)}">`,
    `<h3>✗ ${esc(v.invariant)} broke at <span class="mono">${formatTimestamp(v.at)}</span> <button type="button" data-zoom-a="${Math.max(0, lo - pad)}" data-zoom-b="${hi + pad}">show on timeline</button></h3>`,
    `<p>${esc(v.message)}</p>`,
    s.chain.length ? `<div class="muted">causal chain (${esc(layersCrossed(s.chain))}):</div><ol class="chain">${items.join("")}</ol>` : "",
    v.evidence.length ? `<div class="muted" style="margin-top:6px">evidence: ${v.evidence.map((id) => `#${id}`).join(", ")}</div>` : "",
    `</div>`,
  ].join("");
}

/** The layers a chain passes through, in order: `user → harness → tool → store`. */
function layersCrossed(chain: readonly TraceEvent[]): string {
  const layers: string[] = [];
  for (const e of chain) if (layers.at(-1) !== e.layer) layers.push(e.layer);
  return layers.join(" → ");
}

function hiddenCounts(all: readonly Violation[], shown: readonly ShownViolation[]): Map<string, number> {
  const hidden = new Map<string, number>();
  for (const v of all) hidden.set(v.invariant, (hidden.get(v.invariant) ?? 0) + 1);
  for (const s of shown) hidden.set(s.violation.invariant, (hidden.get(s.violation.invariant) ?? 0) - 1);
  for (const [k, n] of hidden) if (n <= 0) hidden.delete(k);
  return hidden;
}
