/**
 * Scenario parameters, declared once and used everywhere: the YAML schema, defaults, `--set`
 * paths, `agentsim list`, and the ranges that property tests and `check` draw from.
 *
 * A scenario declares a tree of parameters:
 *
 * ```ts
 * const params = {
 *   workers: p.int(1000, { min: 1, max: 100_000, explore: [50, 2000], doc: "workers sharing the prompt" }),
 *   cache: { ttl: p.duration("5m", { min: "1s", doc: "prompt-cache lifetime" }) },
 *   tool: { latency: p.distribution({ lognormal: { p50: "8s", p99: "20s" } }, { doc: "refund latency" }) },
 * };
 * ```
 *
 * and receives resolved values typed from the tree: ints and numbers as numbers, durations in ms,
 * distributions compiled (`Distribution`).
 */
import { distribution, type Distribution, type DistributionSpec, type QuantityUnit } from "../sim/distributions.js";
import { parseDuration } from "../sim/duration.js";

/** The kinds of parameter a scenario may declare. */
export type ParamType = "int" | "number" | "probability" | "duration" | "boolean" | "string" | "distribution" | "instant";

interface ParamOptions<V> {
  /** What the parameter means, for `agentsim list` and the docs. */
  doc: string;
  /** Where the default comes from (FACTS.md row, the post), for the defaults table. */
  source?: string;
  min?: V;
  max?: V;
  /** The range property tests and `check` draw from (inclusive); defaults to [min, max] where finite. */
  explore?: [V, V];
}

/** Marks a `Param` made by either module format of the package (CommonJS or ES module), which `instanceof` cannot. */
const PARAM_BRAND = Symbol.for("agentsim:param");

/** One declared parameter. `V` is its written form, `R` its resolved form. */
export class Param<V = unknown, R = unknown> {
  /** @internal */
  readonly [PARAM_BRAND] = true;

  constructor(
    readonly type: ParamType,
    readonly defaultValue: V,
    readonly options: ParamOptions<V> & { choices?: readonly string[]; unit?: QuantityUnit },
  ) {}

  /** @internal phantom for type inference */
  declare readonly __resolved: R;
}

/** A tree of parameters: leaves are `Param`s, inner nodes plain objects. */
export type ParamTree = { readonly [key: string]: Param | ParamTree };

/** The resolved values of a parameter tree. */
export type ParamValues<T extends ParamTree> = {
  -readonly [K in keyof T]: T[K] extends Param<unknown, infer R> ? R : T[K] extends ParamTree ? ParamValues<T[K]> : never;
};

/** Parameter constructors. */
export const p = {
  int: (def: number, o: ParamOptions<number>) => new Param<number, number>("int", def, o),
  number: (def: number, o: ParamOptions<number>) => new Param<number, number>("number", def, o),
  probability: (def: number, o: Omit<ParamOptions<number>, "min" | "max">) => new Param<number, number>("probability", def, { ...o, min: 0, max: 1 }),
  duration: (def: string, o: ParamOptions<string>) => new Param<string, number>("duration", def, o),
  boolean: (def: boolean, o: { doc: string; source?: string }) => new Param<boolean, boolean>("boolean", def, o),
  string: (def: string, o: { doc: string; source?: string; choices?: readonly string[] }) => new Param<string, string>("string", def, o),
  /** An ISO-8601 UTC instant; resolves to ms since the Unix epoch. */
  instant: (def: string, o: { doc: string; source?: string }) => new Param<string, number>("instant", def, o),
  distribution: (def: DistributionSpec, o: { doc: string; source?: string; unit?: QuantityUnit }) =>
    new Param<DistributionSpec, Distribution>("distribution", def, { ...o, unit: o.unit ?? "duration" }),
};

/** Whether a node of a parameter tree is a leaf (`Param`). */
export function isParam(x: unknown): x is Param {
  return x instanceof Param || (typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[PARAM_BRAND] === true);
}

/** Every leaf of a tree with its dotted path, in declaration order. */
export function paramLeaves(tree: ParamTree, prefix: string[] = []): { path: string[]; param: Param }[] {
  const out: { path: string[]; param: Param }[] = [];
  for (const [k, v] of Object.entries(tree)) {
    if (isParam(v)) out.push({ path: [...prefix, k], param: v });
    else out.push(...paramLeaves(v, [...prefix, k]));
  }
  return out;
}

/** The written (YAML-shaped) defaults of a tree. */
export function paramDefaults(tree: ParamTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) out[k] = isParam(v) ? structuredClone(v.defaultValue) : paramDefaults(v);
  return out;
}

/** A problem with one parameter value, at a path inside `params`. */
export interface ParamProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Resolves written values (defaults merged with the file and overrides) into typed values.
 * Returns the problems instead when any value is out of range or malformed.
 */
export function resolveParams<T extends ParamTree>(
  tree: T,
  written: Record<string, unknown>,
): { ok: true; values: ParamValues<T> } | { ok: false; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const values = resolveTree(tree, written, [], problems);
  return problems.length ? { ok: false, problems } : { ok: true, values: values as ParamValues<T> };
}

function resolveTree(tree: ParamTree, written: Record<string, unknown>, path: string[], problems: ParamProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(tree)) {
    const here = [...path, k];
    const w = written?.[k];
    if (isParam(spec)) out[k] = resolveLeaf(spec, w === undefined ? spec.defaultValue : w, here, problems);
    else out[k] = resolveTree(spec, (w ?? {}) as Record<string, unknown>, here, problems);
  }
  return out;
}

/** Resolves one leaf value, pushing a problem (and returning undefined) when it is bad. */
export function resolveLeaf(spec: Param, value: unknown, path: (string | number)[], problems: ParamProblem[]): unknown {
  const bad = (message: string): undefined => {
    problems.push({ path, message });
    return undefined;
  };
  const { min, max } = spec.options as { min?: unknown; max?: unknown };
  switch (spec.type) {
    case "int":
    case "number":
    case "probability": {
      if (typeof value !== "number" || !Number.isFinite(value)) return bad(`expected a number, got ${describe(value)}`);
      if (spec.type === "int" && !Number.isInteger(value)) return bad(`expected a whole number, got ${value}`);
      if (typeof min === "number" && value < min) return bad(`${value} is below the minimum ${min}`);
      if (typeof max === "number" && value > max) return bad(`${value} is above the maximum ${max}`);
      return value;
    }
    case "duration": {
      if (typeof value !== "string" && typeof value !== "number") return bad(`expected a duration such as "200ms", "7.9s", "5m", got ${describe(value)}`);
      let ms: number;
      try {
        ms = parseDuration(value);
      } catch (e) {
        return bad((e as Error).message);
      }
      if (typeof min === "string" && ms < parseDuration(min)) return bad(`${value} is below the minimum ${min}`);
      if (typeof max === "string" && ms > parseDuration(max)) return bad(`${value} is above the maximum ${max}`);
      return ms;
    }
    case "boolean":
      return typeof value === "boolean" ? value : bad(`expected true or false, got ${describe(value)}`);
    case "string": {
      if (typeof value !== "string") return bad(`expected a string, got ${describe(value)}`);
      const choices = spec.options.choices;
      if (choices && !choices.includes(value)) return bad(`"${value}" is not one of ${choices.join(", ")}`);
      return value;
    }
    case "instant": {
      if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(value) || !Number.isFinite(Date.parse(value))) {
        return bad(`expected an ISO-8601 instant such as 2026-03-09T09:00:00Z, got ${describe(value)}`);
      }
      return Date.parse(value);
    }
    case "distribution": {
      try {
        return distribution(value as DistributionSpec, spec.options.unit ?? "duration");
      } catch (e) {
        const sub = (e as { path?: (string | number)[] }).path ?? [];
        problems.push({ path: [...path, ...sub], message: (e as Error).message });
        return undefined;
      }
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return typeof v === "string" ? `"${v}"` : String(v);
}
