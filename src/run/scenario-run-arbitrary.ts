/**
 * A fast-check arbitrary for whole scenario runs: a seed, parameter values drawn from each
 * parameter's declared `explore` range, and a fault schedule built from the scenario's declared
 * fault kinds (which kinds, when, for how long, which target). With `swarm`, each run also
 * switches a random subset of the fault kinds on and drops the faults of the others (swarm
 * testing: Groce et al. 2012), so runs explore configurations with one kind of fault alone.
 *
 * Everything shrinks the way a reader wants a counterexample: fewer faults, earlier and shorter
 * windows, kinds switched off, smaller parameters (toward the low end of their ranges), seeds
 * toward 1.
 *
 * ```ts
 * await fc.assert(fc.asyncProperty(scenarioRunArbitrary(def), async (run) => {
 *   const r = await runScenario({ scenario: def, ...run, mitigations: ["idempotency-keys"] });
 *   return r.verdict === "held";
 * }));
 * ```
 */
import fc from "fast-check";
import type { FaultKind, FaultSpec, ScenarioDefinition } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { paramsArbitrary } from "./explore.js";

/** One drawn run: the seed, the parameter values written over the defaults, the fault schedule. */
export interface ScenarioRun {
  seed: number;
  params: Record<string, unknown>;
  /** Sorted by start time. */
  faults: FaultSpec[];
}

/** How runs are drawn. */
export interface RunArbitraryOptions {
  /** Draw fault schedules from the scenario's fault kinds (default true). */
  faults?: boolean;
  /** Which of the scenario's fault kinds to draw (default all it declares); an unknown name throws. */
  faultKinds?: readonly string[];
  /** Switch a random subset of fault kinds on per run. */
  swarm?: boolean;
  /** The most faults in one schedule (default 4). */
  maxFaults?: number;
  /** Faults start within [0, horizonMs] and last at most horizonMs (default the scenario's horizon). */
  horizonMs?: number;
  /** Parameter paths held at their written values, not drawn (e.g. those set with `--set`). */
  fixedParams?: readonly (readonly string[])[];
}

/** The arbitrary for runs of `def`. */
export function scenarioRunArbitrary(def: ScenarioDefinition, options: RunArbitraryOptions = {}): fc.Arbitrary<ScenarioRun> {
  const horizonMs = options.horizonMs ?? parseDuration(def.defaults.horizon);
  const kinds = options.faults === false ? [] : selectKinds(def, options.faultKinds);
  return fc.record({
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    params: paramsArbitrary(def.params, options.fixedParams ?? []),
    faults: faultScheduleArbitrary(kinds, { horizonMs, maxFaults: options.maxFaults ?? 4, swarm: options.swarm ?? false }),
  });
}

/** The fault kinds named in `names` (all the scenario declares when absent); throws naming the declared ones for an unknown name. */
export function selectKinds(def: ScenarioDefinition, names?: readonly string[]): FaultKind[] {
  const declared = def.faults ?? [];
  if (names === undefined) return [...declared];
  return names.map((n) => {
    const kind = declared.find((k) => k.name === n);
    if (!kind)
      throw new RangeError(
        `unknown fault kind "${n}" for ${def.name}; expected one of: ${declared.map((k) => k.name).join(", ") || "none (it declares no fault kinds)"}`,
      );
    return kind;
  });
}

/** The fault kinds that do not defeat any of `mitigations` by design (see `FaultKind.defeats`). */
export function faultKindsWithin(def: ScenarioDefinition, mitigations: readonly string[]): string[] {
  return (def.faults ?? []).filter((k) => !(k.defeats ?? []).some((m) => mitigations.includes(m))).map((k) => k.name);
}

/** The arbitrary for fault schedules over `kinds` (always empty when there are none). */
export function faultScheduleArbitrary(
  kinds: readonly FaultKind[],
  options: { horizonMs: number; maxFaults: number; swarm: boolean },
): fc.Arbitrary<FaultSpec[]> {
  if (kinds.length === 0 || options.maxFaults <= 0) return fc.constant([]);
  const one = fc.oneof(...kinds.map((k) => faultArbitrary(k, options.horizonMs)));
  const schedule = fc.array(one, { maxLength: options.maxFaults });
  if (!options.swarm) return schedule.map(byStart);
  const switches = fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length });
  return fc.tuple(switches, schedule).map(([on, faults]) => byStart(faults.filter((f) => on[kinds.findIndex((k) => k.name === f.kind)] === true)));
}

/** One fault of `kind`: a window within the horizon, a target when the kind takes one. */
function faultArbitrary(kind: FaultKind, horizonMs: number): fc.Arbitrary<FaultSpec> {
  const targets = kind.targets ?? [];
  return fc
    .record({
      at: fc.integer({ min: 0, max: Math.floor(horizonMs) }),
      for: fc.integer({ min: 0, max: Math.floor(horizonMs) }),
      target: targets.length ? fc.constantFrom(...targets) : fc.constant(undefined),
    })
    .map((f) => ({ kind: kind.name, at: f.at, for: f.for, ...(f.target !== undefined ? { target: f.target } : {}) }));
}

function byStart(faults: FaultSpec[]): FaultSpec[] {
  return [...faults].sort((a, b) => a.at - b.at);
}
