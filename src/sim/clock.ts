/**
 * Clocks that disagree. The simulation has one true virtual clock (`sim.now`, ms since the run
 * began) anchored at an epoch (a UTC instant). An `ActorClock` is what one actor believes the wall
 * clock reads: the true instant plus an offset, plus drift that grows with elapsed time.
 * The four-clocks and clock-race scenarios are built on these disagreements.
 */
import type { TimeSource } from "./trace.js";

/** How an actor's clock is skewed from true virtual time. */
export interface ActorClockOptions {
  /** Constant offset in ms added to the true wall time (positive: the clock runs ahead). */
  offsetMs?: number;
  /** Drift as a fraction: 1e-5 gains 0.864 s a day. */
  drift?: number;
}

/** One actor's reading of the wall clock. */
export class ActorClock {
  readonly name: string;
  readonly offsetMs: number;
  readonly drift: number;
  readonly #time: TimeSource;
  readonly #epochMs: number;

  constructor(name: string, time: TimeSource, epochMs: number, options: ActorClockOptions = {}) {
    this.name = name;
    this.#time = time;
    this.#epochMs = epochMs;
    this.offsetMs = options.offsetMs ?? 0;
    this.drift = options.drift ?? 0;
  }

  /** What this clock reads now, in ms since the Unix epoch. */
  nowMs(): number {
    const t = this.#time.now;
    return this.#epochMs + t + this.offsetMs + t * this.drift;
  }

  /** What this clock reads now, as an ISO-8601 UTC string. */
  nowIso(): string {
    return new Date(Math.round(this.nowMs())).toISOString();
  }

  /** The error of this clock against true time, now, in ms. */
  errorMs(): number {
    return this.offsetMs + this.#time.now * this.drift;
  }
}

/** Parses an ISO-8601 instant into ms since the Unix epoch, or throws with what was expected. */
export function parseInstant(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(iso)) {
    throw new Error(`expected an ISO-8601 instant such as 2026-03-09T08:00:00Z, got "${iso}"`);
  }
  return ms;
}
