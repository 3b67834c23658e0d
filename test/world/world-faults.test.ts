/**
 * World runs as first-class runs: fault windows over real, unmodified SDK clients; a fast-check
 * property that searches fault schedules and shrinks a counterexample; and the HTML report and
 * the Chrome trace of a world run.
 */
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import OpenAI from "openai";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";
import { chromeTrace } from "../../src/report/render-chrome.js";
import { renderHtml } from "../../src/report/html/render-html.js";
import { worldRunResult } from "../../src/report/world-run-result.js";
import { OpenAIEndpoint } from "../../src/world/openai-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";
import { worldRunArbitrary } from "../../src/world/world-fault-arbitrary.js";
import { scheduleWorldFaults, type WorldFault } from "../../src/world/world-faults.js";
import { carefulFleet, fleetRun, naiveFleet, TOOL_HOST } from "./fixtures/five-clients.js";

describe("world fault windows", () => {
  it("a 429 burst is answered at once with retry-after; the openai SDK retries past its end", async () => {
    const sim = new Simulation({ seed: 1 });
    const provider = new LlmProvider(sim);
    const api = new OpenAIEndpoint(sim, { provider, outputTokens: 10 });
    scheduleWorldFaults(sim, { provider, endpoints: [api] }, [{ kind: "llm-429-burst", at: 0, for: 1_500 }]);
    const run = await runInWorld(
      sim,
      () => new OpenAI({ apiKey: "k", logLevel: "off" }).chat.completions.create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] }),
      { services: [api] },
    );
    expect(run.agent.status).toBe("done");
    const errors = sim.trace.events.filter((e) => e.kind === "llm.error");
    expect(errors.map((e) => [e.t, e.attrs?.status])).toEqual([
      [0, 429],
      [1_000, 429],
    ]);
    expect(provider.errorRates.p429 ?? 0).toBe(0);
    expect(sim.trace.events.filter((e) => e.kind.startsWith("fault.")).map((e) => [e.kind, e.t])).toEqual([
      ["fault.start", 0],
      ["fault.end", 1_500],
    ]);
  });

  it("a slow-stream window stretches time to first token and output time by its factor; an overload is a 503 at once", async () => {
    const call = async (faults: WorldFault[]) => {
      const sim = new Simulation({ seed: 2 });
      const provider = new LlmProvider(sim);
      const api = new OpenAIEndpoint(sim, { provider, outputTokens: 40 });
      scheduleWorldFaults(sim, { provider, endpoints: [api], slowdown: 4 }, faults);
      const run = await runInWorld(
        sim,
        () =>
          new OpenAI({ apiKey: "k", logLevel: "off", maxRetries: 0 }).chat.completions
            .create({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] })
            .catch((e: unknown) => e),
        { services: [api] },
      );
      return { run, sim, end: sim.trace.events.find((e) => (e.kind === "llm.call" && e.phase === "end") || e.kind === "llm.error") };
    };
    const calm = await call([]);
    const slow = await call([{ kind: "slow-stream", at: 0, for: 10 }]);
    expect(slow.end?.attrs?.ttftMs).toBeCloseTo(4 * (calm.end?.attrs?.ttftMs as number), 6);
    expect(slow.end?.attrs?.tokensPerSecond).toBeCloseTo((calm.end?.attrs?.tokensPerSecond as number) / 4, 6);
    const overloaded = await call([{ kind: "llm-overloaded", at: 0, for: 10 }]);
    expect(overloaded.run.agent).toMatchObject({ status: "done", value: { status: 503 } });
    expect(overloaded.end?.t, "answered at arrival").toBe(overloaded.sim.trace.events[overloaded.end?.span as number]?.t);
    expect(overloaded.end?.attrs?.status).toBe(529);
  });

  it("the five clients finish with no faults, and a tool outage or a broken stream fails the naive fleet", async () => {
    const calm = await fleetRun(1, [], naiveFleet);
    expect(calm.agent, JSON.stringify(calm.agent)).toMatchObject({ status: "done" });
    expect((calm.agent as { value: string[] }).value.every((t) => t.includes("Read 1 tool result"))).toBe(true);
    const outage = await fleetRun(1, [{ kind: "tool-outage", at: 0, for: 60_000, target: TOOL_HOST }], naiveFleet);
    expect(outage.agent.status).toBe("failed");
    expect(String((outage.agent as { error: Error }).error)).toContain("lookup failed: 503");
  });
});

describe("a property test searching fault schedules against five real SDK clients", () => {
  it("finds that the naive fleet fails under some schedule, and shrinks it to one fault", async () => {
    const failure = await fc.check(
      fc.asyncProperty(
        worldRunArbitrary({ horizon: "20s", tools: [TOOL_HOST], maxFaults: 3 }),
        async ({ seed, faults }) => (await fleetRun(seed, faults, naiveFleet)).agent.status === "done",
      ),
      { numRuns: 30, seed: 42 },
    );
    expect(failure.failed).toBe(true);
    const [draw] = failure.counterexample as [{ seed: number; faults: WorldFault[] }];
    expect(draw.faults).toHaveLength(1);
    // Replaying the counterexample by its seed and schedule fails the same way, with the same trace.
    const a = await fleetRun(draw.seed, draw.faults, naiveFleet);
    const b = await fleetRun(draw.seed, draw.faults, naiveFleet);
    expect(a.agent.status).toBe("failed");
    expect(a.traceHash).toBe(b.traceHash);
  }, 120_000);

  it("holds for the careful fleet over drawn schedules, same seed same hash", async () => {
    const hashes = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(worldRunArbitrary({ horizon: "20s", tools: [TOOL_HOST], maxFaults: 3 }), async ({ seed, faults }) => {
        const run = await fleetRun(seed, faults, carefulFleet);
        hashes.set(JSON.stringify({ seed, faults }), run.traceHash);
        return run.agent.status === "done" && run.leaks.length === 0;
      }),
      { numRuns: 8, seed: 7 },
    );
    const [key, hash] = [...hashes.entries()][0] as [string, string];
    const { seed, faults } = JSON.parse(key) as { seed: number; faults: WorldFault[] };
    expect((await fleetRun(seed, faults, carefulFleet)).traceHash).toBe(hash);
    expect((await fleetRun(seed + 1, faults, carefulFleet)).traceHash).not.toBe(hash);
  }, 120_000);
});

describe("reports of a world run", () => {
  it("the HTML report and the Chrome trace take a world run, faults and all", async () => {
    const run = await fleetRun(3, [{ kind: "mid-stream-error", at: 0, for: 100_000 }], naiveFleet);
    const result = worldRunResult(run, { name: "five clients" });
    expect(result.verdict).toBe("violated");
    expect(result.violations[0]).toMatchObject({ invariant: "agent-finishes", message: expect.stringContaining("stream broke off") });
    expect(result.metrics.find((m) => m.name === "streams broken off")?.value).toBeGreaterThan(0);
    const html = renderHtml(run);
    expect(html).toContain("agent-finishes");
    expect(html).toContain("stream broke off");
    expect(html).toContain(`{ seed: 3, faults: [{&quot;kind&quot;:&quot;mid-stream-error&quot;,&quot;at&quot;:0,&quot;for&quot;:100000}] }`);
    expect(renderHtml(run)).toBe(html);
    const chrome = chromeTrace(run);
    expect(chrome.otherData).toMatchObject({ scenario: "world", seed: 3, traceHash: run.traceHash });
    expect(chrome.traceEvents.some((e) => e.name === "fault.start")).toBe(true);
    expect(chrome.traceEvents.some((e) => e.name === "stream.error")).toBe(true);
    const calm = worldRunResult(await fleetRun(3, [], naiveFleet));
    expect(calm.verdict).toBe("held");
  });
});
