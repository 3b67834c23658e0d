/**
 * The text report a person reads after `agentsim run`: what ran, a timeline of the run, each
 * violated invariant with the virtual time it broke and the causal chain behind it (across
 * layers), the verdict of every invariant, the key metrics, how the run ended, the trace hash and
 * the command that replays this exact run. A pure function of the result: it changes nothing.
 */
import { Chalk, type ChalkInstance } from "chalk";
import type { Violation } from "../checks/verdict.js";
import type { RunResult } from "../run/run-scenario.js";
import { formatDuration, formatTimestamp } from "../sim/duration.js";
import type { Trace, TraceEvent } from "../sim/trace.js";
import { errorText } from "./error-text.js";
import { describeEvent } from "./event-line.js";
import { formatMetricValue, formatNumber, groupMetrics } from "./format-metric.js";
import { replayCommand, type RunContext } from "./run-context.js";
import { DEFAULT_TIMELINE, selectTimeline, type TimelineOptions } from "./timeline.js";

/** How to render text. */
export interface TextOptions {
  /** ANSI colours (only for a terminal, and never with NO_COLOR). */
  color: boolean;
  /** How much of a long trace the timeline shows. */
  timeline?: TimelineOptions;
  /** Only the verdict, one line per violation, the trace hash and the replay command. */
  quiet?: boolean;
  /** Violations shown with their causal chain, per invariant (default 3). */
  violationsShown?: number;
}

const ACTOR_WIDTH = 22;

/** Renders a run as text (ending in a newline). */
export function renderText(result: RunResult, ctx: RunContext, options: TextOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const shown = shownViolations(result.violations, options.violationsShown ?? 3);
  const lines: string[] = [];
  if (options.quiet) {
    lines.push(verdictLine(result, c));
    for (const v of shown) lines.push(`  ${c.red("✗")} ${v.invariant} at ${formatTimestamp(v.at)}: ${v.message}`);
  } else {
    const chains = shown.map((v) => chainOf(result.trace, v));
    const focus = new Set(chains.flatMap((chain) => chain.map((e) => e.id)));
    lines.push(...header(result, ctx, c), "");
    lines.push(...timeline(result, focus, options.timeline ?? DEFAULT_TIMELINE, c), "");
    if (shown.length) lines.push(...violations(result, shown, chains, c), "");
    lines.push(...invariants(result, c), "");
    if (result.metrics.length) lines.push(...metrics(result, c), "");
    lines.push(...outcome(result, c));
    lines.push(verdictLine(result, c));
  }
  lines.push(`${c.bold("Trace hash")}  ${result.traceHash}`);
  lines.push(`${c.bold("Replay")}      ${replayCommand(result, ctx)}`);
  return lines.join("\n") + "\n";
}

/** The first `n` violations of each invariant, in time order. */
function shownViolations(all: readonly Violation[], n: number): Violation[] {
  const count = new Map<string, number>();
  return all.filter((v) => {
    const k = (count.get(v.invariant) ?? 0) + 1;
    count.set(v.invariant, k);
    return k <= n;
  });
}

/** The causal chain behind a violation: the causes of the event where it broke. */
function chainOf(trace: Trace, v: Violation): TraceEvent[] {
  const last = v.evidence.at(-1);
  return last === undefined ? [] : trace.causalChain(last);
}

function header(result: RunResult, ctx: RunContext, c: ChalkInstance): string[] {
  const title = ctx.title ? ` — ${ctx.title}` : "";
  const facts = [
    `file ${ctx.file}`,
    `seed ${result.seed}`,
    ...(ctx.horizonMs !== undefined ? [`horizon ${formatDuration(ctx.horizonMs)}`] : []),
    `mitigations: ${result.mitigations.length ? result.mitigations.join(", ") : "none"}`,
  ];
  const out = [`${c.bold(`agentsim · ${result.scenario}`)}${title}`, c.dim(`  ${facts.join(" · ")}`)];
  if (ctx.description) out.push(c.dim(`  ${ctx.description}`));
  if (ctx.overrides.length) out.push(c.dim(`  overrides: ${ctx.overrides.join(" ")}`));
  return out;
}

function timeline(result: RunResult, focus: ReadonlySet<number>, options: TimelineOptions, c: ChalkInstance): string[] {
  const events = result.trace.events;
  const rows = selectTimeline(events, focus, options);
  const shown = rows.filter((r) => "event" in r).length;
  const count = shown === events.length ? `${formatNumber(events.length)} events` : `${formatNumber(events.length)} events, ${formatNumber(shown)} shown`;
  const out = [`${c.bold("Timeline")} ${c.dim(`(${count}${focus.size ? "; ● marks the causal chains of the violations below" : ""})`)}`];
  if (!events.length) out.push(c.dim("  (no events were traced)"));
  const widths = columnWidths(rows.flatMap((r) => ("event" in r ? [r.event] : [])));
  for (const row of rows) {
    if ("elided" in row) out.push(c.dim(`  ⋯ ${formatNumber(row.elided)} events not shown (--format jsonl prints them all) ⋯`));
    else out.push(`${focus.has(row.event.id) ? c.red("●") : " "} ${eventLine(row.event, result.trace, widths, c)}`);
  }
  return out;
}

interface Widths {
  id: number;
  actor: number;
}

function columnWidths(events: readonly TraceEvent[]): Widths {
  let id = 2;
  let actor = 5;
  for (const e of events) {
    id = Math.max(id, String(e.id).length + 1);
    actor = Math.max(actor, Math.min(ACTOR_WIDTH, e.actor.length));
  }
  return { id, actor };
}

function eventLine(e: TraceEvent, trace: Trace, w: Widths, c: ChalkInstance): string {
  const actor = e.actor.length > w.actor ? `${e.actor.slice(0, w.actor - 1)}…` : e.actor.padEnd(w.actor);
  return `${c.dim(formatTimestamp(e.t))}  ${c.dim(`#${e.id}`.padEnd(w.id))}  ${c.cyan(actor)}  ${c.magenta(e.layer.padEnd(7))}  ${describeEvent(e, trace)}`;
}

function violations(result: RunResult, shown: readonly Violation[], chains: readonly TraceEvent[][], c: ChalkInstance): string[] {
  const out = [`${c.bold("Violations")} ${c.dim(`(${formatNumber(result.violations.length)} in all)`)}`];
  for (const [i, v] of shown.entries()) {
    const chain = chains[i] ?? [];
    out.push(`  ${c.red("✗")} ${c.bold(v.invariant)} broke at ${c.bold(formatTimestamp(v.at))}`);
    out.push(`    ${v.message}`);
    if (chain.length) {
      out.push(c.dim(`    causal chain (${layersCrossed(chain)}):`));
      const widths = columnWidths(chain);
      for (const e of chain) out.push(`      ${eventLine(e, result.trace, widths, c)}`);
    }
    if (v.evidence.length) out.push(c.dim(`    evidence: ${v.evidence.map((id) => `#${id}`).join(", ")}`));
  }
  for (const [invariant, n] of hiddenCounts(result.violations, shown)) {
    out.push(c.dim(`  … ${formatNumber(n)} more violation${n === 1 ? "" : "s"} of ${invariant} (--format json lists them all)`));
  }
  return out;
}

/** The layers a chain passes through, in order: `user → harness → tool → store`. */
function layersCrossed(chain: readonly TraceEvent[]): string {
  const layers: string[] = [];
  for (const e of chain) if (layers.at(-1) !== e.layer) layers.push(e.layer);
  return layers.join(" → ");
}

function hiddenCounts(all: readonly Violation[], shown: readonly Violation[]): Map<string, number> {
  const hidden = new Map<string, number>();
  for (const v of all) hidden.set(v.invariant, (hidden.get(v.invariant) ?? 0) + 1);
  for (const v of shown) hidden.set(v.invariant, (hidden.get(v.invariant) ?? 0) - 1);
  for (const [k, n] of hidden) if (n <= 0) hidden.delete(k);
  return hidden;
}

function invariants(result: RunResult, c: ChalkInstance): string[] {
  const width = Math.max(0, ...result.verdicts.map((v) => v.invariant.length));
  const out = [c.bold("Invariants")];
  if (!result.verdicts.length) out.push(c.dim("  (none judged)"));
  for (const v of result.verdicts) {
    const first = v.violations[0];
    const n = v.violations.length;
    out.push(
      v.held || !first
        ? `  ${c.green("✓")} ${v.invariant.padEnd(width)}  held`
        : `  ${c.red("✗")} ${v.invariant.padEnd(width)}  violated ${formatNumber(n)} time${n === 1 ? "" : "s"}, first at ${formatTimestamp(first.at)}`,
    );
  }
  return out;
}

function metrics(result: RunResult, c: ChalkInstance): string[] {
  const width = Math.max(0, ...result.metrics.map((m) => m.name.length));
  const out = [c.bold("Metrics")];
  for (const g of groupMetrics(result.metrics)) {
    out.push(`  ${c.dim(g.group)}`);
    for (const m of g.metrics) out.push(`    ${m.name.padEnd(width)}  ${formatMetricValue(m)}${m.note ? c.dim(`  ${m.note}`) : ""}`);
  }
  return out;
}

function outcome(result: RunResult, c: ChalkInstance): string[] {
  const o = result.outcome;
  const out = [`${c.bold("Run")}         ${o.status} at ${formatTimestamp(o.now)} after ${formatNumber(o.events)} events`];
  if (o.crash) out.push(c.red(`            process "${o.crash.process}" threw: ${errorText(o.crash.error)}`));
  for (const w of o.waiting.slice(0, 5))
    out.push(c.dim(`            ${w.process} still waiting on ${w.waitingOn.join(", ")} since ${formatTimestamp(w.since)}`));
  if (o.waiting.length > 5) out.push(c.dim(`            … and ${o.waiting.length - 5} more processes still waiting`));
  return out;
}

/** One line: HELD / VIOLATED / CRASHED with counts. */
function verdictLine(result: RunResult, c: ChalkInstance): string {
  const judged = result.verdicts.length;
  const broke = result.verdicts.filter((v) => !v.held).length;
  const label = c.bold("Verdict") + "     ";
  if (result.verdict === "crashed") return `${label}${c.red.bold("CRASHED")}: the scenario itself failed; invariants were not judged to the end`;
  if (result.verdict === "violated")
    return `${label}${c.red.bold("VIOLATED")}: ${broke} of ${judged} invariant${judged === 1 ? "" : "s"} broke (${formatNumber(result.violations.length)} violation${result.violations.length === 1 ? "" : "s"})`;
  return `${label}${c.green.bold("HELD")}: all ${judged} invariant${judged === 1 ? "" : "s"} held`;
}
