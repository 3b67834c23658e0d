/**
 * The kernel's yield between timestamps (issue 17): it resumes when the microtask queue has
 * drained, without an event-loop turn, and still lets every continuation run before time
 * advances, however many promise hops deep; a world's full event-loop turns give the same trace.
 */
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/sim/simulation.js";

async function deep(n: number): Promise<void> {
  if (n > 0) await deep(n - 1);
  await Promise.resolve();
}

async function record(eventLoopTurns: boolean): Promise<{ seen: number[]; hash: string; turns: number }> {
  const sim = new Simulation({ seed: 3, eventLoopTurns });
  const seen: number[] = [];
  // A timer 1 ms after each wake-up: if time advanced before the continuations finished, they would see it.
  for (let t = 1; t <= 20; t++) sim.schedule(t * 10 + 1, () => sim.trace.instant({ actor: "ticker", layer: "clock", kind: "tick" }));
  for (let p = 0; p < 5; p++) {
    sim.spawn(`p${p}`, async (ctx) => {
      for (let k = 0; k < 20; k++) {
        await ctx.sleep(10);
        await deep(40 + p * 7); // a chain of promise hops of a different depth for each process
        await Promise.all([deep(3), deep(9)]);
        seen.push(ctx.now % 10);
        sim.trace.instant({ actor: `p${p}`, layer: "harness", kind: "step", attrs: { k } });
      }
    });
  }
  // Count event-loop turns while the run goes: none when continuations need only microtasks.
  let turns = 0;
  let counting = true;
  const count = (): void => {
    if (!counting) return;
    turns++;
    setImmediate(count);
  };
  setImmediate(count);
  const out = await sim.run();
  counting = false;
  expect(out.status).toBe("completed");
  return { seen, hash: sim.trace.hash(), turns };
}

describe("the kernel's yield between timestamps", () => {
  it("lets every continuation run before time advances, however deep its chain of promises", async () => {
    const short = await record(false);
    expect(short.seen).toHaveLength(100);
    expect(new Set(short.seen)).toEqual(new Set([0]));
  });

  it("gives the same trace as yielding a full event-loop turn, without taking one", async () => {
    const short = await record(false);
    const full = await record(true);
    expect(short.hash).toBe(full.hash);
    expect(short.turns).toBeLessThanOrEqual(1);
    expect(full.turns).toBeGreaterThanOrEqual(20); // one at least per timestamp that woke a process
  });

  it("with eventLoopTurns, lets process.nextTick callbacks that continuations queue run before time advances", async () => {
    // The microtask yield covers promise continuations; work that continuations queue with
    // process.nextTick (streams do) needs the full turn that a world asks for.
    const sim = new Simulation({ seed: 1, eventLoopTurns: true });
    const at: number[] = [];
    sim.schedule(6, () => {});
    sim.spawn("p", async (ctx) => {
      await ctx.sleep(5);
      await new Promise<void>((resolve) => process.nextTick(resolve));
      await deep(5);
      at.push(ctx.now);
    });
    await sim.run();
    expect(at).toEqual([5]);
  });
});
