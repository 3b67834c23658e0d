/**
 * When the agent's function settles, the run ends after a bounded drain: a timer it left running
 * is cleared and reported by where the user's code created it, in well under a second of wall
 * time. A world that errors or times out is torn down, so the next test in the file starts clean.
 */
import { describe, it, expect } from "vitest";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld } from "../../src/world/run-in-world.js";
import { SimWorld } from "../../src/world/sim-world.js";

const wallNow = performance.now.bind(performance);
const realSetTimeout = globalThis.setTimeout;

describe("an agent that leaves timers running", () => {
  it("ends in under a second of wall time, naming the interval's creation site", async () => {
    const wall = wallNow();
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      setInterval(() => {}, 1); // left running on purpose
      const poll = setInterval(() => {}, 250);
      void poll;
      return "answered";
    });
    const took = wallNow() - wall;
    expect(took).toBeLessThan(1_000);
    expect(run.agent).toEqual({ status: "done", value: "answered" });
    expect(run.outcome.status).toBe("completed");
    expect(run.leftovers).toEqual([
      expect.stringMatching(
        /^agentsim: a setInterval every 1 ms, created at .*drain\.test\.ts:18:7.* was still pending when the drain after the last agent ended; it was cleared$/,
      ),
      expect.stringMatching(/^agentsim: a setInterval every 250 ms, created at .*drain\.test\.ts:19:20/),
    ]);
    for (const l of run.leftovers) expect(l).not.toMatch(/src\/world|dist\/world/);
  });

  it("the next test in the same file starts clean", async () => {
    const run = await runInWorld(new Simulation({ seed: 2 }), async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      return performance.now();
    });
    expect(run.agent).toEqual({ status: "done", value: 5_000 });
    expect(run.leftovers).toEqual([]);
  });

  it("lets a timer the agent left finish within the drain, and reports none", async () => {
    const flushed: number[] = [];
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      setTimeout(() => flushed.push(performance.now()), 2_000); // a debounced flush
    });
    expect(flushed).toEqual([2_000]);
    expect(run.outcome.now).toBe(2_000);
    expect(run.leftovers).toEqual([]);
  });

  it("clears a timer due after the drain without advancing the clock to it", async () => {
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => void setTimeout(() => {}, 3_600_000), { drain: "30s" });
    expect(run.outcome).toMatchObject({ status: "completed", now: 30_000 });
    expect(run.leftovers).toEqual([expect.stringMatching(/^agentsim: a setTimeout of 3600000 ms, created at .*drain\.test\.ts/)]);
  });
});

describe("a world that errors or times out is torn down", () => {
  it("a crashed run names the timers it left pending", async () => {
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      setInterval(() => {}, 500);
      await fetch("https://unknown.example/").catch(() => undefined);
    });
    expect(run.outcome.status).toBe("crashed");
    expect(run.leftovers).toEqual([
      expect.stringMatching(
        /^agentsim: a setInterval every 500 ms, created at .*drain\.test\.ts:\d+:\d+.* was still pending when the run ended; it was cleared$/,
      ),
    ]);
  });

  it("ends a world still spinning after its wall-clock timeout, as crashed", async () => {
    const wall = wallNow();
    const run = await runInWorld(
      new Simulation({ seed: 1 }),
      async () => {
        for (;;) await new Promise((r) => setImmediate(r));
      },
      { timeout: 300 },
    );
    expect(wallNow() - wall).toBeLessThan(3_000);
    expect(run.outcome.status).toBe("crashed");
    expect((run.outcome.crash?.error as Error).message).toMatch(/^agentsim: the world was still running after 300 ms of real time/);
  });

  it("a world whose run throws restores everything, and the next world runs", async () => {
    const world = new SimWorld(new Simulation({ seed: 1 }));
    await expect(world.enter(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => Date.now());
    expect(run.agent.status).toBe("done");
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });
});
