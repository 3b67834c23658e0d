/**
 * The failure catalog (../shared/SCENARIOS.md): every built-in scenario, by public name.
 * Add a scenario by importing its module and listing it here, in catalog order.
 */
import { clockRace } from "./clock-race.js";
import { doubleRefund } from "./double-refund.js";
import { partialFailure } from "./partial-failure.js";
import type { ScenarioDefinition } from "./scenario.js";

export const catalog: readonly ScenarioDefinition[] = [
  // catalog entries are listed here in the order of SCENARIOS.md
  clockRace,
  partialFailure,
  doubleRefund,
];

/** The built-in scenario with this name, if any. */
export function findScenario(name: string): ScenarioDefinition | undefined {
  return catalog.find((s) => s.name === name);
}
