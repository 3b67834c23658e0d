import { describe, it, expect } from "vitest";
import { distribution } from "../../src/sim/distributions.js";
import { Simulation, type TieBreak } from "../../src/sim/simulation.js";

const SEEDS = Array.from({ length: 100 }, (_, i) => i * 7919 + 1);

/**
 * A workload built to expose any nondeterminism in the kernel: workers with random latencies
 * rounded to 10 ms (so many events fall on the same instant), a ticker on the same 10 ms grid,
 * a shared mailbox drained by a daemon whose trace records arrival order, signals, child processes,
 * deadlines that sometimes win, and cancellations. Every step is traced with causal parents, so
 * any change of interleaving changes the trace, and so its hash.
 */
async function runWorkload(seed: number, tieBreak: TieBreak): Promise<{ hash: string; events: number; simultaneous: number; status: string }> {
  const sim = new Simulation({ seed, tieBreak });
  const latency = distribution({ lognormal: { p50: "40ms", p99: "400ms" } });
  const grid = (ms: number): number => Math.max(10, Math.round(ms / 10) * 10);
  const results = sim.mailbox<{ worker: number; step: number; parent: number }>("results");
  const halfway = sim.signal<number>("halfway");

  sim.spawn(
    "aggregator",
    async (ctx) => {
      let n = 0;
      for (;;) {
        const r = await ctx.receive(results);
        n++;
        sim.trace.instant({ actor: "aggregator", layer: "store", kind: "result.recorded", parent: r.parent, attrs: { worker: r.worker, step: r.step, n } });
        if (n === 60) halfway.fire(ctx.now);
      }
    },
    { daemon: true },
  );

  for (let w = 0; w < 12; w++) {
    sim.spawn(`worker:${w}`, async (ctx) => {
      const rng = ctx.rng(`worker:${w}`);
      for (let step = 0; step < 10; step++) {
        const span = sim.trace.begin({ actor: `worker:${w}`, layer: "tool", kind: "tool.call", attrs: { step } });
        const call = ctx.spawn(`worker:${w}:call:${step}`, async (c) => {
          await c.sleep(grid(latency.sample(rng)));
          return rng.int(0, 1000);
        });
        const r = await ctx.deadline(grid(latency.quantile(0.9)), ctx.join(call));
        if (!r.ok) call.cancel("deadline");
        sim.trace.end(span, { ok: r.ok, value: r.ok && r.value.status === "done" ? (r.value.value as number) : null });
        results.send({ worker: w, step, parent: span });
        if (step === 5 && w % 3 === 0) {
          const t = await ctx.wait(halfway);
          sim.trace.instant({ actor: `worker:${w}`, layer: "harness", kind: "barrier.passed", parent: span, attrs: { firedAt: t } });
        }
      }
    });
  }

  let ticks = 0;
  const tick = (): void => {
    ticks++;
    sim.trace.instant({ actor: "clock", layer: "clock", kind: "tick", attrs: { ticks } });
    if (ticks < 150) sim.schedule(10, tick);
  };
  sim.schedule(0, tick);

  const out = await sim.run({ maxEvents: 100_000 });
  const perInstant = new Map<number, number>();
  for (const e of sim.trace.events) perInstant.set(e.t, (perInstant.get(e.t) ?? 0) + 1);
  const simultaneous = [...perInstant.values()].filter((c) => c >= 3).length;
  return { hash: sim.trace.hash(), events: sim.trace.events.length, simultaneous, status: out.status };
}

describe("determinism", () => {
  it("the workload really has many simultaneous events and completes", async () => {
    const r = await runWorkload(SEEDS[0] as number, "fifo");
    expect(r.status).toBe("completed");
    expect(r.events).toBeGreaterThan(500);
    expect(r.simultaneous).toBeGreaterThan(50);
  });

  for (const tieBreak of ["fifo", "shuffle"] as const) {
    it(`${tieBreak}: the same seed gives the same trace hash over ${SEEDS.length} seeds, even with two runs interleaved`, async () => {
      const hashes = new Set<string>();
      for (const seed of SEEDS) {
        const [a, b] = await Promise.all([runWorkload(seed, tieBreak), runWorkload(seed, tieBreak)]);
        expect(a.hash, `seed ${seed}`).toBe(b.hash);
        expect(a.status).toBe("completed");
        hashes.add(a.hash);
      }
      // Different seeds give different traces.
      expect(hashes.size).toBe(SEEDS.length);
    });
  }

  it("the shuffle tie mode explores other orders than fifo for the same seed", async () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const [fifo, shuffled] = await Promise.all([runWorkload(seed, "fifo"), runWorkload(seed, "shuffle")]);
      expect(shuffled.hash, `seed ${seed}`).not.toBe(fifo.hash);
    }
  });
});
