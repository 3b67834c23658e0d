import { describe, expect, it } from "vitest";
import { groundedAnswers } from "../../src/checks/grounding.js";
import { noSpendSpike } from "../../src/checks/spend-spike.js";
import { Trace } from "../../src/sim/trace.js";

describe("groundedAnswers", () => {
  const clock = { now: 0 };
  const trace = new Trace(clock);
  const callA = trace.begin({ actor: "search", layer: "tool", kind: "tool.call" });
  const resA = trace.end(callA, { result: { price: 42 } });
  const callB = trace.begin({ actor: "search", layer: "tool", kind: "tool.call" });
  const resB = trace.end(callB, { result: null });
  const modelA = trace.instant({ actor: "llm", layer: "model", kind: "llm.interpret", parent: resA });
  const modelB = trace.instant({ actor: "llm", layer: "model", kind: "llm.interpret", parent: resB });
  const answer = trace.instant({ actor: "agent", layer: "harness", kind: "answer" });

  it("accepts a fact whose chain reaches a non-empty result", () => {
    expect(groundedAnswers(trace, [{ claim: "price is 42", source: modelA, answerEventId: answer, at: 0 }]).held).toBe(true);
  });

  it("rejects a fact derived from a null result, naming the tool event", () => {
    const v = groundedAnswers(trace, [{ claim: "ships in 2 days", source: modelB, answerEventId: answer, at: 5 }]);
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toContain(`event #${resB}`);
    expect(v.violations[0]?.evidence).toContain(resB);
  });

  it("rejects a fact with no tool in its chain", () => {
    expect(groundedAnswers(trace, [{ claim: "x", source: answer, answerEventId: answer, at: 0 }]).held).toBe(false);
  });
});

describe("noSpendSpike", () => {
  const steady = Array.from({ length: 120 }, (_, i) => ({ t: i * 60_000, usd: 1, eventId: i }));
  it("holds for steady spend", () => {
    expect(noSpendSpike(steady, { windowMs: 180_000, trailingMs: 3_600_000, multiple: 3 }).held).toBe(true);
  });
  it("flags a burst of nine times the trailing rate", () => {
    const burst = [...steady, ...Array.from({ length: 27 }, (_, i) => ({ t: 120 * 60_000 + i * 1000, usd: 1, eventId: 1000 + i }))];
    const v = noSpendSpike(burst, { windowMs: 180_000, trailingMs: 3_600_000, multiple: 3 });
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toMatch(/\d+\.\dx the trailing rate/);
  });
});
