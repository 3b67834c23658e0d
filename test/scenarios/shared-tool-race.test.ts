import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { sharedToolRace } from "../../src/scenarios/shared-tool-race.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = sharedToolRace.defaults.seed;
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, seed = SEED): Promise<RunResult> =>
  runScenario({ scenario: sharedToolRace, seed, mitigations, params });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
/** The read that a write's value was computed from: the nearest store read in its causal chain. */
const readBehind = (r: RunResult, writeSpan: number): TraceEvent | undefined =>
  r.trace
    .causalChain(writeSpan)
    .filter((e) => e.actor === "inventory.read" && e.phase === "end")
    .at(-1);

describe("shared-tool-race at its default seed", () => {
  it("loses an update: a write computed from an old read lands on top of another agent's newer write", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    const [v] = r.violations;
    expect(v?.invariant).toBe("no-lost-updates");
    const [, lostAgent, lostOrder, lostVersion, overwriter, computedFrom] =
      /^(agent-\d)'s update for order (O-\d-\d+) \(-\d+, version (\d+)\) was overwritten at \+[\d:.]+ by (agent-\d)'s write of \d+ \(order O-\d-\d+, computed from version (\d+)\): the update was lost\./.exec(
        v!.message,
      ) ?? [];
    expect(lostOrder).toBeDefined();
    expect(overwriter).not.toBe(lostAgent);
    expect(Number(computedFrom)).toBeLessThan(Number(lostVersion));
    // The last evidence is the overwriting write's answer; it read a version older than the one it replaced.
    const write = ev(r, v!.evidence.at(-1) as number);
    expect(write).toMatchObject({ kind: "store.call", phase: "end", actor: "inventory.write", attrs: { ok: true } });
    const read = readBehind(r, write.span as number)!;
    expect((read.attrs?.result as { version: number }).version).toBe(Number(computedFrom));
    const writtenVersion = (write.attrs?.result as { version: number }).version;
    expect(writtenVersion).toBeGreaterThan(Number(lostVersion));
  });

  it("every call succeeded and nothing was thrown: the store's writes all answered ok", async () => {
    const r = await run();
    const calls = r.trace.events.filter((e) => e.kind === "store.call" && e.phase === "end");
    expect(calls.every((c) => c.attrs?.ok === true)).toBe(true);
    expect(r.outcome.status).toBe("completed");
  });

  it("the causal chain of the lost update runs order -> update -> read -> think -> write, across user, harness, store and model", async () => {
    const r = await run();
    const chain = r.trace.causalChain(r.violations[0]!.evidence.at(-1) as number);
    expect(chain.map((e) => `${e.layer}:${e.kind}`)).toEqual([
      "user:order",
      "harness:inventory.update",
      "store:store.call",
      "store:store.call",
      "model:llm.call",
      "model:llm.call",
      "store:store.call",
      "store:store.call",
    ]);
  });

  it("its metrics: the stock is off by exactly the lost orders' quantities", async () => {
    const r = await run();
    const orders = r.trace.events.filter((e) => e.kind === "order");
    const taken = orders.reduce((s, o) => s + (o.attrs?.quantity as number), 0);
    expect(metric(r, "updates intended")).toBe(orders.length);
    expect(metric(r, "expected stock")).toBe(500 - taken);
    expect(metric(r, "updates lost")).toBeGreaterThan(0);
    expect(metric(r, "updates applied") + metric(r, "updates lost")).toBe(orders.length);
    // The auditor read the final stock; it is over the expected stock by the lost orders' 1 to 3 units each.
    const audit = r.trace.events.find((e) => e.actor === "inventory.read" && e.phase === "end" && e.t === r.outcome.now)!;
    expect(metric(r, "final stock")).toBe((audit.attrs?.result as { value: number }).value);
    const over = metric(r, "final stock") - metric(r, "expected stock");
    expect(over).toBeGreaterThanOrEqual(metric(r, "updates lost"));
    expect(over).toBeLessThanOrEqual(3 * metric(r, "updates lost"));
    expect(metric(r, "CAS retries")).toBe(0);
  });
});

describe("shared-tool-race with compare-and-set", () => {
  it("holds: stale writes are rejected and retried, and the final stock accounts for every order", async () => {
    const r = await run(["compare-and-set"]);
    expect(r.verdict).toBe("held");
    expect(metric(r, "CAS retries")).toBeGreaterThan(0);
    expect(metric(r, "updates lost")).toBe(0);
    expect(metric(r, "final stock")).toBe(metric(r, "expected stock"));
    const writes = r.trace.events.filter((e) => e.actor === "inventory.write" && e.phase === "begin");
    expect(writes.every((w) => typeof (w.attrs?.args as { expectedVersion?: number }).expectedVersion === "number")).toBe(true);
  });

  it("a rejected write changes nothing; the agent re-reads, thinks again and writes from the new version", async () => {
    const r = await run(["compare-and-set"]);
    const retries = r.trace.events.filter((e) => e.kind === "cas.retry");
    expect(retries.length).toBe(metric(r, "CAS retries"));
    for (const retry of retries) {
      const rejected = ev(r, retry.parent as number);
      expect(rejected.attrs).toMatchObject({ ok: false, error: "conflict" });
      const next = r.trace.events.find((e) => e.parent === retry.id);
      expect(next).toMatchObject({ actor: "inventory.read", kind: "store.call", phase: "begin" });
    }
    // Each successful write read the version just before its own.
    for (const w of r.trace.events.filter((e) => e.actor === "inventory.write" && e.phase === "end" && e.attrs?.ok === true)) {
      const read = readBehind(r, w.span as number)!;
      expect((w.attrs?.result as { version: number }).version).toBe((read.attrs?.result as { version: number }).version + 1);
    }
  });
});

describe("shared-tool-race needs overlapping windows", () => {
  it("the control run: one agent handling every order alone loses nothing, on busy traffic and over 20 seeds (before: agents had a minimum of 2)", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = await run([], { agents: 1, ordersPerAgent: 12, orderGap: "0ms" }, seed);
      expect(r.violations.map((v) => v.message)).toEqual([]);
      expect(metric(r, "updates lost")).toBe(0);
      expect(metric(r, "updates intended")).toBe(12);
    }
    // The same busy traffic split over two agents loses updates.
    const two = await run([], { agents: 2, ordersPerAgent: 6, orderGap: "0ms" }, 1);
    expect(metric(two, "updates lost")).toBeGreaterThan(0);
  });

  it("agents whose orders are far apart never overlap, and the same checker holds without compare-and-set", async () => {
    const r = await run([], { orderGap: "30m", ordersPerAgent: 3 }, 1);
    expect(r.verdict).toBe("held");
    expect(metric(r, "updates lost")).toBe(0);
  });
});
