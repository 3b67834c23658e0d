/**
 * Two retry libraries from npm, p-retry and cockatiel, wrapped around a refund tool called over
 * fetch, through the double-refund workload: the processor is slower than the client's timeout
 * (AbortSignal.timeout for p-retry, cockatiel's own timeout policy), keeps working after the
 * client gives up, and commits. Without idempotency keys the retries pay some returns twice; with
 * an Idempotency-Key per return, on the same seeds, none.
 */
import { describe, it, expect } from "vitest";
import pRetry from "p-retry";
import { ExponentialBackoff, handleAll, retry, timeout, TimeoutStrategy, wrap } from "cockatiel";
import { SimTool } from "../../src/actors/tool.js";
import { Simulation } from "../../src/sim/simulation.js";
import { HttpTool } from "../../src/world/http-tool.js";
import { runInWorld } from "../../src/world/run-in-world.js";

type Library = "p-retry" | "cockatiel";
const RETURNS = 20;
const SEEDS = [9, 10, 11];

/** One refund over HTTP; `signal` ends the attempt. Throws on anything but 200, so the library retries. */
async function postRefund(url: string, returnId: string, key: string | undefined, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key !== undefined ? { "Idempotency-Key": key } : {}) },
    body: JSON.stringify({ returnId, amountUsd: 40 }),
    signal,
  });
  if (!res.ok) throw new Error(`refund ${returnId}: HTTP ${res.status}`);
  return res.json();
}

/** The user's refund code: 3 tries of 10 s each, with the library's backoff. */
function refundWith(library: Library, url: string, useKeys: boolean): (returnId: string) => Promise<unknown> {
  const keyOf = (id: string) => (useKeys ? `refund-${id}` : undefined);
  if (library === "p-retry") {
    return (id) => pRetry(() => postRefund(url, id, keyOf(id), AbortSignal.timeout(10_000)), { retries: 2, minTimeout: 100, randomize: true });
  }
  const policy = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 100 }) }),
    timeout(10_000, TimeoutStrategy.Aggressive),
  );
  return (id) => policy.execute(({ signal }) => postRefund(url, id, keyOf(id), signal));
}

/** Returns arriving a minute apart, each refunded by the library-wrapped code, against a slow processor. */
async function doubleRefundRun(library: Library, seed: number, useKeys: boolean) {
  const sim = new Simulation({ seed });
  const processor = new SimTool(sim, {
    name: "payments",
    latency: { lognormal: { p50: "8s", p99: "40s" } },
    timeout: "30s",
    idempotency: true,
    effect: { name: "refund", key: (a) => `return ${String(a.returnId)}` },
  });
  const http = new HttpTool(sim, processor, { host: "payments.sim", path: "/v1/refunds" });
  const refund = refundWith(library, http.url, useKeys);
  const run = await runInWorld(
    sim,
    () =>
      Promise.allSettled(
        Array.from({ length: RETURNS }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 60_000));
          return refund(`R-${1001 + i}`);
        }),
      ),
    { services: [http] },
  );
  expect(run.agent.status).toBe("done");
  expect(run.leaks).toEqual([]);
  return { run, sim, processor, duplicates: processor.ledger.entries.length - new Set(processor.ledger.entries.map((e) => e.key)).size };
}

describe.each<Library>(["p-retry", "cockatiel"])("%s around a refund tool over fetch", (library) => {
  it("double-refunds without idempotency keys, and the duplicates follow client timeouts the processor outlived", async () => {
    let total = 0;
    for (const seed of SEEDS) {
      const { duplicates, sim, processor } = await doubleRefundRun(library, seed, false);
      total += duplicates;
      const aborted = sim.trace.events.filter((e) => e.kind === "http.request" && e.phase === "end" && e.attrs?.aborted !== undefined);
      if (duplicates > 0) expect(aborted.length).toBeGreaterThan(0);
      // In every duplicated return, some refund was committed by a request the client had abandoned before it committed.
      for (const group of processor.ledger.duplicates()) {
        const abandoned = group.filter((refund) => {
          const call = processor.calls.find((c) => c.requestId === refund.requestId);
          const fetchSpan = call ? sim.trace.get(call.span)?.parent : undefined;
          const fetchEnd = sim.trace.events.find((e) => e.phase === "end" && e.span === fetchSpan);
          return fetchEnd?.attrs?.aborted !== undefined && fetchEnd.t < refund.t;
        });
        expect(abandoned.length, `return ${group[0]?.key}`).toBeGreaterThan(0);
      }
    }
    expect(total).toBeGreaterThan(0);
  });

  it("never double-refunds with an Idempotency-Key per return, on the same seeds", async () => {
    for (const seed of SEEDS) {
      const { duplicates, processor } = await doubleRefundRun(library, seed, true);
      expect(duplicates).toBe(0);
      expect(
        processor.calls.some((c) => c.response?.ok === false && c.response.error === "conflict") || processor.calls.some((c) => c.response?.replayed),
      ).toBe(true);
    }
  });

  it("gives the same trace hash for the same seed, and another for another seed", async () => {
    const a = await doubleRefundRun(library, 9, false);
    const b = await doubleRefundRun(library, 9, false);
    const c = await doubleRefundRun(library, 10, false);
    expect(a.run.traceHash).toBe(b.run.traceHash);
    expect(c.run.traceHash).not.toBe(a.run.traceHash);
  });
});
