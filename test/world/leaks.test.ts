/**
 * Nothing real leaks in: a fetch no simulated service answers, a real timer or real I/O started
 * from the world fail the run loudly, naming what leaked; a fetch's abort behaves as a real one.
 */
import { describe, it, expect } from "vitest";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld } from "../../src/world/run-in-world.js";
import { answerAfter, jsonResponse, SimulationLeakError, type SimService } from "../../src/world/sim-fetch.js";

/** A real timer function, taken before any world swaps the global (as a library might at import). */
const capturedSetTimeout = globalThis.setTimeout;

/** A service that answers `{ ok: true }` after `delayMs` of virtual time. */
function slowService(sim: Simulation, host: string, delayMs: number): SimService & { answered: number[] } {
  const answered: number[] = [];
  return {
    host,
    answered,
    handle: () =>
      answerAfter(sim, delayMs, () => {
        answered.push(sim.now);
        return jsonResponse(200, { ok: true });
      }),
  };
}

describe("fetch to a host no service answers", () => {
  it("rejects naming the URL and host, and fails the run with the same message", async () => {
    const sim = new Simulation({ seed: 1 });
    const run = await runInWorld(sim, async () => {
      try {
        await fetch("https://api.openai.com/v1/chat/completions", { method: "POST", body: "{}" });
        return "answered";
      } catch (e) {
        return e;
      }
    });
    expect(run.agent.status).toBe("done");
    const caught = (run.agent as { value: unknown }).value;
    expect(caught).toBeInstanceOf(SimulationLeakError);
    const message = (caught as Error).message;
    expect(message).toMatch(
      /^agentsim: fetch to https:\/\/api\.openai\.com refused: no simulated service answers api\.openai\.com, from .*leaks\.test\.ts:\d+:\d+/,
    );
    expect(run.outcome.status).toBe("crashed");
    expect((run.outcome.crash?.error as Error).message).toBe(message);
    expect(run.leaks).toEqual([message]);
    expect(sim.trace.events.some((e) => e.kind === "world.leak" && e.actor === "agent")).toBe(true);
  });
});

describe("real timers and real I/O started from the world", () => {
  it("names a real timer captured before the world started", async () => {
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      await new Promise((resolve) => capturedSetTimeout(resolve, 5));
    });
    expect(run.outcome.status).toBe("crashed");
    expect(run.leaks).toHaveLength(1);
    expect(run.leaks[0]).toMatch(/^agentsim: a real timer .* was started inside the simulation \(async resource Timeout, from .*leaks\.test\.ts/);
  });

  it("names file-system I/O", async () => {
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => readFile(fileURLToPath(import.meta.url), "utf8"));
    expect(run.outcome.status).toBe("crashed");
    expect(run.leaks[0]).toMatch(/^agentsim: file-system I\/O was started inside the simulation/);
  });

  it("explains an agent that waits on a promise nothing in the world settles", async () => {
    const run = await runInWorld(new Simulation({ seed: 1 }), () => new Promise<void>(() => {}));
    expect(run.outcome.status).toBe("stalled");
    expect(run.outcome.waiting.map((w) => w.waitingOn)).toEqual([["(not waiting on anything the simulation controls)"]]);
    expect(run.agent).toEqual({
      status: "unfinished",
      reason: expect.stringMatching(/agent "agent" never finished: it waits on something the simulation does not control/),
    });
  });
});

describe("aborting a fetch", () => {
  it("rejects with the signal's reason at the virtual deadline while the service works on", async () => {
    const sim = new Simulation({ seed: 1 });
    const service = slowService(sim, "slow.sim", 5_000);
    const run = await runInWorld(
      sim,
      async () => {
        const outcome = await fetch("https://slow.sim/work", { signal: AbortSignal.timeout(1_500) }).then(
          () => "answered",
          (e: DOMException) => `${e.name}@${performance.now()}`,
        );
        const late = await (await fetch("https://slow.sim/work")).json();
        return { outcome, late, at: performance.now() };
      },
      { services: [service] },
    );
    expect(run.agent).toEqual({ status: "done", value: { outcome: "TimeoutError@1500", late: { ok: true }, at: 6_500 } });
    expect(service.answered).toEqual([5_000, 6_500]);
    const requests = sim.trace.events.filter((e) => e.kind === "http.request" && e.phase === "end");
    expect(requests.map((e) => e.attrs)).toEqual([{ aborted: "TimeoutError" }, { status: 200 }]);
  });
});
