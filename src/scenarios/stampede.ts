/**
 * stampede (SCENARIOS.md #4): "The Cache Stampede That Hit Your Model Provider Instead of Your
 * Database". A fleet of workers shares one long system prompt that the provider caches by prefix.
 * A busy prefix never expires (every hit refreshes its lifetime), so it lapses only after a quiet
 * spell of at least the lifetime (FACTS.md "Provider prompt cache"). Here: an hour of interactive
 * sessions keeps it warm and sets the trailing spend rate; the sessions end; later a scheduled
 * batch fans one item out to every worker within 200 ms. If the quiet spell outlasted the
 * lifetime, every worker that arrives before the first re-write becomes visible (at that
 * response's first token) misses and pays for a write of its own.
 *
 * Nothing here says "miss": the provider's cache decides hit or miss at each arrival, the seeded
 * draws decide when sessions arrive, when the quiet spell ends and how the batch spreads.
 *
 * - Actors: the LLM provider with its prompt cache and billing meter (`llm-provider.ts`), the
 *   workers (sessions and batch items), and for the mitigations the fleet's record of the prefix
 *   (`prefix-warmth.ts`), a single-flight port in front of the provider (`single-flight-model.ts`) and an XFetch refresher
 *   (`keep-warm.ts`).
 * - Workers: a worker is a unit of concurrency: it sends one request at a time, so one worker
 *   never races itself to the cache.
 * - Invariants: `cache-writes-per-expiry` (judged from the cache's log: writes per generation that
 *   an expiry opened, at most `limits.writesPerExpiry`; the writes that create the prefix at the
 *   run's cold start are no expiry's and are reported, not judged); `spend-spike` (judged from the
 *   billing meter's charges: no window of `limits.spendWindow` above `limits.spendMultiple` times
 *   the trailing rate, the trailing period counted in active time so a quiet spell cannot zero it).
 * - Mitigations: `single-flight` (when the fleet's record says the prefix may be cold, one worker
 *   sends and the others wait for its response to begin, then read); `jittered-refresh` (XFetch:
 *   the fleet refreshes the prefix at a randomized moment before its recorded expiry, so it
 *   survives quiet spells and the batch reads).
 */
import { cacheWritesPerExpiry } from "../checks/cache-writes-per-expiry.js";
import { noSpendSpike, spendWindows, type SpendSpikeWindow } from "../checks/spend-spike.js";
import type { Verdict } from "../checks/verdict.js";
import { KeepWarm } from "../actors/keep-warm.js";
import { LLM_DEFAULTS, PROMPT_CACHE_DEFAULTS } from "../actors/defaults.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { PrefixWarmth } from "../actors/prefix-warmth.js";
import { PromptCache } from "../actors/prompt-cache.js";
import { SingleFlightModel } from "../actors/single-flight-model.js";
import type { Distribution } from "../sim/distributions.js";
import type { Rng } from "../sim/rng.js";
import { formatTimestamp } from "../sim/duration.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric, type Series } from "./scenario.js";

const params = {
  fleet: {
    workers: p.int(1_000, {
      min: 1,
      max: 20_000,
      explore: [200, 1_000],
      doc: "workers in the fleet; the batch gives each one item",
      source: "the stampede post: a thousand workers (SCENARIOS.md #4)",
    }),
  },
  prompt: {
    prefixKey: p.string("support-agent-system@v42", { doc: "the identity (hash) of the shared system prompt; requests with the same key share a cache entry" }),
    prefixTokens: p.int(14_000, {
      min: 1,
      max: 200_000,
      explore: [4_096, 20_000],
      doc: "tokens of the shared system prompt, cached by prefix",
      source: "the stampede post: the 14K-token system message every agent in the fleet shared",
    }),
  },
  cache: {
    ttl: p.duration("5m", {
      min: "1m",
      doc: "the cache entry's lifetime, refreshed by every hit (the 1 h lifetime writes at 2x: set both)",
      source: 'FACTS.md "Provider prompt cache": Anthropic 5 min default',
    }),
    writeMultiplier: p.number(PROMPT_CACHE_DEFAULTS.writeMultiplier, {
      min: 0,
      doc: "price of a cache write, as a multiple of base input",
      source: 'FACTS.md "Provider prompt cache": 1.25x (5 min lifetime)',
    }),
    readMultiplier: p.number(PROMPT_CACHE_DEFAULTS.readMultiplier, {
      min: 0,
      doc: "price of a cache read, as a multiple of base input",
      source: 'FACTS.md "Provider prompt cache": 0.1x',
    }),
  },
  model: {
    inputUsdPerMTok: p.number(LLM_DEFAULTS.inputUsdPerMTok, {
      min: 0,
      doc: "base input price, USD per million tokens",
      source: 'FACTS.md "Provider prompt cache": Sonnet-class $3',
    }),
    outputUsdPerMTok: p.number(LLM_DEFAULTS.outputUsdPerMTok, {
      min: 0,
      doc: "output price, USD per million tokens",
      source: "Anthropic's Sonnet-class output price, $15 (src/actors/defaults.ts)",
    }),
    ttft: p.distribution(
      { lognormal: { p50: "1.5s", p99: "5s" } },
      {
        doc: "time to first token of a request carrying the long prompt: when a write becomes visible",
        source: 'FACTS.md "Latency": medians 0.3-4 s; prefilling a 14K-token prompt puts it above the fast end (assumption: p50 1.5 s)',
      },
    ),
    tokensPerSecond: p.distribution(LLM_DEFAULTS.tokensPerSecond, {
      unit: "number",
      doc: "output speed, tokens per second",
      source: 'FACTS.md "Latency": 40-240 tokens/s',
    }),
  },
  sessions: {
    perHour: p.number(1_000, {
      min: 1,
      max: 100_000,
      explore: [800, 1_500],
      doc: "interactive agent turns per hour across the fleet (Poisson): they keep the prefix warm and set the trailing spend rate",
      source:
        "assumption: about one turn per worker per hour, which puts the stampede's 3-min spend at about 9x the trailing rate as in the post; the search explores 800-1,500/h",
    }),
    for: p.duration("1h", {
      min: "0ms",
      doc: "how long the interactive traffic runs from the start (then the fleet goes quiet until the batch)",
      source: "the post compares against the trailing hourly average: an hour of history",
    }),
    inputTokens: p.distribution(
      { lognormal: { p50: 30_000, p99: 120_000 } },
      {
        unit: "number",
        doc: "tokens of a session turn after the system prompt (the conversation so far, tool output)",
        source: "assumption: agent sessions carry long contexts",
      },
    ),
    outputTokens: p.distribution(
      { lognormal: { p50: 600, p99: 3_000 } },
      { unit: "number", doc: "tokens of a session turn's answer", source: "assumption: an agent step's answer of a few hundred tokens" },
    ),
  },
  batch: {
    at: p.duration("1h10m", {
      min: "0ms",
      max: "24h",
      explore: ["1h5m", "1h15m"],
      doc: "when the scheduled batch fans out one item to every worker; the quiet spell is the gap since the last session turn",
      source: "assumption: a nightly job 5-15 min after the day's traffic (a later one only lowers the trailing rate it is judged against)",
    }),
    spread: p.distribution(
      { uniform: { min: "0ms", max: "200ms" } },
      { doc: "how long after the kick-off each worker sends its item", source: "the stampede post: within the same 200ms window" },
    ),
    inputTokens: p.int(200, {
      min: 0,
      max: 200_000,
      explore: [100, 500],
      doc: "tokens of a batch item after the system prompt (a ticket to tag)",
      source: "assumption: a small classification item",
    }),
    outputTokens: p.int(20, { min: 1, max: 100_000, explore: [5, 50], doc: "tokens of a batch item's answer (a label)", source: "assumption: a short label" }),
  },
  refresh: {
    beta: p.number(1, {
      min: 0.01,
      max: 100,
      explore: [0.5, 4],
      doc: "XFetch's β for jittered-refresh: larger refreshes earlier",
      source: 'FACTS.md "Cache stampede prevention": beta 1 by default',
    }),
    inputTokens: p.int(8, { min: 0, doc: "tokens after the system prompt in a keep-warm request", source: "assumption: a minimal ping" }),
  },
  limits: {
    writesPerExpiry: p.int(1, {
      min: 1,
      doc: "cache-writes-per-expiry: writes of the prefix allowed per expiry (one re-warm is all a fleet needs)",
      source: "SCENARIOS.md #4: a small, configured number",
    }),
    spendWindow: p.duration("3m", { min: "1s", doc: "spend-spike: the window whose spend is compared", source: "the stampede post: three minutes of billing" }),
    trailing: p.duration("1h", {
      min: "1m",
      doc: "spend-spike: the trailing period whose average rate is the baseline, in active time (gaps between charges longer than the window do not count)",
      source: "the stampede post: the trailing hourly average",
    }),
    spendMultiple: p.number(5, {
      min: 1,
      doc: "spend-spike: how many times the trailing rate a window may reach. The warm batch runs at about 1x at the defaults (under 3x anywhere in the explored ranges); the stampede at about 9x",
      source: "assumption: an alert threshold well under the post's spike, which the pager caught at about nine times the trailing hourly average",
    }),
  },
};

type Values = ParamValues<typeof params>;

/** What each mitigation switches. */
interface Switches {
  singleFlight: boolean;
  jitteredRefresh: boolean;
}

/** A request a worker sends: why, and its tokens after the prefix. */
interface Work {
  purpose: "session" | "batch" | "keep-warm";
  inputTokens: number;
  outputTokens: number;
}

/** The wired fleet. */
interface Fleet {
  sim: Simulation;
  v: Values;
  sw: Switches;
  llm: LlmProvider;
  warmth: PrefixWarmth;
  /** The port the workers send through: single flight (when on) in front of the provider. */
  model: SingleFlightModel;
  keepWarm: KeepWarm | undefined;
  /** What the keep-warm requests cost. */
  keepWarmUsd: number;
  /** How long each single-flight follower waited. */
  waits: number[];
  /** Each worker's queue of work; a worker sends one request at a time. */
  queues: Map<number, Job[]>;
}

/** A request waiting for its worker: the work, its cause in the trace, a name for its process. */
interface Job {
  work: Work;
  cause: number | undefined;
  label: string;
}

export const stampede = defineScenario({
  name: "stampede",
  title: "The Cache Stampede That Hit Your Model Provider Instead of Your Database",
  summary: "a prompt prefix expires in a quiet spell; a 1,000-worker batch all miss at once and each pays for a cache write",
  params,
  invariants: [
    {
      name: "cache-writes-per-expiry",
      description: "at most a configured number of writes of the same prefix per expiry (from the cache's log; the cold start is not an expiry)",
    },
    {
      name: "spend-spike",
      description: "spend in any window stays under a multiple of the trailing average rate, quiet spells excluded (from the billing meter)",
    },
  ],
  mitigations: [
    { name: "single-flight", description: "when the prefix may be cold, one worker re-warms it and the others wait for its response to begin, then read" },
    { name: "jittered-refresh", description: "XFetch: the fleet refreshes the prefix at a randomized moment before its recorded expiry, so it never lapses" },
  ],
  defaults: { seed: 1, horizon: "1h30m" },
  build({ sim, params: v, mitigations }) {
    const fleet = wire(sim, v, { singleFlight: mitigations.has("single-flight"), jitteredRefresh: mitigations.has("jittered-refresh") });
    startSessions(fleet);
    scheduleBatch(fleet);
    return {
      check: () => [writesPerExpiry(fleet), spendSpike(fleet)],
      metrics: () => metrics(fleet),
      series: () => series(fleet),
    };
  },
});

/** The provider, its cache and meter, and the fleet's mitigation machinery. */
function wire(sim: Simulation, v: Values, sw: Switches): Fleet {
  const cache = new PromptCache(sim, { ttlMs: v.cache.ttl, writeMultiplier: v.cache.writeMultiplier, readMultiplier: v.cache.readMultiplier });
  const llm = new LlmProvider(sim, {
    cache,
    ttft: v.model.ttft,
    tokensPerSecond: v.model.tokensPerSecond,
    inputUsdPerMTok: v.model.inputUsdPerMTok,
    outputUsdPerMTok: v.model.outputUsdPerMTok,
  });
  const warmth = new PrefixWarmth(v.prompt.prefixKey, v.cache.ttl);
  const model = new SingleFlightModel(sim, llm, { warmth: () => warmth, enabled: sw.singleFlight });
  const fleet: Fleet = { sim, v, sw, llm, warmth, model, keepWarm: undefined, keepWarmUsd: 0, waits: [], queues: new Map() };
  if (sw.jitteredRefresh) {
    fleet.keepWarm = new KeepWarm(sim, {
      warmth,
      workers: v.fleet.workers,
      beta: v.refresh.beta,
      rng: sim.rng("fleet:keep-warm"),
      refresh: (fire) => {
        const work: Work = { purpose: "keep-warm", inputTokens: v.refresh.inputTokens, outputTokens: 1 };
        assign(fleet, fire.worker, { work, cause: fire.eventId, label: "keep-warm" });
      },
    });
  }
  return fleet;
}

/** Interactive turns: Poisson arrivals for `sessions.for`, each on a random worker. */
function startSessions(fleet: Fleet): void {
  const { sim, v } = fleet;
  const arrivals = sim.rng("sessions:arrivals");
  const tokens = sim.rng("sessions:tokens");
  const meanGap = 3_600_000 / v.sessions.perHour;
  sim.spawn("sessions", async (ctx) => {
    for (let turn = 1; ; turn++) {
      const gap = -meanGap * Math.log(arrivals.nextOpen());
      if (ctx.now + gap >= v.sessions.for) return;
      await ctx.sleep(gap);
      const worker = arrivals.int(0, v.fleet.workers - 1);
      const work: Work = {
        purpose: "session",
        inputTokens: tokenCount(v.sessions.inputTokens, tokens),
        outputTokens: Math.max(1, tokenCount(v.sessions.outputTokens, tokens)),
      };
      assign(fleet, worker, { work, cause: undefined, label: `turn ${turn}` });
    }
  });
}

/** The scheduled batch: one item to every worker, each sent after a spread draw. */
function scheduleBatch(fleet: Fleet): void {
  const { sim, v } = fleet;
  const spread = sim.rng("batch:spread");
  sim.at(v.batch.at, () => {
    const kickoff = sim.trace.instant({ actor: "scheduler", layer: "clock", kind: "batch.kick-off", attrs: { items: v.fleet.workers } });
    const work: Work = { purpose: "batch", inputTokens: v.batch.inputTokens, outputTokens: v.batch.outputTokens };
    for (let w = 0; w < v.fleet.workers; w++) {
      const delay = Math.max(0, v.batch.spread.sample(spread));
      sim.schedule(delay, () => assign(fleet, w, { work, cause: kickoff, label: "batch" }));
    }
  });
}

/**
 * Gives a worker a request. A worker is a unit of concurrency: it sends one request at a time, in
 * the order it was given them, and a request given to a busy worker waits for the one in flight.
 * So one worker can never race itself to the cache: a stampede needs many workers.
 */
function assign(fleet: Fleet, worker: number, job: Job): void {
  const queue = fleet.queues.get(worker);
  if (queue) {
    queue.push(job);
    return;
  }
  const mine: Job[] = [job];
  fleet.queues.set(worker, mine);
  fleet.sim.spawn(`worker-${worker} ${job.label}`, async (ctx) => {
    for (let next = mine.shift(); next; next = mine.shift()) await send(ctx, fleet, worker, next.work, next.cause);
    fleet.queues.delete(worker);
  });
}

/**
 * One worker's request, through the fleet's single-flight port (`single-flight-model.ts`): with
 * `single-flight`, a worker that cannot be sure the prefix is warm joins the prefix's flight: the
 * first leads (sends at once), the rest wait until the leader's response begins, then send (and
 * read what it wrote). A follower's request names the leader's first token as its cause.
 */
async function send(ctx: ProcessContext, fleet: Fleet, worker: number, work: Work, cause: number | undefined): Promise<void> {
  const { v } = fleet;
  const response = await fleet.model.complete(
    ctx,
    {
      caller: `worker-${worker}`,
      prefixKey: v.prompt.prefixKey,
      prefixTokens: v.prompt.prefixTokens,
      inputTokens: work.inputTokens,
      outputTokens: work.outputTokens,
      parent: cause,
    },
    { leadAttrs: { purpose: work.purpose }, onWaited: (ms) => fleet.waits.push(ms) },
  );
  if (response.ok && work.purpose === "keep-warm") fleet.keepWarmUsd += response.usage.costUsd;
}

function tokenCount(d: Distribution, rng: Rng): number {
  return Math.max(0, Math.round(d.sample(rng)));
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

/**
 * `cache-writes-per-expiry`: the cache's log, writes grouped by the generation they re-created
 * (`cacheWritesPerExpiry`). Only expiries count: the writes of generation 0 created the prefix at
 * the run's cold start (the simulation begins with an empty cache), which no expiry caused.
 */
function writesPerExpiry(fleet: Fleet): Verdict {
  const { llm, v } = fleet;
  const key = v.prompt.prefixKey;
  return cacheWritesPerExpiry(llm.cache.log, llm.cache.generations(key), {
    invariant: "cache-writes-per-expiry",
    limit: v.limits.writesPerExpiry,
    prefixKey: key,
    writers: "workers",
    asReadsUsd: (n) => n * v.prompt.prefixTokens * v.model.inputUsdPerMTok * v.cache.readMultiplier * 1e-6,
  });
}

/** `spend-spike`: the billing meter's charges, windows against the trailing rate. */
function spendSpike(fleet: Fleet): Verdict {
  const { v } = fleet;
  const charges = chargesOf(fleet);
  const judged = noSpendSpike(charges, {
    invariant: "spend-spike",
    windowMs: v.limits.spendWindow,
    trailingMs: v.limits.trailing,
    multiple: v.limits.spendMultiple,
  });
  const worst = worstWindow(fleet);
  return {
    ...judged,
    violations: judged.violations.map((violation) => {
      const writes = worst ? fleet.llm.billing.spendIn(worst.from + 1e-9, worst.to + 1e-9, (c) => c.kind === "cache-write") : 0;
      return { ...violation, message: `${violation.message}; ${usd(writes)} of it paid for cache writes` };
    }),
  };
}

function chargesOf(fleet: Fleet): { t: number; usd: number; eventId: number }[] {
  return fleet.llm.billing.charges.map((c) => ({ t: c.t, usd: c.usd, eventId: c.eventId ?? -1 }));
}

/** The window with the highest ratio to its trailing rate, if the run had a full trailing period. */
function worstWindow(fleet: Fleet): SpendSpikeWindow | undefined {
  const windows = spendWindows(chargesOf(fleet), fleet.v.limits.spendWindow, fleet.v.limits.trailing);
  return windows.reduce<SpendSpikeWindow | undefined>((a, b) => (a === undefined || b.ratio > a.ratio ? b : a), undefined);
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

function metrics(fleet: Fleet): Metric[] {
  const { llm, v } = fleet;
  const key = v.prompt.prefixKey;
  const stats = llm.cache.stats(key);
  const generations = llm.cache.generations(key);
  const expiries = generations.filter((g) => g.lapsedAt !== undefined);
  const worstGen = expiries.reduce((a, b) => (b.writes > a.writes ? b : a), expiries[0] ?? { index: 0, writes: 0, writeCost: 0 });
  const readCost = v.prompt.prefixTokens * v.model.inputUsdPerMTok * v.cache.readMultiplier * 1e-6;
  const worst = worstWindow(fleet);
  const mins = Math.round(v.limits.spendWindow / 60_000);
  const out: Metric[] = [
    { name: "total spend", value: llm.billing.total(), unit: "usd" },
    {
      name: `worst ${mins}-min spend`,
      value: worst?.usd ?? 0,
      unit: "usd",
      note: worst ? `from ${formatTimestamp(worst.from)}` : "no window with a full trailing period",
    },
    { name: `trailing rate per ${mins} min`, value: worst?.baselineUsd ?? 0, unit: "usd", note: "the trailing period's average, scaled to the window" },
    { name: "spike", value: round(worst?.ratio ?? 0, 1), note: `x the trailing rate (bound ${v.limits.spendMultiple}x)` },
    { name: "stampede write cost", value: worstGen.writeCost, unit: "usd", note: `the writes of the worst expiry (generation ${worstGen.index})` },
    { name: "same requests as reads", value: worstGen.writes * readCost, unit: "usd", note: "what those requests would have paid had the prefix been warm" },
    { name: "writes in the worst expiry", value: worstGen.writes, unit: "count", note: `limit ${v.limits.writesPerExpiry}` },
    { name: "expiries", value: expiries.length, unit: "count", note: "lapses of the prefix that a request found" },
    {
      name: "cold-start writes",
      value: generations.find((g) => g.index === 0)?.writes ?? 0,
      unit: "count",
      note: "writes that created the prefix at the run's start (no expiry; not judged)",
    },
    { name: "cache hits", value: stats.hits, unit: "count" },
    { name: "cache misses", value: stats.misses, unit: "count" },
    { name: "cache writes", value: stats.writes, unit: "count" },
    { name: "requests", value: llm.totals.calls, unit: "count" },
  ];
  if (fleet.sw.singleFlight) {
    out.push(
      { name: "single-flight re-warms", value: fleet.model.flights.stats.flights, unit: "count", note: "requests that led a flight" },
      { name: "single-flight waiters", value: fleet.model.flights.stats.followers, unit: "count", note: "requests that waited for a re-warm to begin" },
      { name: "single-flight max wait", value: Math.max(0, ...fleet.waits), unit: "ms" },
    );
  }
  if (fleet.keepWarm) {
    out.push(
      { name: "keep-warm refreshes", value: fleet.keepWarm.refreshes, unit: "count" },
      { name: "keep-warm spend", value: fleet.keepWarmUsd, unit: "usd" },
    );
  }
  return out;
}

/** Spend over time, and the writes of each life of the prefix at the time of its first miss. */
function series(fleet: Fleet): Record<string, Series> {
  const billing = fleet.llm.billing;
  const generations = fleet.llm.cache.generations(fleet.v.prompt.prefixKey);
  return {
    "spend per 10 s (USD)": billing.series(10_000),
    "cache-write spend per 10 s (USD)": billing.series(10_000, { filter: (c) => c.kind === "cache-write" }),
    "cache writes per expiry": generations.map((g) => [g.firstMissAt, g.writes]),
  };
}

/** Dollars for messages: cents, or two significant digits under a cent. */
function usd(x: number): string {
  return x > 0 && x < 0.01 ? `$${x.toPrecision(2)}` : `$${x.toFixed(2)}`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
