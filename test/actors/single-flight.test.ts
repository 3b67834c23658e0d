import { describe, expect, it } from "vitest";
import { SingleFlight } from "../../src/actors/single-flight.js";
import { Simulation } from "../../src/sim/simulation.js";

describe("SingleFlight", () => {
  it("the first caller of a key leads; callers while it is in the air follow and get what it lands", async () => {
    const sim = new Simulation({ seed: 1 });
    const flights = new SingleFlight<string>(sim);
    const got: [string, number, string][] = [];
    for (const [name, at] of [
      ["a", 0],
      ["b", 100],
      ["c", 200],
    ] as const) {
      sim.spawn(name, async (ctx) => {
        await ctx.sleep(at);
        const f = flights.join("k");
        if (f.leader) {
          await ctx.sleep(1_000);
          f.land(`warmed by ${name}`);
          got.push([name, ctx.now, "led"]);
        } else {
          const value = await ctx.wait(f.landed);
          got.push([name, ctx.now, value]);
        }
      });
    }
    await sim.run();
    expect(got).toEqual([
      ["a", 1_000, "led"],
      ["b", 1_000, "warmed by a"],
      ["c", 1_000, "warmed by a"],
    ]);
    expect(flights.stats).toEqual({ flights: 1, followers: 2 });
  });

  it("a landed flight is over: the next join leads a new one; keys are independent", () => {
    const sim = new Simulation({ seed: 1 });
    const flights = new SingleFlight<number>(sim);
    const first = flights.join("k");
    expect(flights.join("other").leader).toBe(true);
    expect(flights.join("k").leader).toBe(false);
    if (first.leader) first.land(1);
    expect(flights.inFlight("k")).toBe(false);
    expect(flights.join("k").leader).toBe(true);
    expect(flights.stats).toEqual({ flights: 3, followers: 1 });
  });
});
