/**
 * shared-tool-race (SCENARIOS.md #10, "When Two Agents Share a Tool"): order-handling agents run
 * in parallel against one inventory tool backed by shared state. For each order an agent reads
 * the stock, thinks for a few seconds (an LLM call), and writes back stock minus the quantity.
 * When two agents' read-think-write windows overlap, the later write overwrites the earlier one:
 * an update is lost. Every call succeeds, every output is well formed, no exception is thrown.
 *
 * - Actors: the shop (orders arriving for each agent), the agents, the LLM provider (think time),
 *   the shared store (`SharedStore`: versioned, with read and write tools, latency, compare-and-set
 *   and an operation history), an auditor who reads the final stock once every agent is done.
 * - Invariant `no-lost-updates`: each agent's read-modify-write is one logical operation "take q
 *   units"; together with the audit read, the history must be linearizable under `counterModel`
 *   (some serial order of the committed updates, consistent with real time, explains every value
 *   written and the final stock). The message names the lost updates from the store's versions
 *   (`lostUpdates`).
 * - Mitigation `compare-and-set`: each write carries the version its agent read; the store
 *   rejects a stale write (`conflict`, no effect) and the agent re-reads, thinks again and retries.
 *
 * Trace: `order` (user) -> `inventory.update` (harness; attrs order, delta) -> `store.call` read
 * -> `llm.call` -> `store.call` write (-> `cas.retry` -> the next read, on a conflict).
 */
import { LlmProvider } from "../actors/llm-provider.js";
import { SharedStore, type StoreOp } from "../actors/shared-store.js";
import { counterModel, linearizable, type CounterInput, type CounterOutput, type HistoryOp } from "../checks/linearizability.js";
import { lostUpdates, type CommittedUpdate } from "../checks/lost-updates.js";
import { verdict, type Verdict } from "../checks/verdict.js";
import { formatTimestamp } from "../sim/duration.js";
import type { ProcessContext, ProcessHandle, Simulation } from "../sim/simulation.js";
import type { Attrs, Trace, TraceEvent } from "../sim/trace.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric, type Series } from "./scenario.js";

const params = {
  agents: p.int(2, {
    min: 1,
    max: 50,
    explore: [2, 5],
    doc: "agents handling orders in parallel against the same inventory tool (1: the control run, nothing to race)",
    source: 'the post ("spin up another agent to handle that in parallel"); SCENARIOS.md #10: two or more',
  }),
  ordersPerAgent: p.int(6, {
    min: 1,
    max: 1_000,
    explore: [2, 10],
    doc: "orders each agent handles, one after another",
    source: "assumption: a short burst of orders",
  }),
  orderGap: p.duration("8s", {
    min: "0ms",
    explore: ["0ms", "30s"],
    doc: "mean wait before each order reaches its agent (exponential): how busy the shop is",
    source: "assumption: a busy shop, an order every few seconds per agent",
  }),
  maxQuantity: p.int(3, {
    min: 1,
    max: 1_000,
    explore: [1, 5],
    doc: "each order takes 1 to this many units (uniform)",
    source: "assumption: small retail orders",
  }),
  sku: p.string("SKU-4417", { doc: "the inventory item every order takes from" }),
  initialStock: p.int(500, {
    min: 0,
    doc: "units in stock when the run starts",
    source: "assumption: more than any run's orders take, so the count never runs out",
  }),
  think: {
    inputTokens: p.int(2_000, { min: 1, doc: "input tokens of each think (the order, the stock read, instructions)", source: "assumption" }),
    outputTokens: p.int(200, {
      min: 1,
      explore: [50, 600],
      doc: "output tokens of each think: with the provider's speed, sets how long an agent holds a stale read",
      source: 'the post ("thinks for a few seconds"): 200 tokens at 80 tokens/s plus time to first token, about 3 s',
    }),
  },
  store: {
    latency: p.distribution(
      { lognormal: { p50: "80ms", p99: "1s" } },
      { doc: "latency of each read and write of the inventory tool", source: "STORE_DEFAULTS.latency in defaults.ts (SCENARIOS.md #11's 80 ms SQL)" },
    ),
  },
};

type Values = ParamValues<typeof params>;

/** The actors of one run. */
interface World {
  sim: Simulation;
  v: Values;
  llm: LlmProvider;
  store: SharedStore;
  cas: boolean;
}

/** One agent's orders: wait for each, then update the stock for it. */
async function agent(ctx: ProcessContext, w: World, name: string): Promise<void> {
  const orders = ctx.rng(`${name}:orders`);
  for (let i = 1; i <= w.v.ordersPerAgent; i++) {
    await ctx.sleep(-w.v.orderGap * Math.log(orders.nextOpen()));
    const order = `O-${name.replace("agent-", "")}-${i}`;
    const quantity = orders.int(1, w.v.maxQuantity);
    const placed = ctx.sim.trace.instant({ actor: "shop", layer: "user", kind: "order", attrs: { order, sku: w.v.sku, quantity } });
    await update(ctx, w, name, order, -quantity, placed);
  }
}

/** Read, think, write back; with compare-and-set, re-read and retry until the write is not stale. */
async function update(ctx: ProcessContext, w: World, name: string, order: string, delta: number, parent: number): Promise<void> {
  const trace = ctx.sim.trace;
  const key = w.v.sku;
  const span = trace.begin({ actor: name, layer: "harness", kind: "inventory.update", parent, attrs: { order, sku: key, delta } });
  let cause = span;
  for (let attempt = 1; ; attempt++) {
    const read = await w.store.readTool.call(ctx, { args: { key }, caller: name, parent: cause });
    if (!read.ok) throw new Error(`${name}: reading ${key} failed: ${read.message}`);
    const seen = read.result as { value: number; version: number };
    const thought = await w.llm.complete(ctx, { caller: name, inputTokens: w.v.think.inputTokens, outputTokens: w.v.think.outputTokens, parent: read.eventId });
    const value = seen.value + delta;
    const args: Attrs = w.cas ? { key, value, expectedVersion: seen.version } : { key, value };
    const wrote = await w.store.writeTool.call(ctx, { args, caller: name, parent: thought.eventId });
    if (wrote.ok) {
      trace.end(span, { attempts: attempt, read: seen.value, wrote: value });
      return;
    }
    if (wrote.error !== "conflict") throw new Error(`${name}: writing ${key} failed: ${wrote.message}`);
    cause = trace.instant({ actor: name, layer: "harness", kind: "cas.retry", parent: wrote.eventId, attrs: { order, attempt, message: wrote.message } });
  }
}

/** Once every agent is done, the auditor reads the final stock. */
function auditor(w: World, agents: readonly ProcessHandle<void>[]): void {
  w.sim.spawn("auditor", async (ctx) => {
    for (const a of agents) await ctx.join(a);
    const audit = ctx.sim.trace.instant({ actor: "auditor", layer: "user", kind: "audit", attrs: { sku: w.v.sku } });
    await w.store.readTool.call(ctx, { args: { key: w.v.sku }, caller: "auditor", parent: audit });
  });
}

/** The committed updates, from the store's history and the trace's causal links. */
function committedUpdates(trace: Trace, ops: readonly StoreOp[]): (CommittedUpdate & { invokedAt: number })[] {
  const reads = new Map(ops.filter((o) => o.op === "read").map((o) => [o.span, o]));
  return ops.flatMap((op) => {
    if (op.op === "read" || op.ok !== true || op.version === undefined) return [];
    const chain = trace.causalChain(op.span);
    const intent = findLast(chain, (e) => e.kind === "inventory.update" && e.phase === "begin");
    const read = findLast(chain, (e) => reads.has(e.id));
    const readOp = read && reads.get(read.id);
    if (!intent || readOp?.version === undefined) return [];
    const label = String(intent.attrs?.order ?? intent.actor);
    return [
      {
        process: op.process,
        label,
        delta: Number(intent.attrs?.delta),
        readVersion: readOp.version,
        writtenVersion: op.version,
        value: Number(op.value),
        invokedAt: intent.t,
        returnedAt: op.returnedAt,
        eventId: op.eventId,
      },
    ];
  });
}

/** Each committed update as one counter operation, and the audit read. */
function counterHistory(updates: readonly (CommittedUpdate & { invokedAt: number })[], ops: readonly StoreOp[]): HistoryOp<CounterInput, CounterOutput>[] {
  const history: HistoryOp<CounterInput, CounterOutput>[] = updates.map((u) => ({
    process: `${u.process} (order ${u.label})`,
    invokedAt: u.invokedAt,
    returnedAt: u.returnedAt,
    input: { op: "update", delta: u.delta },
    output: { result: u.value },
    eventId: u.eventId,
  }));
  for (const op of ops) {
    if (op.process === "auditor" && op.op === "read" && op.ok === true) {
      history.push({
        process: "auditor",
        invokedAt: op.invokedAt,
        returnedAt: op.returnedAt,
        input: { op: "read" },
        output: { result: Number(op.value) },
        eventId: op.eventId,
      });
    }
  }
  return history;
}

function judge(w: World): Verdict {
  const ops = w.store.history;
  const updates = committedUpdates(w.sim.trace, ops);
  const found = linearizable(counterHistory(updates, ops), counterModel(w.v.initialStock), { invariant: "no-lost-updates", object: `the stock of ${w.v.sku}` });
  const lost = lostUpdates(updates);
  const first = lost[0];
  if (found.held || !first) return found;
  const taken = updates.reduce((s, u) => s - u.delta, 0);
  const final = w.store.get(w.v.sku).value;
  const { lost: l, overwrittenBy: by } = first;
  const message =
    `${l.process}'s update for order ${l.label} (${l.delta}, version ${l.writtenVersion}) was overwritten at ${formatTimestamp(by.returnedAt)} by ` +
    `${by.process}'s write of ${by.value} (order ${by.label}, computed from version ${by.readVersion}): the update was lost. ` +
    `${lost.length} of ${updates.length} committed updates lost; ${w.v.sku} ends at ${String(final)} instead of ${w.v.initialStock} - ${taken} = ${w.v.initialStock - taken}, ` +
    "and no serial order of the committed updates explains the values written";
  return verdict(
    found.invariant,
    found.violations.map((x) => ({ at: x.at, evidence: x.evidence, message })),
  );
}

function metrics(w: World): Metric[] {
  const ops = w.store.history;
  const updates = committedUpdates(w.sim.trace, ops);
  const lost = lostUpdates(updates).length;
  const taken = updates.reduce((s, u) => s - u.delta, 0);
  const conflicts = ops.filter((o) => o.error === "conflict").length;
  return [
    { name: "updates intended", value: w.v.agents * w.v.ordersPerAgent, unit: "count", note: "orders placed" },
    { name: "updates applied", value: updates.length - lost, unit: "count", note: "committed and still in the final stock" },
    { name: "updates lost", value: lost, unit: "count", note: "committed, then overwritten by a write that never read them" },
    { name: "CAS retries", value: conflicts, unit: "count", note: "stale writes the store rejected (compare-and-set)" },
    { name: "final stock", value: Number(w.store.get(w.v.sku).value), unit: "count" },
    { name: "expected stock", value: w.v.initialStock - taken, unit: "count", note: "initial stock minus every committed order" },
  ];
}

function stockSeries(w: World): Record<string, Series> {
  const writes = w.store.history.filter((o) => o.op !== "read" && o.ok === true && o.appliedAt !== undefined);
  return { [`stock of ${w.v.sku}`]: writes.map((o) => [o.appliedAt as number, Number(o.value)]) };
}

function findLast(events: readonly TraceEvent[], match: (e: TraceEvent) => boolean): TraceEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (match(events[i] as TraceEvent)) return events[i];
  return undefined;
}

export const sharedToolRace = defineScenario({
  name: "shared-tool-race",
  title: "When Two Agents Share a Tool",
  summary: "parallel agents read, think and write back one inventory count; overlapping updates are silently lost",
  params,
  invariants: [{ name: "no-lost-updates", description: "the final state equals some serial order of the committed updates (the history is linearizable)" }],
  mitigations: [{ name: "compare-and-set", description: "writes carry the version they read; a stale write is rejected and the agent re-reads and retries" }],
  defaults: { seed: 10, horizon: "2h" },
  build({ sim, params: v, mitigations }) {
    const w: World = {
      sim,
      v,
      llm: new LlmProvider(sim),
      store: new SharedStore(sim, { name: "inventory", latency: v.store.latency, timeout: null, initial: { [v.sku]: v.initialStock } }),
      cas: mitigations.has("compare-and-set"),
    };
    const agents = Array.from({ length: v.agents }, (_, i) => sim.spawn(`agent-${i + 1}`, (ctx) => agent(ctx, w, `agent-${i + 1}`)));
    auditor(w, agents);
    return {
      check: () => [judge(w)],
      metrics: () => metrics(w),
      series: () => stockSeries(w),
    };
  },
});
