import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { doubleRefund } from "../../src/scenarios/double-refund.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = doubleRefund.defaults.seed;
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> =>
  runScenario({ scenario: doubleRefund, seed, mitigations, params });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
/** The attempt span (begin) whose tool call committed `commit`. */
const attemptOf = (r: RunResult, commit: TraceEvent): TraceEvent => ev(r, ev(r, commit.parent as number).parent as number);
/** The end event of span `begin`. */
const endOf = (r: RunResult, begin: TraceEvent): TraceEvent | undefined => r.trace.events.find((e) => e.phase === "end" && e.span === begin.id);

describe("double-refund at its default seed", () => {
  it("refunds a return more than once, with every commit of that return as evidence", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(r.violations.length).toBeGreaterThan(0);
    for (const v of r.violations) {
      expect(v.invariant).toBe("at-most-once-effect");
      const [, id, times] = /^refund for return (R-\d{4}) committed (\d) times \(at most 1 allowed\)$/.exec(v.message) ?? [];
      const commits = v.evidence.map((e) => ev(r, e));
      expect(commits.length).toBe(Number(times));
      for (const c of commits)
        expect(c).toMatchObject({ kind: "effect.commit", layer: "tool", actor: "payments", attrs: { effect: "refund", key: `return ${id}` } });
      // Each commit is its own processor request, and none carried an idempotency key.
      expect(new Set(commits.map((c) => c.attrs?.requestId)).size).toBe(commits.length);
      expect(commits.every((c) => c.attrs?.idempotencyKey === undefined)).toBe(true);
    }
  });

  it("the first refund of a doubled return was committed after the agent had timed out and moved on", async () => {
    const r = await run();
    for (const v of r.violations) {
      const first = ev(r, v.evidence[0] as number);
      const attempt = attemptOf(r, first);
      const end = endOf(r, attempt);
      expect(end?.attrs).toMatchObject({ outcome: "abandoned", error: "budget-exceeded" });
      expect(end!.t - attempt.t).toBe(10_000);
      expect(first.t).toBeGreaterThan(end!.t);
    }
  });

  it("the causal chain of a duplicate leads from the customer through the model and the harness to the processor", async () => {
    const r = await run();
    const chain = r.trace.causalChain(r.violations[0]?.evidence.at(-1) as number);
    expect(chain[0]).toMatchObject({ kind: "return.requested", layer: "user" });
    expect(chain.at(-1)?.kind).toBe("effect.commit");
    expect(new Set(chain.map((e) => e.layer))).toEqual(new Set(["user", "harness", "model", "tool"]));
    expect(chain.some((e) => e.kind === "retry.scheduled")).toBe(true);
  });

  it("its metrics agree with the ledger and the customers' amounts", async () => {
    const r = await run();
    const amounts = new Map(
      r.trace.events.filter((e) => e.kind === "return.requested").map((e) => [`return ${String(e.attrs?.returnId)}`, e.attrs?.amountUsd as number]),
    );
    const commits = r.trace.events.filter((e) => e.kind === "effect.commit");
    const perKey = new Map<string, number>();
    for (const c of commits) perKey.set(String(c.attrs?.key), (perKey.get(String(c.attrs?.key)) ?? 0) + 1);
    const excess = [...perKey].reduce((usd, [k, n]) => usd + (n - 1) * (amounts.get(k) ?? NaN), 0);
    expect(metric(r, "returns")).toBe(amounts.size);
    expect(metric(r, "refunds committed")).toBe(commits.length);
    expect(metric(r, "duplicate refunds")).toBe(commits.length - perKey.size);
    expect(metric(r, "returns refunded more than once")).toBe(r.violations.length);
    expect(metric(r, "refunded in excess")).toBeCloseTo(excess, 2);
    expect(metric(r, "agent timeouts")).toBe(r.trace.events.filter((e) => e.kind === "budget.exceeded").length);
    expect(metric(r, "409 conflicts")).toBe(0);
    expect(metric(r, "replays")).toBe(0);
  });
});

describe("double-refund with idempotency-keys", () => {
  it("holds: one key per return on every try, and the processor replays or refuses instead of refunding again", async () => {
    const r = await run(["idempotency-keys"]);
    expect(r.verdict).toBe("held");
    const calls = r.trace.events.filter((e) => e.kind === "tool.call" && e.phase === "begin");
    for (const c of calls) expect(c.attrs?.idempotencyKey).toBe(`refund-${String((c.attrs?.args as { returnId: string }).returnId)}`);
    expect(metric(r, "409 conflicts") + metric(r, "replays")).toBeGreaterThan(0);
    expect(metric(r, "duplicate refunds")).toBe(0);
    expect(metric(r, "refunded in excess")).toBe(0);
  });

  it("the retries still happen: the fix is in what the processor can recognise, not in retrying less", async () => {
    const [off, on] = await Promise.all([run(), run(["idempotency-keys"])]);
    expect(metric(on, "agent timeouts")).toBeGreaterThan(0);
    expect(metric(on, "retries")).toBeGreaterThanOrEqual(metric(off, "retries"));
  });
});

describe("double-refund needs the latency to cross the agent's timeout", () => {
  it("with an agent timeout longer than the processor's own, no seed refunds twice", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = await run([], { agent: { timeout: "45s" } }, seed);
      expect(r.trace.events.some((e) => e.kind === "budget.exceeded")).toBe(false);
      expect(r.verdict).toBe("held");
    }
  });
});
