/**
 * The text report a person reads after `agentsim run`. It opens with what matters: each violated
 * invariant with the virtual time it broke and the causal chain behind it, across layers, ending
 * at the evidence (every evidence event is shown, marked ◆). A run that held opens with its
 * timeline instead. Then the verdict of every invariant, the key metrics, how the run ended, what
 * to try next (the mitigations that address the violated invariants, the HTML report), the trace
 * hash and the command that replays this exact run.
 *
 * Lines fit `width` columns: event lines leave out whole attributes (never cut a token), prose
 * wraps at spaces and commands continue with ` \`. Durations and money are in human units; the
 * full values are in `--format json`. "Events" means one thing: events of the trace.
 * A pure function of the result: it changes nothing.
 */
import { Chalk, type ChalkInstance } from "chalk";
import type { Violation } from "../checks/verdict.js";
import type { RunResult } from "../run/run-scenario.js";
import { formatDuration, formatTimestamp } from "../sim/duration.js";
import type { Trace, TraceEvent } from "../sim/trace.js";
import { errorText } from "./error-text.js";
import { describeEvent } from "./event-line.js";
import { formatMetricValue, formatNumber, groupMetrics } from "./format-metric.js";
import { command, fitWords, wrap } from "./fit-text.js";
import { replayCommand, reportCommand, type RunContext } from "./run-context.js";
import { DEFAULT_TIMELINE, selectTimeline, type TimelineOptions } from "./timeline.js";

/** How to render text. */
export interface TextOptions {
  /** ANSI colours (only for a terminal, and never with NO_COLOR). */
  color: boolean;
  /** The terminal's width in columns (default 100); every line fits in it. */
  width?: number;
  /** How much of a long trace the timeline of a run that held shows. */
  timeline?: TimelineOptions;
  /** Only the verdict, one line per violation, the trace hash and the replay command. */
  quiet?: boolean;
  /** Violations listed per invariant (default 3); the first of each is shown with its causal chain. */
  violationsShown?: number;
  /** The result of `--check-determinism`, when the run was checked. */
  determinism?: DeterminismNote;
}

/** What `--check-determinism` found: the second run's trace hash. */
export interface DeterminismNote {
  secondHash: string;
}

/** The default width when the terminal's is unknown. */
export const DEFAULT_WIDTH = 100;
/** The narrowest layout: the trace-hash line alone is 76 columns; narrower terminals get lines of this width. */
const MIN_WIDTH = 80;
/** Causal-chain lines shown per violation before the earliest causes are counted instead. */
const MAX_CHAIN = 16;

/** Renders a run as text (ending in a newline). */
export function renderText(result: RunResult, ctx: RunContext, options: TextOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const listed = listedViolations(result.violations, options.violationsShown ?? 3);
  const lines: string[] = [];
  if (options.quiet) {
    lines.push(verdictLine(result, c));
    for (const v of listed) lines.push(...wrap(`${c.red("✗")} ${v.invariant} at ${formatTimestamp(v.at)}: ${v.message}`, width, "  ", "    "));
    if (options.determinism) lines.push(...wrap(determinismLine(result, options.determinism, c), width, "", "            "));
  } else {
    lines.push(...header(result, ctx, width, c), "");
    if (listed.length) lines.push(...violations(result, listed, width, c), "");
    else lines.push(...timeline(result, options.timeline ?? DEFAULT_TIMELINE, width, c), "");
    lines.push(...invariants(result, c), "");
    if (result.metrics.length) lines.push(...metrics(result, width, c), "");
    lines.push(...outcome(result, width, c));
    if (options.determinism) lines.push(...wrap(determinismLine(result, options.determinism, c), width, "", "            "));
    lines.push(verdictLine(result, c), "");
    lines.push(...next(result, ctx, width, c));
  }
  lines.push(`${c.bold("Trace hash")}  ${result.traceHash}`);
  lines.push(...command(`${c.bold("Replay")}      `, replayCommand(result, ctx), width, "              "));
  return lines.join("\n") + "\n";
}

/** The first `n` violations of each invariant, in time order. */
function listedViolations(all: readonly Violation[], n: number): Violation[] {
  const count = new Map<string, number>();
  return all.filter((v) => {
    const k = (count.get(v.invariant) ?? 0) + 1;
    count.set(v.invariant, k);
    return k <= n;
  });
}

/**
 * What led to a violation: the causes of every evidence event, merged in trace order, so the chain
 * ends at the evidence. A span whose end follows its begin directly shows as its end alone
 * (`llm.call ◀ after 2.4s`), unless the begin is evidence.
 */
export function violationChain(trace: Trace, v: Violation): TraceEvent[] {
  const ids = new Set<number>();
  for (const id of v.evidence) for (const e of trace.causalChain(id)) ids.add(e.id);
  const evidence = new Set(v.evidence);
  const chain = [...ids].sort((a, b) => a - b).flatMap((id) => trace.get(id) ?? []);
  return chain.filter((e, i) => !(e.phase === "begin" && !evidence.has(e.id) && chain[i + 1]?.span === e.id));
}

function header(result: RunResult, ctx: RunContext, width: number, c: ChalkInstance): string[] {
  const title = ctx.title ? ` — ${ctx.title}` : "";
  const facts = [
    `file ${ctx.file}`,
    `seed ${result.seed}`,
    ...(ctx.horizonMs !== undefined ? [`horizon ${formatDuration(ctx.horizonMs)}`] : []),
    `mitigations: ${result.mitigations.length ? result.mitigations.join(", ") : "none"}`,
  ];
  const out = wrap(c.bold(`agentsim · ${result.scenario}${title}`), width, "", "  ");
  out.push(...wrap(c.dim(facts.join(" · ")), width, "  ", "  "));
  if (ctx.description) out.push(...wrap(c.dim(ctx.description), width, "  ", "  "));
  if (ctx.overrides.length) out.push(...wrap(c.dim(`overrides: ${ctx.overrides.join(" ")}`), width, "  ", "    "));
  return out;
}

function timeline(result: RunResult, options: TimelineOptions, width: number, c: ChalkInstance): string[] {
  const events = result.trace.events;
  const rows = selectTimeline(events, new Set(), options);
  const shown = rows.filter((r) => "event" in r).length;
  const count = shown === events.length ? `${formatNumber(events.length)} events` : `${formatNumber(events.length)} events, ${formatNumber(shown)} shown`;
  const out = [`${c.bold("Timeline")} ${c.dim(`(${count})`)}`];
  if (!events.length) out.push(c.dim("  (no events were traced)"));
  const layout = columns(
    rows.flatMap((r) => ("event" in r ? [r.event] : [])),
    width,
    2,
  );
  for (const row of rows) {
    if ("elided" in row) out.push(c.dim(`  ⋯ ${formatNumber(row.elided)} events not shown (--format jsonl prints them all) ⋯`));
    else out.push(`  ${eventLine(row.event, result.trace, layout, c)}`);
  }
  return out;
}

interface Layout {
  /** Whether the layer column is shown (on lines of 120 columns or more). */
  layer: boolean;
  id: number;
  actor: number;
  /** Characters left for the description. */
  what: number;
}

/** Column widths for these events on lines of `width` with `indent` characters before them. */
function columns(events: readonly TraceEvent[], width: number, indent: number): Layout {
  let id = 2;
  let actor = 5;
  const maxActor = width < 100 ? 12 : 22;
  for (const e of events) {
    id = Math.max(id, String(e.id).length + 1);
    actor = Math.max(actor, Math.min(maxActor, e.actor.length));
  }
  const time = Math.max(13, ...events.map((e) => formatTimestamp(e.t).length));
  const layer = width >= 120;
  const fixed = indent + time + 2 + id + 2 + actor + 2 + (layer ? 7 + 2 : 0);
  return { layer, id, actor, what: Math.max(16, width - fixed) };
}

function eventLine(e: TraceEvent, trace: Trace, w: Layout, c: ChalkInstance): string {
  const actor = e.actor.length > w.actor ? `${e.actor.slice(0, w.actor - 1)}…` : e.actor.padEnd(w.actor);
  return `${c.dim(formatTimestamp(e.t))}  ${c.dim(`#${e.id}`.padEnd(w.id))}  ${c.cyan(actor)}  ${w.layer ? `${c.magenta(e.layer.padEnd(7))}  ` : ""}${describeEvent(e, trace, w.what)}`;
}

function violations(result: RunResult, listed: readonly Violation[], width: number, c: ChalkInstance): string[] {
  const out = [`${c.bold("Violations")} ${c.dim(`(${formatNumber(result.violations.length)} in all; ◆ marks the evidence)`)}`];
  const firstOf = new Set<string>();
  for (const v of listed) {
    if (firstOf.has(v.invariant)) {
      out.push(
        ...wrap(
          `${c.red("✗")} ${v.invariant} at ${formatTimestamp(v.at)}: ${v.message} ${c.dim(`(evidence ${v.evidence.map((id) => `#${id}`).join(", ")})`)}`,
          width,
          "  ",
          "    ",
        ),
      );
      continue;
    }
    firstOf.add(v.invariant);
    out.push(`  ${c.red("✗")} ${c.bold(v.invariant)} broke at ${c.bold(formatTimestamp(v.at))}`);
    out.push(...wrap(v.message, width, "    ", "    "));
    const chain = violationChain(result.trace, v);
    if (!chain.length) continue;
    const evidence = new Set(v.evidence);
    out.push(c.dim(`    what led to it (${layersCrossed(chain)}):`));
    const shown = trimChain(chain, evidence);
    const layout = columns(
      shown.filter((e) => e !== undefined),
      width,
      6,
    );
    for (const e of shown) {
      if (e === undefined)
        out.push(c.dim(`      ⋯ ${formatNumber(chain.length - shown.length + 1)} earlier causes not shown (--format json has the evidence ids) ⋯`));
      else out.push(`    ${evidence.has(e.id) ? c.red("◆") : " "} ${eventLine(e, result.trace, layout, c)}`);
    }
  }
  for (const [invariant, n] of hiddenCounts(result.violations, listed)) {
    out.push(...wrap(c.dim(`… ${formatNumber(n)} more violation${n === 1 ? "" : "s"} of ${invariant} (--format json lists them all)`), width, "  ", "    "));
  }
  if (result.trace.events.length)
    out.push(
      ...wrap(
        c.dim(`The whole timeline: ${formatNumber(result.trace.events.length)} events; --format jsonl prints them all, the report draws them.`),
        width,
        "  ",
        "  ",
      ),
    );
  return out;
}

/**
 * A chain of at most `MAX_CHAIN` lines: its root, then (after a gap, marked `undefined`) every
 * evidence event and as many of the latest causes as fit. The evidence is never left out.
 */
function trimChain(chain: readonly TraceEvent[], evidence: ReadonlySet<number>): (TraceEvent | undefined)[] {
  if (chain.length <= MAX_CHAIN) return [...chain];
  const keep = new Set<number>([0]);
  chain.forEach((e, i) => evidence.has(e.id) && keep.add(i));
  for (let i = chain.length - 1; i > 0 && keep.size < MAX_CHAIN - 1; i--) keep.add(i);
  const out: (TraceEvent | undefined)[] = [];
  let gap = false;
  chain.forEach((e, i) => {
    if (keep.has(i)) {
      if (gap) out.push(undefined);
      gap = false;
      out.push(e);
    } else gap = true;
  });
  return out;
}

/** The layers a chain passes through, in order: `user → harness → tool → store`. */
function layersCrossed(chain: readonly TraceEvent[]): string {
  const layers: string[] = [];
  for (const e of chain) if (layers.at(-1) !== e.layer) layers.push(e.layer);
  return layers.length > 6 ? [...new Set(layers)].join(", ") : layers.join(" → ");
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

function metrics(result: RunResult, width: number, c: ChalkInstance): string[] {
  const nameWidth = Math.max(0, ...result.metrics.map((m) => m.name.length));
  const out = [c.bold("Metrics")];
  for (const g of groupMetrics(result.metrics)) {
    out.push(`  ${c.dim(g.group)}`);
    for (const m of g.metrics) {
      const head = `    ${m.name.padEnd(nameWidth)}  ${formatMetricValue(m)}`;
      const note = m.note ? fitWords(m.note, width - head.length - 2) : "";
      if (head.length > width) out.push(...wrap(head.trimStart(), width, "    ", " ".repeat(nameWidth + 6)));
      else out.push(`${head}${note ? c.dim(`  ${note}`) : ""}`);
    }
  }
  return out;
}

function outcome(result: RunResult, width: number, c: ChalkInstance): string[] {
  const o = result.outcome;
  const events = result.trace.events.length;
  const out = [
    `${c.bold("Run")}         ${o.status} at ${formatTimestamp(o.now)} of virtual time, ${formatNumber(events)} event${events === 1 ? "" : "s"} traced`,
  ];
  if (o.crash) out.push(...wrap(c.red(`process "${o.crash.process}" threw: ${errorText(o.crash.error)}`), width, "            ", "              "));
  for (const w of o.waiting.slice(0, 5))
    out.push(
      ...wrap(c.dim(`${w.process} still waiting on ${w.waitingOn.join(", ")} since ${formatTimestamp(w.since)}`), width, "            ", "              "),
    );
  if (o.waiting.length > 5) out.push(c.dim(`            … and ${o.waiting.length - 5} more processes still waiting`));
  return out;
}

function determinismLine(result: RunResult, d: DeterminismNote, c: ChalkInstance): string {
  return d.secondHash === result.traceHash
    ? `${c.bold("Determinism")} ${c.green("deterministic")}: a second run of seed ${result.seed} gave the same trace hash`
    : `${c.bold("Determinism")} ${c.red.bold("NONDETERMINISTIC")}: a second run of seed ${result.seed} gave trace hash ${d.secondHash} (where they part: on stderr)`;
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

/**
 * What to try next: for the violated invariants, the scenario's mitigations that address them
 * and are not on yet, with the command that runs this seed with them; for a run that held, a sweep
 * of many seeds; the HTML report of this run.
 */
function next(result: RunResult, ctx: RunContext, width: number, c: ChalkInstance): string[] {
  const out = [c.bold("Next")];
  const broken = result.verdicts.filter((v) => !v.held).map((v) => v.invariant);
  const on = new Set(result.mitigations);
  const offered = (ctx.mitigations ?? []).filter((m) => !on.has(m.name) && broken.some((inv) => addresses(m, inv)));
  if (offered.length) {
    for (const m of offered) {
      const which = broken.filter((inv) => addresses(m, inv));
      out.push(...wrap(`try ${c.bold(m.name)} (addresses ${which.join(", ")}): ${m.description}`, width, "  ", "    "));
    }
    const names = offered.map((m) => m.name);
    out.push(...command("    $ ", replayCommand(result, { ...ctx, mitigate: [...ctx.mitigate, ...names] }), width, "        "));
  } else if (broken.length) {
    out.push(...wrap(`no mitigation the scenario declares is left to switch on for ${broken.join(", ")}`, width, "  ", "    "));
  }
  if (result.verdict === "held") {
    out.push("  see whether it holds beyond this seed:");
    out.push(
      ...command(
        "    $ ",
        replayCommand(result, ctx)
          .replace(/^npx agentsim run /, "npx agentsim sweep ")
          .replace(/ --seed \d+/, " --seeds 1..1000"),
        width,
        "        ",
      ),
    );
  }
  out.push("  see this run as an HTML report (swimlanes, causal chains, charts):");
  out.push(...command("    $ ", reportCommand(result, ctx), width, "        "));
  return out;
}

function addresses(m: NonNullable<RunContext["mitigations"]>[number], invariant: string): boolean {
  return m.addresses === undefined || m.addresses.includes(invariant);
}
