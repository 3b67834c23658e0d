/**
 * Single flight (Go's `singleflight`, FACTS.md "Cache stampede prevention"): at most one execution
 * in flight per key; whoever asks while it is in flight waits for it instead of doing the same
 * work again, and shares what it lands.
 *
 * ```ts
 * const flight = flights.join("system-prompt@v42");
 * if (flight.leader) flight.land(await rewarm());   // the one worker that does the work
 * else await ctx.wait(flight.landed);                 // everyone else waits for it
 * ```
 *
 * A flight ends when its leader lands it (the leader must land it, with a failure value if the
 * work failed, or its followers wait forever); the next `join` of that key starts a new flight.
 * What "landed" means is the caller's choice: for a provider's prompt cache it is the moment the
 * re-warming response begins, when the entry becomes visible to everyone.
 */
import type { Signal } from "../sim/process.js";
import type { Simulation } from "../sim/simulation.js";

/** A caller's place in a flight: its leader, or a follower waiting for `landed`. */
export type Flight<T> =
  | {
      leader: true;
      /** Ends the flight: every follower wakes with `value`. */
      land(value: T): void;
      landed: Signal<T>;
    }
  | { leader: false; landed: Signal<T> };

/** Counts over the group's life. */
export interface SingleFlightStats {
  /** Flights started (one leader each). */
  flights: number;
  /** Joins that found a flight in the air and waited for it. */
  followers: number;
}

/** A group of flights keyed by what they compute. */
export class SingleFlight<T> {
  readonly name: string;
  readonly #sim: Simulation;
  readonly #inFlight = new Map<string, Signal<T>>();
  readonly #stats: SingleFlightStats = { flights: 0, followers: 0 };

  constructor(sim: Simulation, name = "single-flight") {
    this.#sim = sim;
    this.name = name;
  }

  /** Joins the flight of `key`: leads a new one if none is in the air, else follows it. */
  join(key: string): Flight<T> {
    const current = this.#inFlight.get(key);
    if (current) {
      this.#stats.followers++;
      return { leader: false, landed: current };
    }
    const landed = this.#sim.signal<T>(`${this.name}: flight of ${key}`);
    this.#inFlight.set(key, landed);
    this.#stats.flights++;
    return {
      leader: true,
      landed,
      land: (value: T) => {
        if (this.#inFlight.get(key) === landed) this.#inFlight.delete(key);
        landed.fire(value);
      },
    };
  }

  /** Whether a flight of `key` is in the air. */
  inFlight(key: string): boolean {
    return this.#inFlight.has(key);
  }

  /** Flights started and followers so far. */
  get stats(): Readonly<SingleFlightStats> {
    return this.#stats;
  }
}
