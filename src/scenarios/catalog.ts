/**
 * The failure catalog (../shared/SCENARIOS.md): every built-in scenario, by public name.
 * Add a scenario by importing its module and listing it here, in catalog order.
 */
import { calendarDeadlock } from "./calendar-deadlock.js";
import { clockRace } from "./clock-race.js";
import { doubleRefund } from "./double-refund.js";
import { fireAndForget } from "./fire-and-forget.js";
import { fourClocks } from "./four-clocks.js";
import { latencyTail } from "./latency-tail.js";
import { partialFailure } from "./partial-failure.js";
import { nullRationalization } from "./null-rationalization.js";
import { orphanedCallback } from "./orphaned-callback.js";
import { retryLaundering } from "./retry-laundering.js";
import type { ScenarioDefinition } from "./scenario.js";
import { sharedToolRace } from "./shared-tool-race.js";
import { stampede } from "./stampede.js";

/** The built-in scenarios, in the order of the failure catalog (SCENARIOS.md). */
export const catalog: readonly ScenarioDefinition[] = [
  // catalog entries are listed here in the order of SCENARIOS.md
  clockRace,
  orphanedCallback,
  fireAndForget,
  stampede,
  calendarDeadlock,
  fourClocks,
  partialFailure,
  retryLaundering,
  doubleRefund,
  sharedToolRace,
  latencyTail,
  nullRationalization,
];

/** The built-in scenario with this name, if any. */
export function findScenario(name: string): ScenarioDefinition | undefined {
  return catalog.find((s) => s.name === name);
}
