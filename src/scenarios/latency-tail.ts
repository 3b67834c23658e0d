/**
 * latency-tail (SCENARIOS.md #11, "Tool Latency Tail: Why p99 Reshapes Agent Architecture"):
 * a seven-step agent budgeted by adding each tool's median (200 ms search, 80 ms SQL, 150 ms
 * email...) fits a 2 s SLA on paper. Each tool is usually fast but now and then slow (a GC pause,
 * a cold cache, a retransmit): a heavy Pareto tail. The chance that some hop of seven lands in its
 * tail is 1 - prod(1 - p_tail), far above 1%, so the end-to-end p99 is governed by the tails
 * while every per-tool dashboard (its p50, its p95) stays green.
 *
 * - Actors: seven `SimTool`s with heavy-tailed latency, the agent calling them in a chain for each
 *   user request, the SLA.
 * - Invariant `e2e-p99-within-sla`: the p99 of the run's end-to-end latencies stays within the
 *   SLA (judged from each request's `reply` event; `latencyQuantileWithin`).
 * - Mitigation `hedged-requests`: each hop sends a backup request once its own p95 has passed
 *   without an answer; the first answer wins and the loser is cancelled (`hedgedSend`). A hop is
 *   then slow only if both draws are (p_tail squared), at about 5% extra requests.
 * - Fault `tool-slowdown` (for files' `faults:` and `agentsim check`): calls to the target tool
 *   that start in its window take 2 s longer, a degraded dependency that hedging cannot hide (the
 *   backup is slow too).
 *
 * Why these ranges (FACTS.md "Latency", The Tail at Scale): a hedge at p95 helps only when slow calls
 * are rarer than 5% (else the hop's own p95 is slow); with one backup a hop is slow only when both
 * draws are, p_tail squared, which summed over seven hops at 3% each is already 0.6% of requests,
 * and a search with p_tail up to 3% found a run whose p99 (the 5th slowest of about 500)
 * was doubly slow: tails that common need an earlier or a second hedge (a finding, not a bug).
 * With p_tail in [0.5%, 2%] and the other ranges as declared (requests up to 1,000), 1,000 hedged
 * runs all held (worst p99 1.7 s) while 998 of 1,000 unhedged runs broke (with every hop at 0.5%, only 3.4% of
 * requests meet a tail and the p99 can slip under the SLA).
 *
 * The agent runs as kernel callbacks over `SimTool.send`, not as processes: thousands of tool calls
 * per run without a process wake-up for each. Trace: `request` (user) -> each hop's `tool.call`
 * (parent: the previous hop's answer; a backup's parent is its `hedge.sent`) -> `reply`
 * (harness, attrs latencyMs), so a slow request's causal chain lists every hop with its duration.
 */
import { hedgedSend, type HedgeResult } from "../actors/hedged-request.js";
import type { ToolResponse } from "../actors/contracts.js";
import { SimTool } from "../actors/tool.js";
import { latencyQuantileWithin, quantile, summarize, type LatencySample } from "../checks/latency.js";
import { verdict } from "../checks/verdict.js";
import { lognormalByQuantiles, mixture, pareto, type Distribution } from "../sim/distributions.js";
import { formatDuration } from "../sim/duration.js";
import type { Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import { slowedDuring } from "./fault-windows.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type FaultSpec, type Metric, type Series } from "./scenario.js";

/** One hop's knobs: its median and how often it is slow. */
function hop(median: string, lo: string, hi: string, what: string, source: string) {
  return {
    median: p.duration(median, {
      min: "1ms",
      max: "1m",
      explore: [lo, hi],
      doc: `median latency of the ${what} (a normal call; explored ±25%)`,
      source,
    }),
    slowChance: p.probability(0.02, {
      explore: [0.005, 0.02],
      doc:
        `chance a call to the ${what} is slow (a draw from slow.minimum and slow.shape); explored from 0.5% to 2%: ` +
        "above that on every hop, one hedge no longer holds the p99 (see the scenario's notes)",
      source: 'FACTS.md "Latency": The Tail at Scale\'s servers with a 1 s p99; 1-2% of calls at 1 s or more gives that',
    }),
  };
}

const POST = 'the latency-tail post ("search returns in 200ms, the SQL lookup takes 80ms, the email send is 150ms")';
const ASSUMED = "assumption: a lookup of the same class as the post's three, between its 80 ms and 200 ms";

const params = {
  requests: p.int(500, {
    min: 1,
    max: 100_000,
    explore: [500, 700],
    doc: "user requests in the run; at least 500 so that the p99 is the 5th slowest or beyond, not a single draw (explored up to 700: run time grows with it)",
    source: "assumption: enough requests for a meaningful p99, few enough for a fast run",
  }),
  arrivalGap: p.duration("100ms", {
    min: "0ms",
    doc: "mean time between user requests (exponential); tools have no queue here, so it changes no latency",
    source: "assumption: 10 requests a second",
  }),
  sla: p.duration("2s", { min: "1ms", doc: "the end-to-end SLA the p99 must stay under", source: 'the post ("its two-second SLA")' }),
  tools: {
    search: hop("200ms", "150ms", "250ms", "web search", POST),
    sql: hop("80ms", "60ms", "100ms", "SQL lookup", POST),
    crm: hop("120ms", "90ms", "150ms", "CRM lookup", ASSUMED),
    docs: hop("100ms", "75ms", "125ms", "document retrieval", ASSUMED),
    pricing: hop("90ms", "70ms", "110ms", "pricing service", ASSUMED),
    calendar: hop("110ms", "80ms", "140ms", "calendar lookup", ASSUMED),
    email: hop("150ms", "110ms", "190ms", "email send", POST),
  },
  body: {
    spread: p.number(2, {
      min: 1.01,
      max: 20,
      explore: [1.5, 2.5],
      doc: "p99/p50 of a normal (not slow) call, lognormal: how tight the fast path is",
      source: "assumption: a healthy service's fast path within about 2x of its median",
    }),
  },
  slow: {
    minimum: p.duration("1s", {
      min: "1ms",
      explore: ["800ms", "1.5s"],
      doc: "the shortest slow call (Pareto scale): a slow call takes at least this long",
      source: 'FACTS.md "Latency": The Tail at Scale, servers with a 1 s p99',
    }),
    shape: p.number(2, {
      min: 0.5,
      max: 20,
      explore: [1.5, 3],
      doc: "Pareto shape of slow calls: lower is heavier (2 makes the median slow call 1.41x the minimum, 1 in 100 slow calls 10x)",
      source: 'assumption: a heavy tail like those in FACTS.md "Latency" (a BigTable p99.9 of 1,800 ms against a 10 ms hedge point)',
    }),
  },
  hedging: {
    quantile: p.probability(0.95, {
      doc: "with hedged-requests: a hop sends its backup once this quantile of its own latency has passed (kept at p95, not explored: a later hedge misses tails of a few percent, an earlier one costs more load)",
      source: 'FACTS.md "Latency": hedging at p95 costs about 5% extra load',
    }),
  },
};

type Values = ParamValues<typeof params>;

/** A hop of the chain: its tool and the quantile after which it hedges. */
interface Hop {
  name: string;
  tool: SimTool;
  latency: Distribution;
  slowChance: number;
  hedgeAfterMs: number;
}

/** What a `tool-slowdown` fault adds to a call: the whole SLA (assumption: a dependency degraded by seconds). */
const TOOL_SLOWDOWN_MS = 2_000;

/** What the run measured, filled in as requests finish. */
interface Measured {
  samples: LatencySample[];
  hedges: number;
}

/** A hop's latency: a lognormal fast path, and with `slowChance` a Pareto slow call. */
function hopLatency(median: number, slowChance: number, v: Values): Distribution {
  const fast = lognormalByQuantiles(median, median * v.body.spread);
  if (slowChance <= 0) return fast;
  return mixture([
    { weight: 1 - slowChance, dist: fast },
    { weight: slowChance, dist: pareto(v.slow.minimum, v.slow.shape) },
  ]);
}

function buildHops(sim: Simulation, v: Values, hedging: boolean, faults: readonly FaultSpec[]): Hop[] {
  return Object.entries(v.tools).map(([name, t]) => {
    const latency = slowedDuring(sim, hopLatency(t.median, t.slowChance, v), faults, { kind: "tool-slowdown", target: name, extraMs: TOOL_SLOWDOWN_MS });
    const tool = new SimTool(sim, { name, latency, timeout: null, honoursCancellation: true, resultFor: () => "ok" });
    return { name, tool, latency, slowChance: t.slowChance, hedgeAfterMs: hedging ? latency.quantile(v.hedging.quantile) : Infinity };
  });
}

/** The hops take no arguments: one empty object shared by every call (each tool keeps its calls' args). */
const NO_ARGS: Attrs = Object.freeze({});

/** Serves one user request: the seven hops in a chain, then the reply. */
function serve(sim: Simulation, hops: readonly Hop[], n: number, hedging: boolean, measured: Measured): void {
  const start = sim.now;
  const request = sim.trace.instant({ actor: "user", layer: "user", kind: "request", attrs: { request: n } });
  const next = (i: number, parent: number): void => {
    const h = hops[i];
    if (!h) {
      const ms = sim.now - start;
      const eventId = sim.trace.instant({ actor: "agent", layer: "harness", kind: "reply", parent, attrs: { request: n, latencyMs: ms } });
      measured.samples.push({ ms, endedAt: sim.now, eventId });
      return;
    }
    const req = { args: NO_ARGS, caller: "agent", parent };
    const onAnswer = (r: ToolResponse, hedge?: HedgeResult): void => {
      if (hedge?.hedged) measured.hedges++;
      next(i + 1, r.eventId);
    };
    if (hedging) hedgedSend(sim, h.tool, req, h.hedgeAfterMs, onAnswer);
    else h.tool.send(req, onAnswer);
  };
  next(0, request);
}

/** Schedules the requests' arrivals, one timer each. */
function arrivals(sim: Simulation, v: Values, start: (n: number) => void): void {
  const rng = sim.rng("user:arrivals");
  let t = 0;
  for (let n = 1; n <= v.requests; n++) {
    t += -v.arrivalGap * Math.log(rng.nextOpen());
    sim.at(t, () => start(n));
  }
}

/** The chain's budget on paper: the sums of the tools' declared p50s and p99s. */
interface Paper {
  p50: number;
  p99: number;
}

function onPaper(hops: readonly Hop[]): Paper {
  return { p50: sum(hops.map((h) => h.latency.quantile(0.5))), p99: sum(hops.map((h) => h.latency.quantile(0.99))) };
}

function metrics(hops: readonly Hop[], m: Measured, paper: Paper): Metric[] {
  const e2e = summarize(m.samples.map((s) => s.ms));
  const primaries = m.samples.length * hops.length;
  const dashboards = hops.map((h) =>
    quantile(
      h.tool.calls.flatMap((c) => (c.respondedAt === undefined ? [] : [c.respondedAt - c.invokedAt])),
      0.95,
    ),
  );
  return [
    { name: "sum of tool p50s", value: paper.p50, unit: "ms", note: "the budget on paper" },
    { name: "sum of tool p99s", value: paper.p99, unit: "ms", note: "not the chain's p99 either: percentiles do not add" },
    { name: "end-to-end p50", value: e2e.p50, unit: "ms", note: "measured" },
    { name: "end-to-end p99", value: e2e.p99, unit: "ms", note: "measured: what the SLA is about" },
    { name: "worst per-tool p95", value: Math.max(...dashboards), unit: "ms", note: "measured per tool: every dashboard looks green" },
    { name: "requests", value: e2e.count, unit: "count" },
    { name: "hedges sent", value: m.hedges, unit: "count", note: "backup requests" },
    { name: "chance some hop is slow", value: 1 - hops.reduce((q, h) => q * (1 - h.slowChance), 1), unit: "ratio", note: "1 - prod(1 - p_tail), analytic" },
    { name: "extra requests", value: primaries ? m.hedges / primaries : 0, unit: "ratio", note: "load added by hedging" },
  ];
}

function sum(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0);
}

export const latencyTail = defineScenario({
  name: "latency-tail",
  title: "Tool Latency Tail: Why p99 Reshapes Agent Architecture",
  summary: "seven tool hops whose medians fit a 2 s SLA; their tails put the end-to-end p99 far over it",
  params,
  invariants: [{ name: "e2e-p99-within-sla", description: "the end-to-end p99 over the run's requests stays under the SLA" }],
  mitigations: [{ name: "hedged-requests", description: "each hop sends a backup request after its own p95; the first answer wins, the loser is cancelled" }],
  faults: [
    {
      name: "tool-slowdown",
      description: "calls to the target tool that start while it lasts take 2 s longer",
      targets: Object.keys(params.tools),
      defeats: ["hedged-requests"],
    },
  ],
  defaults: { seed: 11, horizon: "1h" },
  build({ sim, params: v, mitigations, faults }) {
    const hedging = mitigations.has("hedged-requests");
    const hops = buildHops(sim, v, hedging, faults);
    const measured: Measured = { samples: [], hedges: 0 };
    arrivals(sim, v, (n) => serve(sim, hops, n, hedging, measured));
    let paper: Paper | undefined;
    const budget = (): Paper => (paper ??= onPaper(hops));
    return {
      check() {
        const slo = latencyQuantileWithin(measured.samples, { invariant: "e2e-p99-within-sla", q: 0.99, boundMs: v.sla, what: "end-to-end latency" });
        return [
          verdict(
            slo.invariant,
            slo.violations.map((x) => ({ ...x, message: `${x.message}; on paper the seven tools' medians add up to ${formatDuration(budget().p50)}` })),
          ),
        ];
      },
      metrics: () => metrics(hops, measured, budget()),
      series: (): Record<string, Series> => ({ "end-to-end latency (ms)": measured.samples.map((s) => [s.endedAt, s.ms]) }),
    };
  },
});
