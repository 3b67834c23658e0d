/**
 * examples/retry-wrapper: a team's own retry wrapper, tested under the simulator for double
 * effects: the wrapper as first written refunds three times; the fixed one (an idempotency key
 * per operation) refunds once. The example's own test file is the test: it is imported here so
 * that `npm test` runs it exactly as a user would.
 */
import { it } from "vitest";
import { built } from "./built.js";

if (built) await import("../../examples/retry-wrapper/refund.test.js");
else it.skip("examples/retry-wrapper (needs npm run build)", () => {});
