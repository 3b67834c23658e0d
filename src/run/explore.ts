/**
 * Parameter values for the search (`check.ts`, over `scenarioRunArbitrary`): each explorable
 * parameter drawn from its declared `explore` range. fast-check shrinks a drawn value toward the
 * low end of its range, so a counterexample's parameters are small.
 */
import fc from "fast-check";
import { paramLeaves, type Param, type ParamTree } from "../scenarios/params.js";
import { parseDuration } from "../sim/duration.js";

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

/** Sets `value` at a dotted path inside `obj`, creating the mappings on the way. */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}
