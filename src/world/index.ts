/**
 * Simulated worlds: real, unmodified agent code (timers, Date, randomness, fetch, npm clients) run
 * on a simulation's virtual time and seeded streams, against simulated services.
 */
export * from "./world-context.js";
export * from "./virtual-timers.js";
export * from "./virtual-globals.js";
export * from "./leak-detector.js";
export * from "./sim-fetch.js";
export * from "./prompt-tokens.js";
export * from "./anthropic-endpoint.js";
export * from "./anthropic-stream.js";
export * from "./http-tool.js";
export * from "./sim-world.js";
export * from "./run-in-world.js";
export * from "./user-agent-scenario.js";
