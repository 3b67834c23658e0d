/** Invariant checkers: pure functions over evidence (trace, ledgers, histories, graphs). */
export * from "./verdict.js";
export * from "./at-most-once.js";
export * from "./exactly-once.js";
export * from "./phantom-failure.js";
export * from "./wait-for-graph.js";
export * from "./approval-wait-edges.js";
export * from "./linearizability.js";
export * from "./lost-updates.js";
export * from "./latency.js";
export * from "./liveness.js";
export * from "./grounding.js";
export * from "./receipts.js";
export * from "./spend-spike.js";
export * from "./cache-writes-per-expiry.js";
export * from "./surfaced-errors.js";
export * from "./callback-delivery.js";
export * from "./dates-agree.js";
