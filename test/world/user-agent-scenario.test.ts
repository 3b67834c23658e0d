/**
 * A scenario file naming a user's module: the user's refund agent (Anthropic SDK, fetch with
 * AbortSignal.timeout, p-retry; it imports nothing from agentsim) runs as the double-refund
 * workload through the ordinary loader and run layer.
 */
import { describe, it, expect } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { userRefundScenario } from "../../src/world/user-agent-scenario.js";

const realSetTimeout = globalThis.setTimeout;
const FILE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "refund-agent.yaml");

async function runFile(mitigate: string[] = []): Promise<RunResult> {
  const loaded = await loadScenarioFile(FILE, { mitigate });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return runScenario(toRunConfig(loaded.config));
}

function metric(r: RunResult, name: string): number {
  const m = r.metrics.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no metric ${name}: ${r.metrics.map((x) => x.name).join(", ")}`);
  return m.value as number;
}

describe("a scenario file that names a user's agent module", () => {
  it("loads, runs the real agent code per return, and catches its double refunds", async () => {
    const r = await runFile();
    expect(r.scenario).toBe("my-refund-agent");
    expect(r.outcome.status).toBe("completed");
    expect(r.verdict).toBe("violated");
    expect(r.violations[0]?.message).toMatch(/^refund for return R-\d+ committed [23] times/);
    expect(metric(r, "returns")).toBe(20);
    expect(metric(r, "duplicate refunds")).toBeGreaterThan(0);
    expect(metric(r, "model calls")).toBe(20);
    expect(metric(r, "leaks")).toBe(0);
    expect(metric(r, "agents unfinished")).toBe(0);
    // The agents' model calls and refund calls are theirs in the trace, caused by the customer's return.
    const agentFetch = r.trace.events.find((e) => e.kind === "http.request" && e.phase === "begin");
    expect(agentFetch?.actor).toMatch(/^refund-agent R-\d+$/);
    expect(r.trace.causalChain(agentFetch?.id as number).map((e) => e.kind)).toEqual(["return.requested", "agent.run", "http.request"]);
  });

  it("holds with the idempotency-keys mitigation on the same seed: no refund paid twice", async () => {
    const r = await runFile(["idempotency-keys"]);
    expect(r.verdict).toBe("held");
    expect(metric(r, "duplicate refunds")).toBe(0);
    expect(metric(r, "409 conflicts") + metric(r, "replays")).toBeGreaterThan(0);
  });

  it("gives the same trace hash for the same file and seed", async () => {
    const a = await runFile();
    const b = await runFile();
    expect(a.traceHash).toBe(b.traceHash);
  });

  it("fails the run, naming the leak, when the agent calls a host the world does not simulate", async () => {
    const scenario = userRefundScenario({
      name: "leaky-agent",
      agent: async () => fetch("https://hooks.slack.com/services/T000/B000", { method: "POST", body: "{}" }),
    });
    const r = await runScenario({ scenario, seed: 1, params: { returns: { count: 2 } } });
    expect(r.verdict).toBe("crashed");
    expect((r.outcome.crash?.error as Error).message).toMatch(
      /^agentsim: fetch to https:\/\/hooks\.slack\.com refused: no simulated service answers hooks\.slack\.com, from .*user-agent-scenario\.test\.ts:\d+:\d+/,
    );
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });
});
