/** The kernel: virtual time, the scheduler, seeded streams, distributions, processes, the trace. */
export * from "./duration.js";
export * from "./rng.js";
export * from "./distributions.js";
export * from "./event-queue.js";
export * from "./clock.js";
export * from "./trace.js";
export * from "./process.js";
export * from "./simulation.js";
