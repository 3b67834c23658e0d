/**
 * A scenario built from an incident's traces (`agentsim import`): the workload that production
 * showed, as data, run on the same actors as the catalog.
 *
 * - Actors: conversations arriving uniformly over the observed window; one agent harness per
 *   conversation that, for each observed step, asks the model (the observed tokens and latency)
 *   and calls the observed tool under the client timeout and retries the traces imply; one
 *   `SimTool` per tool seen, with the observed latency (empirical) and error rate. Tools named as
 *   having side effects record them in one effect ledger, keyed by the call's arguments.
 * - Invariants (each named in the workload, from what the incident shows): `at-most-once-<tool>`
 *   for every side-effecting tool (the effect ledger), `e2e-within-sla` when an SLA is given (each
 *   conversation's time from arrival to its last answer), `tool-calls-answered` (every tool call
 *   the agent started got an answer before the run ended).
 * - Mitigations: the catalog's harness switches, applied to every step: `idempotency-keys`,
 *   `deadline-propagation` (the tools are told the caller's deadline and give up at it),
 *   `cancel-on-abandon` (an abandoned call is cancelled before it commits).
 * - Faults: `tool-slowdown` on any tool (calls starting in the window take 15 s longer).
 *
 * Parameters are generated from the workload (one group per tool), so the imported YAML file
 * reads as what was seen and can be edited like any scenario file.
 */
import { AgentHarness, type PlanStep } from "../actors/agent-harness.js";
import { EffectLedger } from "../actors/effect-ledger.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { SimTool } from "../actors/tool.js";
import { atMostOnceEffects } from "../checks/at-most-once.js";
import { everyWithin, type LatencySample } from "../checks/latency.js";
import { verdict, type Verdict } from "../checks/verdict.js";
import type { Distribution } from "../sim/distributions.js";
import { formatDuration } from "../sim/duration.js";
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
    ],
    faults: [{ name: "tool-slowdown", description: `calls that start while it lasts take ${formatDuration(SLOWDOWN_MS)} longer`, targets: toolNames }],
    defaults: { seed: w.seed ?? 1, horizon: formatDuration(Math.max(3_600_000, w.conversations.windowMs * 2)) },
    build({ sim, params: raw, mitigations, faults }) {
      const v = raw as unknown as IncidentValues;
      const ledger = new EffectLedger();
      const llm = new LlmProvider(sim, { name: "llm", ttft: v.model.latency, tokensPerSecond: 1e9, p500: v.model.errorRate });
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
          model: llm,
          retry: { exponential: { base: v.client.backoff, jitter: "full", maxAttempts: v.client.maxAttempts } },
          attemptBudget: v.client.timeout,
          switches,
        });
        const plan: PlanStep[] = w.steps.map((s, k) => ({
          name: `${s.tool} #${k + 1}`,
          tool: tools.get(s.tool) as SimTool,
          think: { inputTokens: w.model.inputTokens, outputTokens: w.model.outputTokens },
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
            const tool = inv.name.slice("at-most-once-".length);
            return atMostOnceEffects(
              ledger.entries.filter((e) => e.effect === tool),
              { invariant: inv.name, noun: tool },
            );
          }),
        metrics: () => incidentMetrics(tools, ledger, ended, starts.length),
      };
    },
  });
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
  return tree as ParamTree;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
