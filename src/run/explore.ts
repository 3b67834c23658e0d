/**
 * Property-based search over scenario runs with fast-check: random seeds and parameter values drawn
 * from each parameter's declared `explore` range. fast-check shrinks a failing run toward a small
 * seed and the low end of each range, so the counterexample it reports is small.
 */
import fc from "fast-check";
import { paramLeaves, type Param, type ParamTree } from "../scenarios/params.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { runScenario, type RunConfig, type RunResult } from "./run-scenario.js";

/** A drawn run: its seed and the parameter values written over the defaults. */
export interface DrawnRun {
  seed: number;
  params: Record<string, unknown>;
}

/** An arbitrary for one explorable parameter, in its written form; undefined when it has no range. */
export function leafArbitrary(param: Param): fc.Arbitrary<unknown> | undefined {
  const o = param.options as { min?: unknown; max?: unknown; explore?: [unknown, unknown] };
  const range = o.explore ?? (o.min !== undefined && o.max !== undefined && param.type !== "probability" ? [o.min, o.max] : undefined);
  if (!range) return undefined;
  const [lo, hi] = range;
  switch (param.type) {
    case "int":
      return fc.integer({ min: lo as number, max: hi as number });
    case "number":
    case "probability":
      return fc.double({ min: lo as number, max: hi as number, noNaN: true, noDefaultInfinity: true });
    case "duration":
      return fc.integer({ min: Math.ceil(parseDuration(lo as string)), max: Math.floor(parseDuration(hi as string)) });
    default:
      return undefined;
  }
}

/**
 * An arbitrary for the explorable parameters of a scenario, as a written params tree.
 * Parameters at or under a `fixed` path (values the user pinned) are left out.
 */
export function paramsArbitrary(tree: ParamTree, fixed: readonly (readonly string[])[] = []): fc.Arbitrary<Record<string, unknown>> {
  const isFixed = (path: readonly string[]): boolean => fixed.some((f) => f.every((k, i) => i >= path.length || path[i] === k));
  const leaves = paramLeaves(tree)
    .filter((l) => !isFixed(l.path))
    .map((l) => ({ path: l.path, arb: leafArbitrary(l.param) }))
    .filter((l): l is { path: string[]; arb: fc.Arbitrary<unknown> } => l.arb !== undefined);
  if (leaves.length === 0) return fc.constant({});
  return fc.tuple(...leaves.map((l) => l.arb)).map((values) => {
    const out: Record<string, unknown> = {};
    leaves.forEach((l, i) => setPath(out, l.path, values[i]));
    return out;
  });
}

/** An arbitrary for whole runs: a seed in [1, 2^31) and drawn parameters. */
export function runArbitrary(def: ScenarioDefinition): fc.Arbitrary<DrawnRun> {
  return fc.record({ seed: fc.integer({ min: 1, max: 0x7fffffff }), params: paramsArbitrary(def.params) });
}

export interface SearchOptions {
  runs: number;
  mitigations?: readonly string[];
  /** fast-check's own seed, so that the search itself replays. */
  seed?: number;
  /** Extra run settings (horizon, invariants...). */
  base?: Partial<RunConfig>;
}

/** What a search found: the shrunk failing run, or nothing after `runs` runs. */
export type SearchResult = { found: false; runs: number } | { found: true; runs: number; counterexample: DrawnRun; result: RunResult; shrinks: number };

/** Searches for a run that violates an invariant (or crashes). Shrinks what it finds. */
export async function searchForViolation(def: ScenarioDefinition, options: SearchOptions): Promise<SearchResult> {
  const property = fc.asyncProperty(runArbitrary(def), async (drawn) => {
    const r = await runScenario({ ...options.base, scenario: def, seed: drawn.seed, params: drawn.params, mitigations: options.mitigations ?? [] });
    return r.verdict === "held";
  });
  const details = await fc.check(property, { numRuns: options.runs, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  if (!details.failed || !details.counterexample) return { found: false, runs: details.numRuns };
  const [counterexample] = details.counterexample;
  const result = await runScenario({
    ...options.base,
    scenario: def,
    seed: counterexample.seed,
    params: counterexample.params,
    mitigations: options.mitigations ?? [],
  });
  return { found: true, runs: details.numRuns, counterexample, result, shrinks: details.numShrinks };
}

/** Sets `value` at a dotted path inside `obj`, creating the mappings on the way. */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}
