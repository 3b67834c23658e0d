import { describe, expect, it } from "vitest";
import { callWithPolicy } from "../../src/actors/call-with-policy.js";
import { isEmptyResult } from "../../src/actors/contracts.js";
import type { CallOptions, RequestSource, StepReport } from "../../src/actors/harness-contract.js";
import type { ToolRequest } from "../../src/actors/contracts.js";
import type { ReceiptPort } from "../../src/actors/receipts.js";
import { retryBudget } from "../../src/actors/retry-budget.js";
import { retryPolicy, type RetryPolicySpec } from "../../src/actors/retry-policy.js";
import { Simulation } from "../../src/sim/simulation.js";
import type { AttrValue } from "../../src/sim/trace.js";
import { FakeTool, type FakeCallPlan, type FakeToolOptions } from "./harness-fakes.js";

type StepOptions = Omit<CallOptions, "agent" | "step" | "rng">;

/** Runs one step of agent "agent" against a fake tool; returns the report and the world. */
async function step(tool: FakeToolOptions, policy: RetryPolicySpec, opts: StepOptions = {}, request?: ToolRequest | RequestSource) {
  const sim = new Simulation({ seed: 1 });
  const fake = new FakeTool(sim, tool);
  const h = sim.spawn("agent", (ctx) =>
    callWithPolicy(ctx, fake, request ?? { args: { order: "A1" } }, retryPolicy(policy), {
      agent: "agent",
      step: "refund",
      rng: ctx.rng("agent:retry"),
      ...opts,
    }),
  );
  const run = await sim.run();
  expect(run.status).toBe("completed");
  const report = (h.outcome as { value: StepReport }).value;
  const harness = (kind: string) => sim.trace.events.filter((e) => e.layer === "harness" && e.kind === kind);
  return { sim, fake, report, harness };
}

describe("per-attempt budget (clock-race)", () => {
  const slow = { latencyMs: 8_000 };

  it("declares the call failed when the budget fires, while the tool runs on and commits", async () => {
    const { fake, report, harness } = await step(slow, "none", { attemptBudgetMs: 7_900 });
    expect(report.outcome).toBe("failed");
    expect(report.attempts[0]).toMatchObject({ outcome: "abandoned", declared: "failed", error: "budget-exceeded", endedAt: 7_900 });
    const [fired] = harness("budget.exceeded");
    const [declared] = harness("step.declared-failed");
    expect(fired?.t).toBe(7_900);
    expect(declared?.parent).toBe(fired?.id);
    expect(fake.effects.map((c) => c.committedAt)).toEqual([8_000]);
  });

  it("with a retry, the abandoned call and its retry both commit: two effects for one step", async () => {
    const { fake, report } = await step(slow, { fixed: { delay: "100ms", maxAttempts: 2 } }, { attemptBudgetMs: 7_900 });
    expect(report.declaredFailed).toBe(2);
    expect(fake.calls.map((c) => c.at)).toEqual([0, 8_000]);
    expect(fake.effects).toHaveLength(2);
  });

  it("cancelOnAbandon cancels the call; a tool that honours it commits nothing", async () => {
    const { fake, harness } = await step({ ...slow, honoursCancellation: true }, "none", { attemptBudgetMs: 7_900, switches: { cancelOnAbandon: true } });
    expect(fake.calls[0]?.cancelledAt).toBe(7_900);
    expect(fake.effects).toHaveLength(0);
    expect(harness("budget.exceeded")[0]?.attrs?.cancel).toBe(true);
  });

  it("cancelOnAbandon is a request: a tool that does not honour cancellation still commits", async () => {
    const { fake } = await step(slow, "none", { attemptBudgetMs: 7_900, switches: { cancelOnAbandon: true } });
    expect(fake.effects.map((c) => c.committedAt)).toEqual([8_000]);
  });

  it("without cancelOnAbandon the tool is never asked to cancel", async () => {
    const { fake } = await step({ ...slow, honoursCancellation: true }, "none", { attemptBudgetMs: 7_900 });
    expect(fake.calls[0]?.request.cancel).toBeUndefined();
    expect(fake.effects).toHaveLength(1);
  });

  it("deadlinePropagation passes now + budget - margin; a tool that honours it gives up before the budget fires", async () => {
    const { fake, report, harness } = await step({ ...slow, honoursDeadline: true }, "none", {
      attemptBudgetMs: 7_900,
      deadlineMarginMs: 100,
      switches: { deadlinePropagation: true },
    });
    expect(fake.calls[0]?.request.deadlineAt).toBe(7_800);
    expect(fake.calls[0]?.gaveUpAt).toBe(7_800);
    expect(report.attempts[0]).toMatchObject({ outcome: "error", error: "timeout" });
    expect(harness("step.declared-failed")).toHaveLength(0);
    expect(fake.effects).toHaveLength(0);
  });

  it("the overall deadline shortens the last attempt's budget and stops retries", async () => {
    const { fake, report, harness } = await step(
      { latencyMs: 2_000, script: () => ({ error: "transient" }) },
      { fixed: { delay: "1s", maxAttempts: 10 } },
      { deadlineAt: 4_500 },
    );
    // attempts at 0 (fails at 2 s), 3 s (budget cut to 1.5 s: abandoned at 4.5 s); no time for a third.
    expect(fake.calls.map((c) => c.at)).toEqual([0, 3_000]);
    expect(report.attempts.map((a) => a.outcome)).toEqual(["error", "abandoned"]);
    expect(harness("retry.denied")[0]?.attrs?.reason).toBe("deadline");
    expect(report.attempts[1]?.endedAt).toBe(4_500);
    expect(report.endedAt).toBe(4_500);
  });
});

describe("retries", () => {
  const flaky = (failures: number, kind: "transient" | "rate-limited" = "transient", retryAfterMs?: number) => ({
    latencyMs: 100,
    script: (n: number) => (n <= failures ? { error: kind, ...(retryAfterMs ? { retryAfterMs } : {}) } : {}),
  });

  it("retries transient errors with the policy's delays and succeeds", async () => {
    const { fake, report, harness } = await step(flaky(2), { fixed: { delay: "1s", maxAttempts: 3 } });
    expect(report.outcome).toBe("succeeded");
    expect(fake.calls.map((c) => c.at)).toEqual([0, 1_100, 2_200]);
    expect(harness("retry.scheduled").map((e) => e.attrs?.delayMs)).toEqual([1_000, 1_000]);
  });

  it("gives up when attempts run out", async () => {
    const { report, harness } = await step(flaky(5), { fixed: { delay: "1s", maxAttempts: 3 } });
    expect(report).toMatchObject({ outcome: "failed", error: "transient" });
    expect(report.attempts).toHaveLength(3);
    expect(harness("retry.denied")[0]?.attrs?.reason).toBe("attempts-exhausted");
  });

  it("honours a 429's retry-after", async () => {
    const { fake, harness } = await step(flaky(1, "rate-limited", 5_000), { fixed: { delay: "100ms", maxAttempts: 2 } });
    expect(fake.calls[1]?.at).toBe(100 + 5_000);
    expect(harness("retry.scheduled")[0]?.attrs).toMatchObject({ delayMs: 5_000, retryAfterMs: 5_000 });
  });

  it("stops retrying when the retry budget is exhausted", async () => {
    const budget = retryBudget({ tokenBucket: { initial: 5 } });
    const { fake, report, harness } = await step(flaky(10), { fixed: { delay: "10ms", maxAttempts: 5 } }, { retryBudget: budget });
    expect(fake.calls).toHaveLength(2);
    expect(report.outcome).toBe("failed");
    expect(harness("retry.denied")[0]?.attrs).toMatchObject({ reason: "retry-budget", tokens: 0 });
  });

  it("charges the budget for a timeout retry at the timeout cost", async () => {
    const budget = retryBudget({ tokenBucket: { initial: 15 } });
    await step({ latencyMs: 8_000 }, { fixed: { delay: "10ms", maxAttempts: 2 } }, { retryBudget: budget, attemptBudgetMs: 1_000 });
    expect(budget.snapshot().tokens).toBe(5);
  });
});

describe("idempotencyKeys", () => {
  it("sends one key per logical step, the same on every retry", async () => {
    const { fake } = await step(
      { script: (n) => (n < 3 ? { error: "transient" } : {}) },
      { fixed: { delay: "1s" } },
      { switches: { idempotencyKeys: true }, idempotencyKey: "refund-A1" },
    );
    expect(fake.calls.map((c) => c.request.idempotencyKey)).toEqual(["refund-A1", "refund-A1", "refund-A1"]);
  });

  it("sends no key when off", async () => {
    const { fake } = await step({ script: (n) => (n < 2 ? { error: "transient" } : {}) }, { fixed: { delay: "1s" } });
    expect(fake.calls.map((c) => c.request.idempotencyKey)).toEqual([undefined, undefined]);
  });
});

describe("classifyErrors (retry-laundering)", () => {
  const malformedFirst = { script: (n: number) => (n === 1 ? { error: "caller" as const } : {}) };
  const policy: RetryPolicySpec = { exponential: { base: "1s", maxAttempts: 3 } };

  it("off: a caller error is retried with backoff and the step reads as a clean success", async () => {
    const { report, harness } = await step(malformedFirst, policy);
    expect(report).toMatchObject({ outcome: "succeeded", callerErrors: 0 });
    expect(harness("retry.scheduled")).toHaveLength(1);
    expect(harness("feedback")).toHaveLength(0);
  });

  it("on: a caller error is not retried; it goes back to the model as feedback and counts as a defect", async () => {
    const seen: (string | undefined)[] = [];
    const source: RequestSource = async (_ctx, info) => {
      seen.push(info.previous?.error);
      return { ok: true, request: { args: { order: "A1" }, parent: info.parent } };
    };
    const { fake, report, harness } = await step(malformedFirst, policy, { switches: { classifyErrors: true } }, source);
    expect(report).toMatchObject({ outcome: "succeeded", callerErrors: 1 });
    expect(harness("retry.scheduled")).toHaveLength(0);
    expect(harness("feedback")[0]?.attrs).toMatchObject({ error: "caller", defect: true });
    expect(seen).toEqual([undefined, "caller"]);
    expect(fake.calls[1]?.at).toBe(100); // no backoff: the first call answered at 100 ms, straight back to the model
  });

  it("on: with no feedback round left the step fails with the caller error, though the policy allowed 3 attempts", async () => {
    const { fake, report } = await step(malformedFirst, policy, { switches: { classifyErrors: true }, maxFeedbackRounds: 0 });
    expect(fake.calls).toHaveLength(1);
    expect(report).toMatchObject({ outcome: "failed", error: "caller", callerErrors: 1 });
  });

  it("on: transient errors are still retried", async () => {
    const { fake, report } = await step({ script: (n) => (n === 1 ? { error: "transient" } : {}) }, policy, { switches: { classifyErrors: true } });
    expect(fake.calls).toHaveLength(2);
    expect(report).toMatchObject({ outcome: "succeeded", callerErrors: 0 });
  });
});

describe("awaitReceipts (fire-and-forget)", () => {
  /** A job that is pending until `endsAt`, then fails. */
  const failingJob = (endsAt: number): ReceiptPort => ({
    poll: async (ctx) => (ctx.now < endsAt ? { state: "pending" } : { state: "failed", message: "render failed" }),
  });
  const receipting = { script: () => ({ receipt: "job-1", result: { jobId: "job-1", state: "pending" } }) };

  it("off: the receipt is taken as the answer and the step succeeds at once", async () => {
    const { report } = await step(receipting, "none", { receipts: failingJob(180_000) });
    expect(report).toMatchObject({ outcome: "succeeded", receipt: "job-1", endedAt: 0 });
  });

  it("on: the job is polled until it ends, and its failure fails the step", async () => {
    const { report, harness } = await step(receipting, "none", { receipts: failingJob(180_000), receiptPollMs: 5_000, switches: { awaitReceipts: true } });
    expect(report).toMatchObject({ outcome: "failed", error: "job-failed", endedAt: 180_000 });
    expect(harness("receipt.await").at(-1)?.attrs).toMatchObject({ state: "failed" });
  });

  it("on: a job still running at the receipt deadline is reported pending, not done", async () => {
    const { report } = await step(receipting, "none", { receipts: failingJob(180_000), receiptTimeoutMs: 60_000, switches: { awaitReceipts: true } });
    expect(report).toMatchObject({ outcome: "pending", receipt: "job-1", endedAt: 60_000 });
  });
});

describe("validateResults (null-rationalization)", () => {
  const nullFirst = { script: (n: number): FakeCallPlan => (n === 1 ? { result: { result: null } } : { result: { price: 42 } }) };

  it("off: an empty result is passed on as the step's answer", async () => {
    const { report } = await step(nullFirst, "none");
    expect(report).toMatchObject({ outcome: "succeeded", result: { result: null } });
  });

  it("on: an empty result becomes an explicit error sent back to the model", async () => {
    const { report, harness } = await step(nullFirst, "none", { switches: { validateResults: true } });
    expect(report.attempts[0]).toMatchObject({ outcome: "error", error: "empty-result" });
    expect(harness("feedback")[0]?.attrs).toMatchObject({ error: "empty-result" });
    expect(report).toMatchObject({ outcome: "succeeded", result: { price: 42 } });
  });

  it("on: a query shape that stays empty fails the step instead of answering", async () => {
    const { report } = await step({ script: () => ({ result: null }) }, "none", { switches: { validateResults: true } });
    expect(report).toMatchObject({ outcome: "failed", error: "empty-result" });
  });

  it("counts null, blank text and containers of nothing as empty, but not 0 or false", () => {
    const empty: AttrValue[] = [null, "", "  ", [], {}, { result: null }, [null, { a: "" }]];
    const answers: AttrValue[] = [0, false, "no", [0], { result: 0 }];
    for (const v of empty) expect(isEmptyResult(v)).toBe(true);
    for (const v of answers) expect(isEmptyResult(v)).toBe(false);
  });
});
