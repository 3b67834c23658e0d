/**
 * null-rationalization (SCENARIOS.md #12): "Reading the Agent Stack Trace". Customers ask a support
 * agent about stock. The agent thinks (a model call), calls an inventory tool, and the model turns
 * the tool's result into the answer the harness forwards. For one query shape, SKUs that were
 * discontinued, the tool has no row and answers `{"result": null}` with a 200. The model sometimes
 * rationalizes the null into a confident, plausible fact; the harness forwards it. The fact is
 * made of what the model has in context, never of a value the scenario invents: a conversation is
 * a few turns, each question names the quantity the customer needs ("Do you have 12 units of
 * SKU-2087?"), and the model states the latest figure in its context as the stock: the figure an
 * earlier turn of the conversation stated, or else the quantity the question asked for. Each layer's own
 * log looks clean (the tool answered 200, the model answered, the harness retried nothing): the
 * failure lives in the joints, and only the unified causal trace shows the chain
 * tool null -> model claim -> harness answer.
 *
 * - Actors: the LLM provider (`llm-provider.ts`: `interpretToolResult` with `pRationalize`), the
 *   inventory tool (`tool.ts`: `nullWhen`), the agent harness (`agent-harness.ts`).
 * - Invariant `grounded-answers` (`checks/grounding.ts`): every fact in an answer the harness sent
 *   traces, through causal links, to a tool result that held data.
 * - Mitigation `validate-tool-results` (the harness's `validateResults` switch): an empty result
 *   becomes an explicit error that goes back to the model; when it persists, the step fails and
 *   the answer says the agent does not know and asks the customer to confirm the SKU.
 */
import { groundedAnswers, type AnswerFact } from "../checks/grounding.js";
import type { Verdict } from "../checks/verdict.js";
import { AgentHarness, type PlanStep } from "../actors/agent-harness.js";
import { LLM_DEFAULTS, TOOL_DEFAULTS } from "../actors/defaults.js";
import type { StepReport } from "../actors/harness-contract.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { isEmptyResult } from "../actors/contracts.js";
import { SimTool } from "../actors/tool.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { Attrs, AttrValue, TraceEvent } from "../sim/trace.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

const params = {
  questions: {
    count: p.int(100, { min: 1, max: 100_000, explore: [50, 150], doc: "stock questions customers ask", source: "assumption: a shift's worth of questions" }),
    perMinute: p.number(6, { min: 0.01, max: 10_000, explore: [2, 20], doc: "conversation arrivals per minute (Poisson)", source: "assumption" }),
    perConversation: p.int(2, {
      min: 1,
      max: 20,
      explore: [1, 4],
      doc: "questions in a conversation, asked one after another: the earlier turns are in the model's context",
      source: "assumption: a customer asks about a couple of items",
    }),
    maxQuantity: p.int(40, {
      min: 1,
      max: 10_000,
      explore: [5, 100],
      doc: "a question names a quantity the customer needs, 1 to this many",
      source: "assumption: a small order",
    }),
    pDiscontinued: p.probability(0.15, {
      explore: [0.05, 0.3],
      doc: "share of questions about a discontinued SKU: the query shape the tool answers with {result: null}",
      source: 'the post: a tool quietly returned {"result": null} for one specific query shape; the share is an assumption',
    }),
  },
  model: {
    pRationalize: p.probability(0.3, {
      explore: [0.1, 0.6],
      doc: "chance that the model turns an empty tool result into a confident fact",
      source: "the post: the model rationalized the null into a plausible-sounding fact (no rate given; assumption)",
    }),
    thinkInputTokens: p.int(2_500, {
      min: 1,
      doc: "tokens of the model call that picks the tool call",
      source: "assumption: a system prompt, the question and tool definitions",
    }),
    thinkOutputTokens: p.int(60, { min: 1, doc: "tokens of that call's answer (the tool call)", source: "assumption" }),
    answerOutputTokens: p.int(120, { min: 1, doc: "tokens of the answer the model writes for the customer", source: "assumption: a short reply" }),
    ttft: p.distribution(LLM_DEFAULTS.ttft, { doc: "time to first token", source: 'FACTS.md "Latency": p50/p95 600/2,000 ms' }),
  },
  tool: {
    latency: p.distribution(TOOL_DEFAULTS.latency, {
      doc: "the inventory tool's work time",
      source: "src/actors/defaults.ts TOOL_DEFAULTS (SCENARIOS.md #11: a search tool's 200 ms median)",
    }),
  },
  validate: {
    feedbackRounds: p.int(1, {
      min: 0,
      max: 10,
      explore: [0, 2],
      doc: "with validate-tool-results: times an empty result goes back to the model for another try before the step fails",
      source: "HARNESS_DEFAULTS.maxFeedbackRounds (agentsim's choice)",
    }),
  },
};

type Values = ParamValues<typeof params>;

const TOOL = "inventory.lookup";
/** SKUs the inventory no longer carries: the tool has no row for them. */
const DISCONTINUED = ["SKU-2087", "SKU-4410", "SKU-4411", "SKU-5120"];
const LIVE_SKUS = 40;

interface World {
  sim: Simulation;
  v: Values;
  validate: boolean;
  llm: LlmProvider;
  tool: SimTool;
  agent: AgentHarness;
}

export const nullRationalization = defineScenario({
  name: "null-rationalization",
  title: "Reading the Agent Stack Trace: Triangulating Failures Across Model, Tool, and Harness",
  summary: "a tool answers {result: null} for discontinued SKUs; the model turns the null into a stock figure and the harness forwards it",
  params,
  invariants: [{ name: "grounded-answers", description: "every fact in an answer traces, through the causal trace, to a non-null tool result" }],
  mitigations: [
    {
      name: "validate-tool-results",
      description: "an empty result becomes an explicit error the model must handle: the answer says it does not know and asks",
    },
  ],
  defaults: { seed: 20, horizon: "2h" },
  build({ sim, params: v, mitigations }) {
    const validate = mitigations.has("validate-tool-results");
    const llm = new LlmProvider(sim, { ttft: v.model.ttft, pRationalize: v.model.pRationalize });
    const tool = new SimTool(sim, { name: TOOL, latency: v.tool.latency, nullWhen: (args) => DISCONTINUED.includes(String(args.sku)), resultFor: stockOf });
    const agent = new AgentHarness({
      name: "agent",
      model: llm,
      ...(validate ? { switches: { validateResults: true }, maxFeedbackRounds: v.validate.feedbackRounds } : {}),
    });
    const world: World = { sim, v, validate, llm, tool, agent };
    startQuestions(world);
    return {
      check: () => [grounded(sim)],
      metrics: () => metrics(world),
    };
  },
});

/** The inventory's row for a live SKU (fixed per SKU: the tool reads a table, it draws nothing). */
function stockOf(args: Attrs): AttrValue {
  const n = Number(String(args.sku).slice(4));
  return { sku: String(args.sku), in_stock: (n * 7) % 50, price_usd: 10 + (n % 30) };
}

/** A figure the model has in context, and the event that put it there. */
interface ContextFigure {
  figure: number;
  from: "the question" | "an earlier turn";
  eventId: number;
}

/**
 * Conversations arrive (Poisson); each asks `perConversation` questions one after another, each
 * about a SKU (a discontinued one with `pDiscontinued`) and a quantity the customer needs.
 */
function startQuestions(world: World): void {
  const { sim, v } = world;
  const arrivals = sim.rng("questions:arrivals");
  const topics = sim.rng("questions:skus");
  const meanGap = 60_000 / v.questions.perMinute;
  sim.spawn("questions", async (ctx) => {
    for (let n = 1, conversation = 1; n <= v.questions.count; conversation++) {
      await ctx.sleep(-meanGap * Math.log(arrivals.nextOpen()));
      const turns: { question: string; sku: string; quantity: number }[] = [];
      for (let t = 0; t < v.questions.perConversation && n <= v.questions.count; t++, n++) {
        const discontinued = topics.chance(v.questions.pDiscontinued);
        const pick = topics.next();
        const sku = discontinued ? (DISCONTINUED[Math.floor(pick * DISCONTINUED.length)] as string) : `SKU-${1000 + Math.floor(pick * LIVE_SKUS)}`;
        turns.push({ question: `Q-${String(n).padStart(4, "0")}`, sku, quantity: topics.int(1, v.questions.maxQuantity) });
      }
      const name = `C-${String(conversation).padStart(4, "0")}`;
      sim.spawn(`conversation ${name}`, async (c) => {
        const context: ContextFigure[] = [];
        for (const turn of turns) await answer(c, world, name, turn.question, turn.sku, turn.quantity, context);
      });
    }
  });
}

/**
 * One question: look the SKU up, let the model read the result, forward its answer. `context`
 * holds the figures the conversation's earlier turns stated; this turn adds its own.
 */
async function answer(
  ctx: ProcessContext,
  world: World,
  conversation: string,
  question: string,
  sku: string,
  quantity: number,
  context: ContextFigure[],
): Promise<void> {
  const { sim, v, llm, tool, agent } = world;
  const text = `Do you have ${quantity} units of ${sku} in stock?`;
  const asked = sim.trace.instant({ actor: "customer", layer: "user", kind: "question.asked", attrs: { conversation, question, sku, quantity, text } });
  const lookup: PlanStep = {
    name: "check_stock",
    tool,
    think: { inputTokens: v.model.thinkInputTokens, outputTokens: v.model.thinkOutputTokens },
    args: () => ({ sku }),
  };
  const run = await agent.run(ctx, [lookup], asked);
  const step = run.steps[0] as StepReport;
  const cause = step.resultEventId ?? step.eventId;
  const wrote = await llm.complete(ctx, { caller: agent.name, inputTokens: v.model.thinkInputTokens, outputTokens: v.model.answerOutputTokens, parent: cause });
  if (step.outcome !== "succeeded" || step.resultEventId === undefined) {
    forward(sim, question, wrote.eventId, `I could not find stock data for ${sku}; it may have been discontinued. Could you confirm the SKU?`, []);
    return;
  }
  // What a rationalizing model would state: the latest figure in its context (an earlier turn's, else the question's).
  const latest = context.at(-1) ?? { figure: quantity, from: "the question" as const, eventId: asked };
  const plausible = { sku, in_stock: latest.figure, status: "available" };
  const read = llm.interpretToolResult(ctx, { caller: agent.name, result: step.result ?? null, toolEventId: step.resultEventId, plausible });
  if (read.outcome === "unknown") {
    forward(sim, question, read.eventId, `I could not find stock data for ${sku}.`, []);
    return;
  }
  const claim = claimOf(read.value);
  const invented = step.result === undefined || isEmptyResult(step.result);
  forward(sim, question, read.eventId, claim, [{ claim, source: read.eventId, ...(invented ? { echoes: latest.eventId, echoesFrom: latest.from } : {}) }]);
  const stated = Number((read.value as { in_stock?: AttrValue } | null)?.in_stock);
  if (Number.isFinite(stated)) context.push({ figure: stated, from: "an earlier turn", eventId: read.eventId });
}

/** A stock figure as the answer states it. */
function claimOf(value: AttrValue): string {
  const row = (value ?? {}) as { sku?: AttrValue; in_stock?: AttrValue };
  return `${String(row.sku)} has ${String(row.in_stock)} units in stock`;
}

/** The harness forwards the answer, citing the model event each fact came from. */
function forward(
  sim: Simulation,
  question: string,
  cause: number,
  text: string,
  facts: { claim: string; source: number; echoes?: number; echoesFrom?: string }[],
): void {
  sim.trace.instant({ actor: "agent", layer: "harness", kind: "answer.sent", parent: cause, attrs: { question, text, facts } });
}

// ---------------------------------------------------------------------------------------------
// Invariant
// ---------------------------------------------------------------------------------------------

/** The facts of every answer sent, read from the trace. */
function factsOf(events: readonly TraceEvent[]): AnswerFact[] {
  return events
    .filter((e) => e.kind === "answer.sent")
    .flatMap((e) =>
      ((e.attrs?.facts ?? []) as { claim: string; source: number }[]).map((f) => ({ claim: f.claim, source: f.source, answerEventId: e.id, at: e.t })),
    );
}

function grounded(sim: Simulation): Verdict {
  return groundedAnswers(sim.trace, factsOf(sim.trace.events), { invariant: "grounded-answers" });
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

function metrics(world: World): Metric[] {
  const events = world.sim.trace.events;
  const answers = events.filter((e) => e.kind === "answer.sent");
  const facts = factsOf(events);
  const ungrounded = grounded(world.sim).violations.length;
  const calls = world.tool.calls;
  const nulls = calls.filter((c) => c.response?.ok === true && c.response.result === null).length;
  const nullsRead = events.filter((e) => e.kind === "llm.answer" && nullParent(world.sim, e)).length;
  const ratio = (n: number, of: number): number => (of === 0 ? 0 : n / of);
  return [
    { name: "questions answered", value: answers.length, unit: "count" },
    { name: "answers stating a fact", value: answers.filter((a) => ((a.attrs?.facts ?? []) as unknown[]).length > 0).length, unit: "count" },
    { name: "answers saying it does not know", value: answers.filter((a) => ((a.attrs?.facts ?? []) as unknown[]).length === 0).length, unit: "count" },
    { name: "facts stated", value: facts.length, unit: "count" },
    { name: "ungrounded facts", value: ungrounded, unit: "count", note: "facts whose causal chain ends at a null tool result" },
    { name: "null results", value: nulls, unit: "count", note: "calls the tool answered 200 with {result: null}" },
    {
      name: "invented from the question",
      value: facts.filter((f) => echoOf(events, f) === "the question").length,
      unit: "count",
      note: "made-up figures that echo the quantity the customer asked for",
    },
    {
      name: "invented from an earlier turn",
      value: facts.filter((f) => echoOf(events, f) === "an earlier turn").length,
      unit: "count",
      note: "made-up figures carried over from an earlier answer in the conversation",
    },
    { name: "rationalization rate", value: ratio(ungrounded, nullsRead), unit: "ratio", note: "null results the model read that became a stated fact" },
    { name: "tool calls", value: calls.length, unit: "count" },
    { name: "tool errors", value: calls.filter((c) => c.response?.ok === false).length, unit: "count", note: "the tool's own log: every call answered 200" },
    { name: "harness retries", value: events.filter((e) => e.kind === "retry.scheduled").length, unit: "count", note: "the harness's own log" },
    {
      name: "empty results sent back to the model",
      value: events.filter((e) => e.kind === "feedback" && e.attrs?.error === "empty-result").length,
      unit: "count",
    },
  ];
}

/** Where a stated fact's figure came from, if the model made it up from its context. */
function echoOf(events: readonly TraceEvent[], fact: AnswerFact): string | undefined {
  const sent = events.find((e) => e.id === fact.answerEventId);
  const f = ((sent?.attrs?.facts ?? []) as { claim: string; echoesFrom?: string }[]).find((x) => x.claim === fact.claim);
  return f?.echoesFrom;
}

/** Whether a model reading (`llm.answer`) was of a null tool result. */
function nullParent(sim: Simulation, e: TraceEvent): boolean {
  const parent = e.parent === undefined ? undefined : sim.trace.get(e.parent);
  return parent?.layer === "tool" && parent.phase === "end" && parent.attrs?.result === null;
}
