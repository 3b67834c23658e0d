import { describe, it, expect } from "vitest";
import { Simulation, type TieBreak } from "../../src/sim/simulation.js";

/** Schedules `count` labelled callbacks all due at `at` ms and returns the log they write into. */
function simultaneous(sim: Simulation, count: number, at: number, log: string[]): void {
  for (let i = 0; i < count; i++) sim.schedule(at, (label: string) => log.push(label), `e${i}`);
}

async function orderOfSimultaneous(seed: number, tieBreak: TieBreak, count = 40): Promise<string[]> {
  const sim = new Simulation({ seed, tieBreak });
  const log: string[] = [];
  simultaneous(sim, count, 5, log);
  await sim.run();
  return log;
}

describe("scheduler: order", () => {
  it("runs events in time order, whatever order they were scheduled in, and advances now to each", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: [number, number][] = [];
    const delays = [50, 3, 1000, 0, 7.5, 3.25, 999];
    for (const d of delays) sim.schedule(d, (x: number) => seen.push([sim.now, x]), d);
    const out = await sim.run();
    expect(out.status).toBe("completed");
    expect(out.events).toBe(delays.length);
    expect(seen.map(([, d]) => d)).toEqual([...delays].sort((a, b) => a - b));
    for (const [now, d] of seen) expect(now).toBe(d);
    expect(out.now).toBe(1000);
  });

  it("delays are relative to now when the event is scheduled; `at` takes absolute times", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: string[] = [];
    sim.schedule(100, () => {
      sim.schedule(50, () => seen.push(`relative@${sim.now}`));
      sim.at(120, () => seen.push(`absolute@${sim.now}`));
    });
    await sim.run();
    expect(seen).toEqual(["absolute@120", "relative@150"]);
  });

  it("breaks ties in insertion order by default (fifo), including events added at the same instant", async () => {
    const sim = new Simulation({ seed: 1 });
    expect(sim.tieBreak).toBe("fifo");
    const log: string[] = [];
    simultaneous(sim, 20, 5, log);
    sim.schedule(5, () => {
      log.push("e20");
      sim.schedule(0, () => log.push("late")); // due now: after everything already due now
    });
    sim.schedule(1, () => sim.schedule(4, () => log.push("e21"))); // also due at 5, inserted later
    await sim.run();
    expect(log).toEqual([...Array.from({ length: 22 }, (_, i) => `e${i}`), "late"]);
  });

  it("shuffle mode runs simultaneous events in another order, a permutation fixed by the seed", async () => {
    const fifo = await orderOfSimultaneous(7, "fifo");
    const a = await orderOfSimultaneous(7, "shuffle");
    const b = await orderOfSimultaneous(7, "shuffle");
    expect(b).toEqual(a);
    expect(a).not.toEqual(fifo);
    expect([...a].sort()).toEqual([...fifo].sort());
    const others = await Promise.all([8, 9, 10].map((s) => orderOfSimultaneous(s, "shuffle")));
    for (const o of others) expect(o).not.toEqual(a);
  });

  it("shuffle mode still runs events in time order", async () => {
    const sim = new Simulation({ seed: 3, tieBreak: "shuffle" });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) sim.schedule(i % 7, () => times.push(sim.now));
    await sim.run();
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times).toHaveLength(200);
  });

  it("rejects a negative or NaN delay and a time in the past", async () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.schedule(-1, () => {})).toThrow(/delay must be a non-negative number of ms, got -1/);
    expect(() => sim.schedule(Number.NaN, () => {})).toThrow(RangeError);
    sim.schedule(10, () => expect(() => sim.at(5, () => {})).toThrow(/time 5 is in the past \(now 10\)/));
    await sim.run();
  });
});

describe("scheduler: cancel", () => {
  it("a cancelled timer never runs; cancel reports whether it was pending", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    const keep = sim.schedule(10, () => log.push("keep"));
    const drop = sim.schedule(10, () => log.push("drop"));
    expect(sim.cancel(drop)).toBe(true);
    expect(sim.cancel(drop)).toBe(false);
    const out = await sim.run();
    expect(log).toEqual(["keep"]);
    expect(out.events).toBe(1);
    expect(sim.cancel(keep)).toBe(false); // already ran
  });

  it("a timer can be cancelled by an earlier event, and by an event at the same instant", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    const later = sim.schedule(20, () => log.push("later"));
    let sameInstant = -1;
    sim.schedule(5, () => sim.cancel(later));
    sim.schedule(30, () => sim.cancel(sameInstant));
    sameInstant = sim.schedule(30, () => log.push("same-instant"));
    await sim.run();
    expect(log).toEqual([]);
  });

  it("a stale handle is a no-op after its slot has been reused by another timer", async () => {
    const sim = new Simulation({ seed: 1 });
    const first = sim.schedule(1, () => {});
    await sim.run();
    const log: string[] = [];
    const second = sim.schedule(1, () => log.push("second")); // reuses the freed slot
    expect(second).not.toBe(first);
    expect(sim.cancel(first)).toBe(false);
    await sim.run();
    expect(log).toEqual(["second"]);
  });

  it("cancelled timers neither advance time nor count against the horizon", async () => {
    const sim = new Simulation({ seed: 1 });
    const timeout = sim.schedule(3_600_000, () => {});
    sim.schedule(10, () => sim.cancel(timeout));
    const out = await sim.run({ horizon: "30m" });
    expect(out.status).toBe("completed");
    expect(out.now).toBe(10);
    expect(out.events).toBe(1);
  });

  it("ignores handles it never issued", () => {
    const sim = new Simulation({ seed: 1 });
    expect(sim.cancel(123_456)).toBe(false);
    expect(sim.cancel(-1)).toBe(false);
    expect(sim.cancel(Number.NaN)).toBe(false);
  });
});

describe("scheduler: stopping", () => {
  it("stops at the horizon: events at the horizon run, later ones stay queued for a later run", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: number[] = [];
    for (const t of [10, 20, 25, 30, 40]) sim.schedule(t, () => log.push(sim.now));
    const first = await sim.run({ horizon: "25ms" });
    expect(first.status).toBe("horizon");
    expect(log).toEqual([10, 20, 25]);
    expect(first.now).toBe(25);
    const rest = await sim.run();
    expect(rest.status).toBe("completed");
    expect(log).toEqual([10, 20, 25, 30, 40]);
  });

  it("accepts the horizon as a number of ms", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.schedule(2_000, () => {});
    expect((await sim.run({ horizon: 1_999 })).status).toBe("horizon");
  });

  it("stops a runaway at the event budget and reports it as budget-exceeded", async () => {
    const sim = new Simulation({ seed: 1 });
    const tick = (): void => {
      sim.schedule(1, tick);
    };
    sim.schedule(0, tick);
    const out = await sim.run({ maxEvents: 1_000 });
    expect(out.status).toBe("budget-exceeded");
    expect(out.events).toBe(1_000);
    expect(out.now).toBe(999);
  });

  it("stops at the budget inside a batch of simultaneous events", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    simultaneous(sim, 10, 5, log);
    const out = await sim.run({ maxEvents: 4 });
    expect(out.status).toBe("budget-exceeded");
    expect(log).toEqual(["e0", "e1", "e2", "e3"]);
  });

  it("a run that needs exactly the budget completes", async () => {
    const sim = new Simulation({ seed: 1 });
    const log: string[] = [];
    simultaneous(sim, 10, 5, log);
    const dropped = sim.schedule(6, () => log.push("cancelled"));
    sim.cancel(dropped);
    const out = await sim.run({ maxEvents: 10 });
    expect(out.status).toBe("completed");
    expect(out.events).toBe(10);
  });

  it("an empty simulation completes at time 0", async () => {
    const out = await new Simulation({ seed: 1 }).run();
    expect(out).toEqual({ status: "completed", now: 0, events: 0, waiting: [] });
  });

  it("refuses to run twice at once", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("sleeper", (ctx) => ctx.sleep(5)); // a process makes the run yield, so it is still in flight
    const first = sim.run();
    await expect(sim.run()).rejects.toThrow(/already running/);
    expect((await first).status).toBe("completed");
  });
});
