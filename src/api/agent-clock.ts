/**
 * The clock a user's agent code is written against: a narrow interface (the seam xstate's
 * `Clock` is) that production code implements with the real timers and a simulation implements on
 * virtual time. Code that asks this clock for the time and for its waits runs unchanged in both.
 *
 * (An implementation over the real timers is five lines: `examples/retry-wrapper/clock.ts`.)
 *
 * `processClock(ctx)` is the virtual one: `sleep` is a process wait (it rejects with
 * `CancelledError` when the process is cancelled); a scheduled callback runs from the kernel's
 * timers and tells the kernel it woke someone, so the promise continuations it starts run before
 * virtual time moves on; a callback that throws crashes the run, as an uncaught exception would.
 */
import type { DurationInput } from "../sim/duration.js";
import type { ProcessContext, Simulation, TimerHandle } from "../sim/simulation.js";

/** Time for agent code: the current instant, waits and cancellable callbacks. */
export interface AgentClock {
  /** Milliseconds since the run began (virtual under agentsim). */
  now(): number;
  /** The current instant as a `Date` (under agentsim: the simulation's epoch plus `now()`). */
  date(): Date;
  /** Resolves after `duration` (ms, or a string such as `"2s"`). */
  sleep(duration: DurationInput): Promise<void>;
  /** Runs `fn` once after `ms`; returns a handle for `cancel`. */
  schedule(ms: number, fn: () => void): TimerHandle;
  /** Cancels a callback from `schedule`; does nothing if it already ran or was cancelled. */
  cancel(handle: TimerHandle): void;
}

/** The `AgentClock` of one process, on the simulation's virtual time. */
export function processClock(ctx: ProcessContext): AgentClock {
  const sim = ctx.sim;
  const owner = ctx.process.name;
  return {
    now: () => sim.now,
    date: () => new Date(sim.epochMs + sim.now),
    sleep: (duration) => ctx.sleep(duration),
    schedule: (ms, fn) => sim.schedule(Math.max(0, ms), runCallback, { sim, owner, fn }),
    cancel: (handle) => void sim.cancel(handle),
  };
}

/** A scheduled callback and whom it belongs to. */
interface Scheduled {
  sim: Simulation;
  owner: string;
  fn: () => void;
}

function runCallback(s: Scheduled): void {
  s.sim.wake();
  try {
    s.fn();
  } catch (error) {
    s.sim.crashed(`${s.owner} (a scheduled callback)`, error);
  }
}
