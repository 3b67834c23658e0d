import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { nullRationalization } from "../../src/scenarios/null-rationalization.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = nullRationalization.defaults.seed;
const memo = new Map<string, Promise<RunResult>>();
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> => {
  const key = JSON.stringify([mitigations, params, seed]);
  if (!memo.has(key)) memo.set(key, runScenario({ scenario: nullRationalization, seed, mitigations, params }));
  return memo.get(key) as Promise<RunResult>;
};
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const kinds = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind);
/** The question an event answers: the root of its causal chain. */
const questionOf = (r: RunResult, id: number): TraceEvent => r.trace.causalChain(id)[0] as TraceEvent;
const isNullResult = (e: TraceEvent): boolean => e.kind === "tool.call" && e.phase === "end" && e.attrs?.ok === true && e.attrs.result === null;

describe("null-rationalization at its default seed", () => {
  it("forwards stock figures the tool never gave: each fact's chain ends at a null result", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    for (const v of r.violations) {
      expect(v.invariant).toBe("grounded-answers");
      const [result, claim, answer] = v.evidence.map((id) => ev(r, id));
      expect(isNullResult(result as TraceEvent)).toBe(true);
      expect(claim).toMatchObject({ kind: "llm.answer", layer: "model", parent: result?.id, attrs: { outcome: "claim" } });
      expect(answer).toMatchObject({ kind: "answer.sent", layer: "harness", parent: claim?.id });
      expect(v.message).toMatch(/^answer states "SKU-\d{4} has \d+ units in stock" but the tool returned an empty result \(inventory\.lookup at event #\d+\)/);
    }
  });

  it("the fabricated facts are about the discontinued SKUs the customers asked about", async () => {
    const r = await run();
    const discontinued = new Set(["SKU-2087", "SKU-4410", "SKU-4411", "SKU-5120"]);
    for (const v of r.violations) {
      const question = questionOf(r, v.evidence.at(-1) as number);
      expect(question).toMatchObject({ kind: "question.asked", layer: "user" });
      const sku = String(question.attrs?.sku);
      expect(discontinued.has(sku)).toBe(true);
      expect(v.message).toContain(`"${sku} has `);
    }
  });

  it("the chain shows the joint: customer, harness and model, then tool null -> model claim -> harness answer", async () => {
    const r = await run();
    const chain = r.trace.causalChain(r.violations[0]?.evidence.at(-1) as number);
    expect(chain[0]?.layer).toBe("user");
    expect(chain.slice(-3).map((e) => [e.layer, e.kind])).toEqual([
      ["tool", "tool.call"],
      ["model", "llm.answer"],
      ["harness", "answer.sent"],
    ]);
    expect(isNullResult(chain.at(-3) as TraceEvent)).toBe(true);
  });

  it("each layer's own log looks clean: every call answered 200, nothing was retried", async () => {
    const r = await run();
    const ends = r.trace.events.filter((e) => e.kind === "tool.call" && e.phase === "end");
    expect(ends.every((e) => e.attrs?.ok === true)).toBe(true);
    expect(metric(r, "tool errors")).toBe(0);
    expect(metric(r, "harness retries")).toBe(0);
    expect(kinds(r, "retry.scheduled")).toHaveLength(0);
  });

  it("its metrics count the nulls and the facts made from them", async () => {
    const r = await run();
    const nulls = r.trace.events.filter(isNullResult);
    expect(metric(r, "null results")).toBe(nulls.length);
    expect(metric(r, "ungrounded facts")).toBe(r.violations.length);
    expect(metric(r, "rationalization rate")).toBeCloseTo(r.violations.length / nulls.length, 9);
    expect(metric(r, "questions answered")).toBe(100);
    const withFacts = kinds(r, "answer.sent").filter((a) => (a.attrs?.facts as unknown[]).length > 0).length;
    expect(metric(r, "answers stating a fact")).toBe(withFacts);
    // Every answer about a live SKU states a fact, and so does each rationalized null.
    expect(withFacts).toBe(100 - nulls.length + r.violations.length);
  });

  it("a model that never rationalizes answers every null with 'I don't know': it holds", async () => {
    const r = await run([], { model: { pRationalize: 0 } });
    expect(r.trace.events.some(isNullResult)).toBe(true);
    expect(r.verdict).toBe("held");
  });
});

describe("null-rationalization with validate-tool-results", () => {
  it("holds: an empty result goes back to the model as an error, and the answer asks instead of stating a figure", async () => {
    const r = await run(["validate-tool-results"]);
    expect(r.verdict).toBe("held");
    const feedback = kinds(r, "feedback");
    expect(feedback.length).toBeGreaterThan(0);
    for (const f of feedback) expect(f.attrs).toMatchObject({ error: "empty-result" });
    const nullQuestions = new Set(r.trace.events.filter(isNullResult).map((e) => questionOf(r, e.id).id));
    for (const a of kinds(r, "answer.sent")) {
      if (!nullQuestions.has(questionOf(r, a.id).id)) continue;
      expect(a.attrs?.facts).toEqual([]);
      expect(String(a.attrs?.text)).toMatch(/could not find stock data .* Could you confirm the SKU\?$/);
    }
    expect(metric(r, "empty results sent back to the model")).toBe(feedback.length);
    expect(metric(r, "ungrounded facts")).toBe(0);
  });

  it("answers about live SKUs are unchanged: they still state their figures, grounded in the tool's rows", async () => {
    const [off, on] = await Promise.all([run(), run(["validate-tool-results"])]);
    const live = (r: RunResult): number => kinds(r, "answer.sent").filter((a) => (a.attrs?.facts as unknown[]).length > 0).length;
    expect(live(on)).toBe(metric(off, "answers stating a fact") - off.violations.length);
  });
});

describe("null-rationalization: the invented fact comes from the model's context", () => {
  it.each([
    ["at the defaults", {}],
    ["in conversations of four turns", { questions: { perConversation: 4, pDiscontinued: 0.3 }, model: { pRationalize: 0.6 } }],
  ])(
    "%s, every made-up figure is the latest one in the conversation: an earlier turn's stated figure, or the quantity the question asked for (before: a value the scenario drew)",
    async (_name, params) => {
      const r = await runScenario({ scenario: nullRationalization, seed: nullRationalization.defaults.seed, params });
      const events = r.trace.events;
      const asked = new Map(events.filter((e) => e.kind === "question.asked").map((e) => [String(e.attrs?.question), e]));
      const sent = events.filter((e) => e.kind === "answer.sent");
      const invented = r.violations.map((v) => v.evidence.map((id) => r.trace.get(id)!).find((e) => e.kind === "answer.sent")!);
      expect(invented.length).toBeGreaterThan(0);
      const from = { question: 0, turn: 0 };
      for (const answer of invented) {
        const question = asked.get(String(answer.attrs?.question))!;
        const conversation = question.attrs?.conversation;
        const [fact] = answer.attrs?.facts as { claim: string; echoes: number; echoesFrom: string }[];
        const figure = Number(/has (\d+) units/.exec(fact!.claim)?.[1]);
        // The latest figure an earlier turn of this conversation stated, if any; else the question's quantity.
        const earlier = sent
          .filter(
            (e) => e.t < answer.t && asked.get(String(e.attrs?.question))?.attrs?.conversation === conversation && (e.attrs?.facts as unknown[]).length > 0,
          )
          .at(-1);
        const expected = earlier
          ? Number(/has (\d+) units/.exec((earlier.attrs?.facts as { claim: string }[])[0]!.claim)?.[1])
          : Number(question.attrs?.quantity);
        expect(figure).toBe(expected);
        expect(fact!.echoesFrom).toBe(earlier ? "an earlier turn" : "the question");
        const echoed = r.trace.get(fact!.echoes)!;
        expect(echoed.t).toBeLessThanOrEqual(answer.t);
        if (earlier) from.turn++;
        else from.question++;
      }
      expect(r.metrics.find((m) => m.name === "invented from the question")?.value).toBe(from.question);
      expect(r.metrics.find((m) => m.name === "invented from an earlier turn")?.value).toBe(from.turn);
    },
  );

  it("with one question per conversation, every made-up figure echoes the quantity the customer asked for", async () => {
    const r = await runScenario({ scenario: nullRationalization, seed: nullRationalization.defaults.seed, params: { questions: { perConversation: 1 } } });
    expect(r.violations.length).toBeGreaterThan(0);
    const asked = new Map(r.trace.events.filter((e) => e.kind === "question.asked").map((e) => [String(e.attrs?.question), e]));
    for (const v of r.violations) {
      const answer = v.evidence.map((id) => r.trace.get(id)!).find((e) => e.kind === "answer.sent")!;
      const [fact] = answer.attrs?.facts as { claim: string; echoes: number }[];
      expect(fact!.claim).toContain(`has ${String(asked.get(String(answer.attrs?.question))?.attrs?.quantity)} units`);
      expect(r.trace.get(fact!.echoes)?.kind).toBe("question.asked");
    }
  });
});
