/**
 * `agentsim-kit/kernel`: the deterministic core, for building simulations by hand: virtual time,
 * processes and their signals, seeded random streams, distributions, and the causal trace.
 * An explicit list; docs/API.md lists it by section (`npm run docs`).
 */

// ## Simulations: virtual time, the scheduler, processes
export {
  Simulation,
  DEFAULT_EPOCH_MS,
  type SimulationOptions,
  type RunOptions,
  type RunStatus,
  type RunOutcome,
  type TieBreak,
  type TimerHandle,
  type ProcessBody,
  type SpawnOptions,
  type ProcessHandle,
  type ProcessContext,
} from "../sim/simulation.js";
export { CancelledError, isCancelled, type Signal, type Mailbox, type CancelSignal, type ProcessStatus, type Ended } from "../sim/process.js";
export { ActorClock, parseInstant, type ActorClockOptions } from "../sim/clock.js";

// ## Durations and timestamps
export { parseDuration, formatDuration, formatTimestamp, DurationError, type DurationInput } from "../sim/duration.js";

// ## Seeded streams and distributions
export type { Rng, RandomStream } from "../sim/rng.js";
export {
  distribution,
  DISTRIBUTION_KINDS,
  DistributionError,
  type Distribution,
  type DistributionSpec,
  type DistributionKind,
  type Quantity,
  type QuantityUnit,
} from "../sim/distributions.js";

// ## The trace: events, causes, and the canonical form the trace hash is taken over
export { Trace, type TraceEvent, type EventInput, type Layer, type Phase, type Attrs, type AttrValue } from "../sim/trace.js";
