import { describe, it, expect } from "vitest";
import { LlmProvider, type LlmProviderOptions } from "../../src/actors/llm-provider.js";
import { isEmptyResult } from "../../src/actors/contracts.js";
import type { ProcessContext } from "../../src/sim/simulation.js";
import { Simulation } from "../../src/sim/simulation.js";
import type { Attrs, AttrValue } from "../../src/sim/trace.js";

/** Runs `body` in a process of a fresh simulation with a provider and returns what it returned. */
async function withModel<T>(
  seed: number,
  options: LlmProviderOptions,
  body: (ctx: ProcessContext, llm: LlmProvider, sim: Simulation) => T,
): Promise<{ value: T; sim: Simulation }> {
  const sim = new Simulation({ seed });
  const llm = new LlmProvider(sim, options);
  let value: T | undefined;
  sim.spawn("caller", async (ctx) => {
    value = body(ctx, llm, sim);
  });
  await sim.run();
  return { value: value as T, sim };
}

/** A tool's argument validation, as a tool would write it: required fields with their types. */
function validate(args: Attrs): boolean {
  return typeof args.orderId === "string" && typeof args.amount === "number" && typeof args.notify === "boolean";
}

const WELL_FORMED: Attrs = { orderId: "A-1001", amount: 42.5, notify: true };

describe("sampleToolArgs", () => {
  it("returns the well-formed arguments when pMalformed is 0", async () => {
    const { value } = await withModel(1, {}, (ctx, llm) =>
      Array.from({ length: 100 }, () => llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED })),
    );
    expect(value.every((s) => !s.malformed && validate(s.args))).toBe(true);
  });

  it("malformed samples fail the tool's validation: a field dropped or mistyped", async () => {
    const { value } = await withModel(1, { pMalformed: 1 }, (ctx, llm) =>
      Array.from({ length: 200 }, () => llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED })),
    );
    expect(value.every((s) => s.malformed && !validate(s.args))).toBe(true);
    const dropped = value.filter((s) => Object.keys(s.args).length === 2).length;
    expect(dropped).toBeGreaterThan(60); // about half drop a field, the rest mistype one
    expect(dropped).toBeLessThan(140);
  });

  it("samples malformed arguments at the configured rate, per call overridable", async () => {
    const { value } = await withModel(9, { pMalformed: 0.3 }, (ctx, llm) => ({
      base: Array.from({ length: 2_000 }, () => llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED }).malformed),
      override: Array.from({ length: 2_000 }, () => llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED, pMalformed: 0.05 }).malformed),
    }));
    const rate = (xs: boolean[]): number => xs.filter(Boolean).length / xs.length;
    expect(rate(value.base)).toBeGreaterThan(0.27);
    expect(rate(value.base)).toBeLessThan(0.33);
    expect(rate(value.override)).toBeGreaterThan(0.03);
    expect(rate(value.override)).toBeLessThan(0.07);
  });

  it("traces the arguments under the parent without saying whether they are malformed", async () => {
    const { value, sim } = await withModel(1, { pMalformed: 1 }, (ctx, llm, s) => {
      const plan = s.trace.instant({ actor: "agent", layer: "harness", kind: "step.plan" });
      return { plan, sample: llm.sampleToolArgs(ctx, { caller: "agent", wellFormed: WELL_FORMED, tool: "refund", parent: plan }) };
    });
    const e = sim.trace.get(value.sample.eventId);
    expect(e).toMatchObject({ kind: "llm.tool-args", layer: "model", parent: value.plan });
    expect(e?.attrs).toEqual({ caller: "agent", tool: "refund", args: value.sample.args });
  });

  it("refuses empty well-formed arguments when it may have to corrupt them", async () => {
    const sim = new Simulation({ seed: 1 });
    const llm = new LlmProvider(sim, { pMalformed: 0.1 });
    sim.spawn("caller", async (ctx) => {
      llm.sampleToolArgs(ctx, { caller: "a", wellFormed: {} });
    });
    const out = await sim.run();
    expect(out.status).toBe("crashed");
    expect(String(out.crash?.error)).toMatch(/nothing to drop or mistype/);
  });
});

describe("interpretToolResult", () => {
  /** A tool event carrying a result, as a tool's span end would. */
  const toolEvent = (sim: Simulation, result: AttrValue): number => sim.trace.instant({ actor: "lookup", layer: "tool", kind: "tool.call", attrs: { result } });

  it("claims a non-empty result as is, derived from the tool event", async () => {
    const { value, sim } = await withModel(1, { pRationalize: 1 }, (ctx, llm, s) => {
      const tool = toolEvent(s, { status: "shipped" });
      return { tool, answer: llm.interpretToolResult(ctx, { caller: "a", result: { status: "shipped" }, toolEventId: tool }) };
    });
    expect(value.answer).toMatchObject({ outcome: "claim", value: { status: "shipped" } });
    expect(sim.trace.get(value.answer.eventId)?.parent).toBe(value.tool);
  });

  it("turns a null result into a confident claim whose only cause is the null tool event", async () => {
    const { value, sim } = await withModel(1, { pRationalize: 1 }, (ctx, llm, s) => {
      const tool = toolEvent(s, null);
      return llm.interpretToolResult(ctx, { caller: "a", result: { result: null }, toolEventId: tool, plausible: "delivered on Tuesday" });
    });
    expect(value).toMatchObject({ outcome: "claim", value: "delivered on Tuesday" });
    const e = sim.trace.get(value.eventId);
    expect(e?.kind).toBe("llm.answer");
    expect(Object.keys(e?.attrs ?? {}).sort()).toEqual(["caller", "outcome", "value"]); // no flag to read
    expect(sim.trace.get(e?.parent as number)?.attrs?.result).toBeNull();
  });

  it("says unknown for an empty result when it does not rationalize", async () => {
    const { value } = await withModel(1, { pRationalize: 0 }, (ctx, llm, s) =>
      llm.interpretToolResult(ctx, { caller: "a", result: [], toolEventId: toolEvent(s, []) }),
    );
    expect(value.outcome).toBe("unknown");
  });

  it("rationalizes at the configured rate and invents a value when given none", async () => {
    const { value } = await withModel(4, { pRationalize: 0.4 }, (ctx, llm, s) =>
      Array.from({ length: 2_000 }, () => llm.interpretToolResult(ctx, { caller: "a", result: null, toolEventId: toolEvent(s, null) })),
    );
    const claims = value.filter((v) => v.outcome === "claim");
    expect(claims.length / value.length).toBeGreaterThan(0.37);
    expect(claims.length / value.length).toBeLessThan(0.43);
    expect(claims.every((c) => c.outcome === "claim" && typeof c.value === "string" && c.value.length > 0)).toBe(true);
  });

  it("reads a result by the harness's rule: null, blank text, and lists or objects of nothing are empty", async () => {
    const empties: AttrValue[] = [null, "", "  ", [], [null], {}, { result: null }, { result: { items: [] } }];
    for (const v of empties) expect(isEmptyResult(v)).toBe(true);
    for (const v of [0, false, "x", [0], { result: 0 }]) expect(isEmptyResult(v)).toBe(false);
    const reads = await Promise.all(
      ([[null], "  ", { stock: 0 }] as AttrValue[]).map(
        async (result) =>
          (await withModel(1, { pRationalize: 0 }, (ctx, llm, s) => llm.interpretToolResult(ctx, { caller: "a", result, toolEventId: toolEvent(s, result) })))
            .value.outcome,
      ),
    );
    expect(reads).toEqual(["unknown", "unknown", "claim"]);
  });
});

describe("believedNow", () => {
  const FEB_2025_START = Date.UTC(2025, 1, 1);
  const MAR_2025_START = Date.UTC(2025, 2, 1);

  it("believes a date in the weeks before its training cutoff when the prompt gives none", async () => {
    const { value } = await withModel(1, {}, (ctx, llm) => Array.from({ length: 500 }, () => llm.believedNow(ctx, { caller: "a" }).nowMs));
    expect(value.every((t) => t >= FEB_2025_START && t < MAR_2025_START)).toBe(true);
    expect(new Set(value.map((t) => new Date(t).toISOString().slice(0, 10))).size).toBe(28);
  });

  it("uses the date the prompt gives (authoritative-now), unless it ignores it with pCutoffBelief", async () => {
    const fireTime = Date.UTC(2026, 2, 9, 9, 0, 0);
    const { value } = await withModel(2, {}, (ctx, llm) => ({
      told: Array.from({ length: 100 }, () => llm.believedNow(ctx, { caller: "a", authoritativeNow: fireTime }).nowMs),
      stubborn: Array.from({ length: 2_000 }, () => llm.believedNow(ctx, { caller: "a", authoritativeNow: fireTime, pCutoffBelief: 0.25 }).nowMs),
    }));
    expect(value.told.every((t) => t === fireTime)).toBe(true);
    const ignored = value.stubborn.filter((t) => t < MAR_2025_START).length / value.stubborn.length;
    expect(ignored).toBeGreaterThan(0.22);
    expect(ignored).toBeLessThan(0.28);
  });

  it("traces the belief as an ISO instant under its parent", async () => {
    const { value, sim } = await withModel(1, {}, (ctx, llm) => llm.believedNow(ctx, { caller: "summarizer", parent: 0 }));
    expect(sim.trace.get(value.eventId)).toMatchObject({
      kind: "llm.believed-now",
      parent: 0,
      attrs: { caller: "summarizer", believedNow: new Date(value.nowMs).toISOString() },
    });
  });
});

describe("sampling determinism", () => {
  const draws = (ctx: ProcessContext, llm: LlmProvider): unknown[] => [
    ...Array.from({ length: 20 }, () => llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED }).args),
    ...Array.from({ length: 20 }, () => llm.believedNow(ctx, { caller: "a" }).nowMs),
  ];

  it("gives the same draws for the same seed and others for another seed", async () => {
    const opts = { pMalformed: 0.5 };
    const a = await withModel(42, opts, draws);
    const b = await withModel(42, opts, draws);
    const c = await withModel(43, opts, draws);
    expect(b.value).toEqual(a.value);
    expect(b.sim.trace.hash()).toBe(a.sim.trace.hash());
    expect(c.value).not.toEqual(a.value);
  });

  it("keeps each purpose's stream apart: more tool-arg draws do not move the belief draws", async () => {
    const beliefs =
      (extraArgs: number) =>
      (ctx: ProcessContext, llm: LlmProvider): number[] => {
        for (let i = 0; i < extraArgs; i++) llm.sampleToolArgs(ctx, { caller: "a", wellFormed: WELL_FORMED });
        return Array.from({ length: 10 }, () => llm.believedNow(ctx, { caller: "a" }).nowMs);
      };
    const a = await withModel(7, {}, beliefs(0));
    const b = await withModel(7, {}, beliefs(25));
    expect(b.value).toEqual(a.value);
  });
});
