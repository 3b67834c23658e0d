/**
 * The swapped globals: inside a world, user code's timers, Date, performance's clock, randomness
 * and AbortSignal.timeout come from the simulation; outside it (and after it) they are real.
 */
import { describe, it, expect } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID as nodeRandomUUID } from "node:crypto";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld } from "../../src/world/run-in-world.js";
import { SimWorld } from "../../src/world/sim-world.js";
import { VirtualTimeout } from "../../src/world/virtual-timers.js";

const real = {
  setTimeout: globalThis.setTimeout,
  setImmediate: globalThis.setImmediate,
  Date: globalThis.Date,
  dateNow: Date.now,
  random: Math.random,
  perfNow: performance.now,
  hrtime: process.hrtime,
  randomUUID: crypto.randomUUID,
  fetch: globalThis.fetch,
  abortTimeout: AbortSignal.timeout,
};
const EPOCH = Date.UTC(2026, 2, 9, 8, 0, 0);

/** Runs `agent` in a fresh world on seed `seed` and returns what it returned. */
async function inWorld<T>(agent: () => Promise<T>, seed = 1): Promise<T> {
  const run = await runInWorld(new Simulation({ seed }), agent);
  if (run.agent.status !== "done") throw new Error(`agent did not finish: ${JSON.stringify(run.agent)}`);
  return run.agent.value;
}

describe("virtual time inside a world", () => {
  it("an hour of setTimeout costs no wall time, and Date, performance and hrtime all read the virtual clock", async () => {
    const wallStart = real.perfNow.call(performance);
    const seen = await inWorld(async () => {
      const before = { date: Date.now(), perf: performance.now(), hr: process.hrtime.bigint(), iso: new Date().toISOString() };
      await new Promise((resolve) => setTimeout(resolve, 3_600_000));
      return { before, after: { date: Date.now(), perf: performance.now(), hr: process.hrtime.bigint(), called: Date() } };
    });
    expect(real.perfNow.call(performance) - wallStart).toBeLessThan(5_000);
    expect(seen.before.date).toBe(EPOCH);
    expect(seen.before.iso).toBe("2026-03-09T08:00:00.000Z");
    expect(seen.after.date - seen.before.date).toBe(3_600_000);
    expect(seen.after.perf - seen.before.perf).toBe(3_600_000);
    expect(seen.after.hr - seen.before.hr).toBe(3_600_000_000_000n);
    expect(seen.after.called).toBe(new real.Date(EPOCH + 3_600_000).toString());
  });

  it("orders timers as Node does: immediates at once, a 0 ms timeout after 1 ms, intervals until cleared", async () => {
    const log = await inWorld(async () => {
      const out: string[] = [];
      const at = (what: string) => () => out.push(`${what}@${performance.now()}`);
      setTimeout(at("timeout0"), 0);
      setImmediate(at("immediate"));
      setTimeout(at("timeoutNaN"), Number.NaN);
      let ticks = 0;
      const iv = setInterval(() => {
        out.push(`tick@${performance.now()}`);
        if (++ticks === 3) clearInterval(iv);
      }, 100);
      const cancelled = setTimeout(at("cancelled"), 50);
      clearTimeout(+cancelled);
      await new Promise((r) => setTimeout(r, 1_000));
      return out;
    });
    expect(log).toEqual(["immediate@0", "timeout0@1", "timeoutNaN@1", "tick@100", "tick@200", "tick@300"]);
  });

  it("returns Node-like handles: a primitive id, ref/unref, refresh that restarts the countdown", async () => {
    const seen = await inWorld(async () => {
      const fired: number[] = [];
      const t = setTimeout(() => fired.push(performance.now()), 100);
      const handle = { isVirtual: t instanceof VirtualTimeout, id: +t, hasRef: t.hasRef(), afterUnref: t.unref().hasRef() };
      await new Promise((r) => setTimeout(r, 60));
      t.refresh();
      await new Promise((r) => setTimeout(r, 500));
      return { handle, fired };
    });
    expect(seen.handle).toEqual({ isVirtual: true, id: expect.any(Number), hasRef: true, afterUnref: false });
    expect(seen.fired).toEqual([160]);
  });

  it("drops an unref'd interval once the agent is done, as Node lets a process exit; a referenced one runs until the drain ends", async () => {
    const ticks: number[] = [];
    const unrefd = await runInWorld(new Simulation({ seed: 1 }), async () => {
      setInterval(() => ticks.push(performance.now()), 1_000).unref();
      await new Promise((r) => setTimeout(r, 3_500));
    });
    expect(unrefd.outcome.status).toBe("completed");
    expect(ticks).toEqual([1_000, 2_000, 3_000]);
    const referenced = await runInWorld(new Simulation({ seed: 1 }), async () => void setInterval(() => {}, 1_000), { horizon: "1h", drain: "10s" });
    expect(referenced.outcome).toMatchObject({ status: "completed", now: 10_000 });
    expect(referenced.agent.status).toBe("done");
    expect(referenced.leftovers).toEqual([expect.stringMatching(/^agentsim: a setInterval every 1000 ms, created at .*virtual-globals\.test\.ts:\d+:\d+/)]);
  });

  it("AbortSignal.timeout and node:timers/promises run on virtual time", async () => {
    const seen = await inWorld(async () => {
      const signal = AbortSignal.timeout(2_500);
      const aborted = new Promise<[number, string]>((resolve) =>
        signal.addEventListener("abort", () => resolve([performance.now(), (signal.reason as DOMException).name])),
      );
      const slept = await sleep(1_000, "woke");
      const sleptAt = performance.now();
      const rejected = await sleep(10_000, undefined, { signal }).then(
        () => "resolved",
        (e: Error) => `${e.name}@${performance.now()}`,
      );
      return { slept, sleptAt, abort: await aborted, rejected };
    });
    expect(seen).toEqual({ slept: "woke", sleptAt: 1_000, abort: [2_500, "TimeoutError"], rejected: "AbortError@2500" });
  });
});

describe("seeded randomness inside a world", () => {
  const draw = () =>
    inWorld(async () => ({
      random: [Math.random(), Math.random()],
      uuid: crypto.randomUUID(),
      nodeUuid: nodeRandomUUID(),
      bytes: [...crypto.getRandomValues(new Uint8Array(4))],
    }));

  it("gives the same draws for the same seed, and version-4 UUIDs", async () => {
    const a = await draw();
    const b = await draw();
    expect(a).toEqual(b);
    expect(a.random[0]).not.toBe(a.random[1]);
    expect(a.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.nodeUuid).not.toBe(a.uuid);
  });

  it("gives different draws for another seed", async () => {
    const a = await draw();
    const c = await inWorld(async () => ({ random: [Math.random(), Math.random()], uuid: crypto.randomUUID() }), 2);
    expect(c.random).not.toEqual(a.random);
    expect(c.uuid).not.toBe(a.uuid);
  });
});

describe("installing and restoring the globals", () => {
  it("restores every global exactly when the run ends", async () => {
    await inWorld(async () => {
      expect(globalThis.setTimeout).not.toBe(real.setTimeout);
      expect(globalThis.Date).not.toBe(real.Date);
      expect(new Date()).toBeInstanceOf(real.Date);
    });
    expect(globalThis.setTimeout).toBe(real.setTimeout);
    expect(globalThis.setImmediate).toBe(real.setImmediate);
    expect(globalThis.Date).toBe(real.Date);
    expect(Date.now).toBe(real.dateNow);
    expect(Math.random).toBe(real.random);
    expect(performance.now).toBe(real.perfNow);
    expect(process.hrtime).toBe(real.hrtime);
    expect(crypto.randomUUID).toBe(real.randomUUID);
    expect(globalThis.fetch).toBe(real.fetch);
    expect(AbortSignal.timeout).toBe(real.abortTimeout);
    expect(Object.getOwnPropertyDescriptor(performance, "now")).toBeUndefined();
  });

  it("restores the globals when the wrapped run throws", async () => {
    const world = new SimWorld(new Simulation({ seed: 1 }));
    await expect(world.enter(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(globalThis.setTimeout).toBe(real.setTimeout);
    expect(Math.random).toBe(real.random);
  });

  it("refuses a second world while one is running, and runs it once the first is done", async () => {
    const first = runInWorld(new Simulation({ seed: 1 }), async () => new Promise((r) => setTimeout(r, 1_000)));
    await expect(runInWorld(new Simulation({ seed: 2 }), async () => 1)).rejects.toThrow(/already running on this thread.*one at a time/);
    expect((await first).agent.status).toBe("done");
    expect((await runInWorld(new Simulation({ seed: 2 }), async () => 1)).agent).toEqual({ status: "done", value: 1 });
  });

  it("keeps real time for code outside the world's scope while the world runs", async () => {
    const outside = new Promise<{ virtualTimer: boolean; swapped: boolean; nowIsReal: boolean }>((resolve) =>
      real.setImmediate(() => {
        const t = setTimeout(() => {}, 1);
        clearTimeout(t);
        resolve({
          virtualTimer: t instanceof VirtualTimeout,
          swapped: globalThis.setTimeout !== real.setTimeout,
          nowIsReal: Math.abs(Date.now() - real.dateNow()) < 1_000,
        });
      }),
    );
    const run = runInWorld(new Simulation({ seed: 1 }), async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 1_000));
    });
    expect(await outside).toEqual({ virtualTimer: false, swapped: true, nowIsReal: true });
    expect((await run).outcome.now).toBe(20_000);
  });
});
