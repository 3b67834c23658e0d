/**
 * A scenario built from an incident's traces (`agentsim import`): the workload that production
 * showed, as data, run on the same actors as the catalog.
 *
 * - Actors: conversations arriving uniformly over the observed window; one agent harness per
 *   conversation that, for each observed step, asks the model (the observed tokens and latency)
 *   and calls the observed tool under the client timeout and retries the traces imply; one
 *   `SimTool` per tool seen, with the observed latency (empirical) and error rate. Tools named as
 *   having side effects record them in one effect ledger, keyed by the call's arguments.
 * - The prompt cache, when the traces show model calls writing it: every model call sends the
 *   prefix they wrote (one shared prefix: the traces do not name it) to the provider's cache, with
 *   the lifetime the file gives (5 min by default).
 * - Invariants (each named in the workload, from what the incident shows): `at-most-once-<tool>`
 *   for every side-effecting tool (the effect ledger), `e2e-within-sla` when an SLA is given (each
 *   conversation's time from arrival to its last answer), `cache-writes-per-expiry` when the traces
 *   show cache writes (the provider's cache log: writes of the prefix per lapse; the run's cold
 *   start counts as one when the traces began cold, their first cache-touching call a write),
 *   `spend-spike` when they show token counts (the billing meter's charges: no window above a
 *   multiple of the trailing rate), `tool-calls-answered` (every tool call the agent started got
 *   an answer before the run ended).
 * - Mitigations: the catalog's harness switches, applied to every step: `idempotency-keys`,
 *   `deadline-propagation` (the tools are told the caller's deadline and give up at it),
 *   `cancel-on-abandon` (an abandoned call is cancelled before it commits); with a cached prefix,
 *   the catalog stampede's `single-flight` (the conversations' model calls go through one
 *   single-flight port: when the prefix may be cold, one call re-warms it and the others wait for
 *   its response to begin, then read). The stampede's `jittered-refresh` is not offered: it keeps a
 *   prefix warm through quiet spells, and an imported run has no earlier traffic to keep warm.
 * - Faults: `tool-slowdown` on any tool (calls starting in the window take 15 s longer).
 *
 * Parameters are generated from the workload (one group per tool), so the imported YAML file
 * reads as what was seen and can be edited like any scenario file.
 */
import { AgentHarness, type PlanStep, type ThinkSpec } from "../actors/agent-harness.js";
import { EffectLedger } from "../actors/effect-ledger.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { PrefixWarmth } from "../actors/prefix-warmth.js";
import { PromptCache } from "../actors/prompt-cache.js";
import { SingleFlightModel } from "../actors/single-flight-model.js";
import { SimTool } from "../actors/tool.js";
import { atMostOnceEffects } from "../checks/at-most-once.js";
import { cacheWritesPerExpiry } from "../checks/cache-writes-per-expiry.js";
import { noSpendSpike } from "../checks/spend-spike.js";
import { everyWithin, type LatencySample } from "../checks/latency.js";
import { verdict, type Verdict } from "../checks/verdict.js";
import type { Distribution } from "../sim/distributions.js";
import { formatDuration } from "../sim/duration.js";
import type { Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import { slowedDuring } from "./fault-windows.js";
import { p, type Param, type ParamTree } from "./params.js";
import { defineScenario, type Metric, type Named, type ScenarioDefinition } from "./scenario.js";

/** What an incident's traces showed, as `agentsim import` extracts it. Times in ms. */
export interface IncidentWorkload {
  /** The scenario's name (the file's stem). */
  name: string;
  /** Where it came from, for the title and reports. */
  source: string;
  /** Conversations (or agent invocations) seen, and the span of time they arrived in. */
  conversations: { count: number; windowMs: number };
  /** A conversation's steps in order: each a model call, then a call of the named tool. */
  steps: { tool: string; args: Attrs }[];
  /** The model: its observed call latencies (the empirical distribution) and typical tokens. */
  model: { name: string; latencyMs: number[]; inputTokens: number; outputTokens: number; errorRate: number };
  /** Each tool seen: observed latencies, error rate, and whether it has side effects. */
  tools: Record<string, { latencyMs: number[]; errorRate: number; sideEffect: boolean }>;
  /** The client's behaviour the traces imply: its per-call timeout, attempts per call, backoff. */
  client: { timeoutMs: number; maxAttempts: number; backoffMs: number };
  /** An end-to-end SLA per conversation, when the user gave one. */
  slaMs?: number;
  /**
   * The prompt cache, when the traces show model calls writing it: the prefix's tokens, the
   * lifetime assumed, and whether the traces began cold (their first call that touched the cache
   * wrote it), so that the run's cold start stands for a lapse.
   */
  cache?: { prefixTokens: number; ttlMs: number; startsCold: boolean };
  /** Spend, when the traces show token counts: the spend-spike invariant's window, trailing period and bound. */
  spend?: { windowMs: number; trailingMs: number; multiple: number };
  /** The run's default seed. */
  seed?: number;
}

/** What a `tool-slowdown` fault adds to a call (as for agent scenarios' tools). */
const SLOWDOWN_MS = 15_000;

/** The invariants an incident's workload names. */
export function incidentInvariants(w: IncidentWorkload): Named[] {
  const out: Named[] = Object.entries(w.tools)
    .filter(([, t]) => t.sideEffect)
    .map(([name]) => ({
      name: `at-most-once-${name}`,
      description: `each distinct ${name} call (by its arguments) takes effect at most once (the tool's effect ledger)`,
    }));
  if (w.slaMs !== undefined) out.push({ name: "e2e-within-sla", description: `every conversation ends within ${formatDuration(w.slaMs)} of its arrival` });
  if (w.cache)
    out.push({
      name: "cache-writes-per-expiry",
      description: `at most limits.writesPerExpiry writes of the cached prefix per lapse (the provider's cache log${w.cache.startsCold ? "; the run starts cold, as the traces did" : "; the cold start is not judged"})`,
    });
  if (w.spend)
    out.push({
      name: "spend-spike",
      description: "no window's spend above limits.spendMultiple times the trailing rate, quiet spells excluded (the billing meter's charges)",
    });
  out.push({ name: "tool-calls-answered", description: "every tool call the agent started is answered before the run ends" });
  return out;
}

/** Declares the scenario that replays an incident's workload. */
export function incidentScenario(w: IncidentWorkload): ScenarioDefinition {
  const params = incidentParams(w);
  const invariants = incidentInvariants(w);
  const toolNames = Object.keys(w.tools);
  return defineScenario<ParamTree>({
    name: w.name,
    title: `Incident ${w.name} (imported from ${w.source})`,
    summary: `${w.conversations.count} conversations calling ${toolNames.join(", ")} as the traces show`,
    params,
    invariants,
    mitigations: [
      { name: "idempotency-keys", description: "one key per logical call, stable across retries; the tool replays or refuses" },
      { name: "deadline-propagation", description: "each call carries the client's deadline; the tool gives up at it instead of committing late" },
      { name: "cancel-on-abandon", description: "a call the client gave up on is cancelled before it commits" },
      ...(w.cache
        ? [
            {
              name: "single-flight",
              description: "when the prefix may be cold, one model call re-warms it and the others wait for its response to begin, then read",
            },
          ]
        : []),
    ],
    faults: [{ name: "tool-slowdown", description: `calls that start while it lasts take ${formatDuration(SLOWDOWN_MS)} longer`, targets: toolNames }],
    defaults: { seed: w.seed ?? 1, horizon: formatDuration(Math.max(3_600_000, w.conversations.windowMs * 2)) },
    build({ sim, params: raw, mitigations, faults }) {
      const v = raw as unknown as IncidentValues;
      const ledger = new EffectLedger();
      const cache = v.cache ? new PromptCache(sim, { ttlMs: v.cache.ttl, minCacheableTokens: 1 }) : undefined;
      const llm = new LlmProvider(sim, { name: "llm", ttft: v.model.latency, tokensPerSecond: 1e9, p500: v.model.errorRate, ...(cache ? { cache } : {}) });
      const think = thinkSpec(w, v);
      const model = v.cache ? singleFlightPort(sim, llm, v.cache.ttl, mitigations.has("single-flight")) : llm;
      const tools = new Map<string, SimTool>();
      for (const [name, t] of Object.entries(w.tools)) {
        const tv = v.tools[name] as ToolValues;
        tools.set(
          name,
          new SimTool(sim, {
            name,
            latency: slowedDuring(sim, tv.latency, faults, { kind: "tool-slowdown", target: name, extraMs: SLOWDOWN_MS }),
            timeout: null,
            faults: { transient: tv.errorRate },
            idempotency: true,
            honoursDeadline: true,
            honoursCancellation: true,
            ledger,
            ...(t.sideEffect ? { effect: { name, key: (a: Attrs) => stableKey(a) } } : {}),
          }),
        );
      }
      const switches = {
        idempotencyKeys: mitigations.has("idempotency-keys"),
        deadlinePropagation: mitigations.has("deadline-propagation"),
        cancelOnAbandon: mitigations.has("cancel-on-abandon"),
      };
      const arrivals = sim.rng("conversations:arrivals");
      const starts = Array.from({ length: v.conversations.count }, () => arrivals.next() * v.conversations.window).sort((a, b) => a - b);
      const ended: LatencySample[] = [];
      const open: { conversation: number; startedAt: number; eventId: number }[] = [];
      starts.forEach((at, i) => {
        const conversation = i + 1;
        const agent = new AgentHarness({
          name: `agent ${conversation}`,
          model,
          retry: { exponential: { base: v.client.backoff, jitter: "full", maxAttempts: v.client.maxAttempts } },
          attemptBudget: v.client.timeout,
          switches,
        });
        const plan: PlanStep[] = w.steps.map((s, k) => ({
          name: `${s.tool} #${k + 1}`,
          tool: tools.get(s.tool) as SimTool,
          think,
          idempotencyKey: `c${conversation}-${k + 1}-${s.tool}`,
          args: () => ({ ...s.args, conversation }),
        }));
        sim.spawn(`conversation ${conversation}`, async (ctx) => {
          await ctx.sleep(at);
          const arrived = sim.trace.instant({ actor: "user", layer: "user", kind: "conversation.start", attrs: { conversation } });
          const entry = { conversation, startedAt: sim.now, eventId: arrived };
          open.push(entry);
          const report = await agent.run(ctx, plan, arrived);
          open.splice(open.indexOf(entry), 1);
          ended.push({ ms: sim.now - entry.startedAt, endedAt: sim.now, eventId: report.eventId });
        });
      });
      return {
        check: (outcome) =>
          invariants.map((inv): Verdict => {
            if (inv.name === "e2e-within-sla") {
              const hung = open.map((o) => ({ ms: Number.POSITIVE_INFINITY, endedAt: outcome.now, eventId: o.eventId }));
              return everyWithin([...ended, ...hung], { invariant: inv.name, boundMs: v.sla ?? Number.POSITIVE_INFINITY, what: "conversation" });
            }
            if (inv.name === "tool-calls-answered") return unanswered(inv.name, tools, outcome.now);
            if (inv.name === "cache-writes-per-expiry") return cacheWrites(inv.name, llm, w, v);
            if (inv.name === "spend-spike") return spendSpike(inv.name, llm, v);
            const tool = inv.name.slice("at-most-once-".length);
            return atMostOnceEffects(
              ledger.entries.filter((e) => e.effect === tool),
              { invariant: inv.name, noun: tool },
            );
          }),
        metrics: () => [...incidentMetrics(tools, ledger, ended, starts.length), ...modelMetrics(w, llm)],
      };
    },
  });
}

/** What each model call sends: the observed tokens, the cached prefix first when the traces show one. */
function thinkSpec(w: IncidentWorkload, v: IncidentValues): ThinkSpec {
  if (!v.cache) return { inputTokens: w.model.inputTokens, outputTokens: w.model.outputTokens };
  return {
    prefixKey: prefixKeyOf(w),
    prefixTokens: v.cache.prefixTokens,
    inputTokens: Math.max(1, w.model.inputTokens - v.cache.prefixTokens),
    outputTokens: w.model.outputTokens,
  };
}

/** The conversations' shared port to the model: single flight in front of the provider (on or off), one record per prefix. */
function singleFlightPort(sim: Simulation, llm: LlmProvider, ttlMs: number, enabled: boolean): SingleFlightModel {
  const records = new Map<string, PrefixWarmth>();
  const warmth = (key: string): PrefixWarmth => {
    let r = records.get(key);
    if (!r) records.set(key, (r = new PrefixWarmth(key, ttlMs)));
    return r;
  };
  return new SingleFlightModel(sim, llm, { warmth, enabled });
}

/** The cached prefix's identity: the traces do not name it, so one per model (its system prompt). */
function prefixKeyOf(w: IncidentWorkload): string {
  return `${w.model.name}/system-prompt`;
}

/** `cache-writes-per-expiry`: the provider's cache log, writes per life of the prefix. */
function cacheWrites(invariant: string, llm: LlmProvider, w: IncidentWorkload, v: IncidentValues): Verdict {
  const prefixTokens = v.cache?.prefixTokens ?? 0;
  return cacheWritesPerExpiry(llm.cache.log, llm.cache.generations(), {
    invariant,
    limit: v.limits?.writesPerExpiry ?? 1,
    prefixKey: prefixKeyOf(w),
    coldStart: w.cache?.startsCold ?? false,
    writers: "model calls",
    asReadsUsd: (n) => (n * prefixTokens * llm.inputUsdPerMTok * llm.cache.readMultiplier) / 1e6,
  });
}

/** `spend-spike`: the billing meter's charges, each window against the trailing rate. */
function spendSpike(invariant: string, llm: LlmProvider, v: IncidentValues): Verdict {
  const limits = v.limits;
  if (limits?.spendWindow === undefined || limits.trailing === undefined || limits.spendMultiple === undefined)
    throw new Error(`${invariant} is declared but limits.spendWindow, limits.trailing or limits.spendMultiple is missing`);
  return noSpendSpike(
    llm.billing.charges.map((c) => ({ t: c.t, usd: c.usd, eventId: c.eventId ?? -1 })),
    { invariant, windowMs: limits.spendWindow, trailingMs: limits.trailing, multiple: limits.spendMultiple },
  );
}

/** Every tool call without a response when the run stopped. */
function unanswered(invariant: string, tools: ReadonlyMap<string, SimTool>, now: number): Verdict {
  const missing = [...tools.values()].flatMap((t) => t.calls.filter((c) => c.response === undefined).map((c) => ({ tool: t.name, c })));
  return verdict(
    invariant,
    missing.map(({ tool, c }) => ({ at: now, message: `${tool} call ${c.requestId} from ${c.caller} was never answered`, evidence: [c.span] })),
  );
}

function incidentMetrics(tools: ReadonlyMap<string, SimTool>, ledger: EffectLedger, ended: readonly LatencySample[], conversations: number): Metric[] {
  const durations = ended.map((e) => e.ms).sort((a, b) => a - b);
  const p99 = durations[Math.min(durations.length - 1, Math.ceil(0.99 * durations.length) - 1)];
  return [
    { name: "conversations", value: conversations, unit: "count" },
    { name: "conversations finished", value: ended.length, unit: "count" },
    ...(p99 !== undefined ? [{ name: "conversation p99", value: Math.round(p99), unit: "ms" as const }] : []),
    ...[...tools.values()].map((t): Metric => ({ name: `${t.name} calls`, value: t.calls.length, unit: "count" })),
    { name: "effects committed", value: ledger.entries.length, unit: "count" },
    {
      name: "duplicate effects",
      value: ledger.duplicates().reduce((n, g) => n + g.length - 1, 0),
      unit: "count",
      note: "effects beyond the first of an operation",
    },
  ];
}

/** What the model calls spent, and how they used the cache, when the workload watches either. */
function modelMetrics(w: IncidentWorkload, llm: LlmProvider): Metric[] {
  const stats = llm.cache.stats();
  return [
    ...(w.spend ? [{ name: "model spend", value: llm.billing.total(), unit: "usd" as const, note: "at the provider's default prices" }] : []),
    ...(w.cache
      ? [
          { name: "cache writes", value: stats.writes, unit: "count" as const },
          { name: "cache reads", value: stats.hits, unit: "count" as const },
        ]
      : []),
  ];
}

/** A call's arguments (with the conversation number the scenario adds) as a stable key: keys sorted. */
function stableKey(args: Attrs): string {
  return JSON.stringify(Object.fromEntries(Object.entries(args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** The resolved parameter values of an incident scenario. */
interface ToolValues {
  latency: Distribution;
  errorRate: number;
}
interface IncidentValues {
  conversations: { count: number; window: number };
  client: { timeout: number; maxAttempts: number; backoff: number };
  model: ToolValues;
  tools: Record<string, ToolValues>;
  sla?: number;
  cache?: { prefixTokens: number; ttl: number };
  limits?: { writesPerExpiry?: number; spendWindow?: number; trailing?: number; spendMultiple?: number };
}

/** Durations as a person writes them in YAML. */
function d(ms: number): string {
  return formatDuration(Math.max(0, Math.round(ms))).replace(/ /g, "");
}

/** The parameter tree of an incident: what was seen, each a default a file or `--set` may change. */
export function incidentParams(w: IncidentWorkload): ParamTree {
  const seen = `the incident's traces (${w.source})`;
  const latency = (samples: number[], what: string): Param =>
    p.distribution(
      { empirical: { samples: samples.length ? samples.map(d) : ["1ms"] } },
      { doc: `${what}: the observed durations, drawn as an empirical distribution`, source: seen },
    );
  const errorRate = (rate: number, what: string): Param =>
    p.probability(round4(rate), { doc: `chance that a ${what} call fails with a server error`, source: seen });
  const tools: Record<string, ParamTree> = {};
  for (const [name, t] of Object.entries(w.tools)) tools[name] = { latency: latency(t.latencyMs, `${name} latency`), errorRate: errorRate(t.errorRate, name) };
  const tree: Record<string, Param | ParamTree> = {
    conversations: {
      count: p.int(w.conversations.count, {
        min: 1,
        max: 100_000,
        explore: [1, Math.max(2, w.conversations.count * 3)],
        doc: "conversations that arrive in one run",
        source: seen,
      }),
      window: p.duration(d(Math.max(1_000, w.conversations.windowMs)), {
        min: "1ms",
        max: "30d",
        explore: [d(Math.max(1_000, w.conversations.windowMs) / 4), d(Math.max(1_000, w.conversations.windowMs) * 2)],
        doc: "conversations arrive at uniformly random times within this window",
        source: seen,
      }),
    },
    client: {
      timeout: p.duration(d(w.client.timeoutMs), {
        min: "1ms",
        max: "1d",
        explore: [d(w.client.timeoutMs / 2), d(w.client.timeoutMs * 2)],
        doc: "the client's timeout per tool call: when it fires, the call counts as failed",
        source: `inferred from ${seen}`,
      }),
      maxAttempts: p.int(w.client.maxAttempts, {
        min: 1,
        max: 20,
        explore: [1, Math.max(2, w.client.maxAttempts)],
        doc: "tries per tool call, the first included",
        source: `inferred from ${seen}`,
      }),
      backoff: p.duration(d(Math.min(w.client.backoffMs, 20_000)), {
        min: "0ms",
        max: "20s",
        explore: ["0ms", d(Math.min(20_000, Math.max(1_000, w.client.backoffMs * 4)))],
        doc: "base of the exponential backoff (full jitter, cap 20 s) between tries",
        source: `inferred from ${seen}`,
      }),
    },
    model: { latency: latency(w.model.latencyMs, `${w.model.name} call latency`), errorRate: errorRate(w.model.errorRate, w.model.name) },
    tools,
  };
  if (w.slaMs !== undefined)
    tree.sla = p.duration(d(w.slaMs), { min: "1ms", max: "30d", doc: "the end-to-end SLA of one conversation", source: "given to agentsim import (--sla)" });
  if (w.cache)
    tree.cache = {
      prefixTokens: p.int(w.cache.prefixTokens, {
        min: 1,
        doc: "tokens of the prompt prefix the model calls share and the provider caches",
        source: `the cache-creation tokens of the model calls that wrote it in ${seen}`,
      }),
      ttl: p.duration(d(w.cache.ttlMs), {
        min: "1s",
        max: "1d",
        explore: [d(w.cache.ttlMs / 5), d(w.cache.ttlMs * 12)],
        doc: "the cache entry's lifetime, refreshed by every hit",
        source: 'assumed: the traces do not say; FACTS.md "Provider prompt cache": 5 min by default (1 h as an option)',
      }),
    };
  // Thresholds, not the world: no `max`, so `check` never searches them.
  const limits: Record<string, Param> = {};
  if (w.cache)
    limits.writesPerExpiry = p.int(1, {
      min: 1,
      doc: "cache-writes-per-expiry: writes of the prefix allowed per lapse (one re-warm is all the callers need)",
      source: "SCENARIOS.md #4: a small, configured number",
    });
  if (w.spend) {
    limits.spendWindow = p.duration(d(w.spend.windowMs), {
      min: "1ms",
      doc: "spend-spike: the window whose spend is compared",
      source: `the stampede post's 3 min against the trailing hour, scaled to the traces' span (a twentieth of it, 1 s to 3 min)`,
    });
    limits.trailing = p.duration(d(w.spend.trailingMs), {
      min: "1ms",
      doc: "spend-spike: the trailing period whose average rate is the baseline, in active time (gaps between charges longer than the window do not count)",
      source: "the stampede post's trailing hour, or half the traces' span when that is shorter (at least ten windows)",
    });
    limits.spendMultiple = p.number(w.spend.multiple, {
      min: 1,
      doc: "spend-spike: how many times the trailing rate a window may reach",
      source: "as the catalog's stampede: an alert threshold well under the post's spike of about nine times the trailing rate",
    });
  }
  if (Object.keys(limits).length) tree.limits = limits;
  return tree as ParamTree;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
