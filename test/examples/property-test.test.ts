/**
 * examples/property-test: a property test in vitest and fast-check over seeds and fault schedules
 * of a user's agent. The buggy agent's failure is found and shrunk to one fault; the fixed agent
 * holds for every run drawn. The example's own test file is the test, imported here.
 */
import { it } from "vitest";
import { built } from "./built.js";

if (built) await import("../../examples/property-test/refund-agent.test.js");
else it.skip("examples/property-test (needs npm run build)", () => {});
