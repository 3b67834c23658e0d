/**
 * `--set path=value` overrides: change any value of a scenario file from the command line.
 *
 * Paths are dotted keys and list indices into the file's tree: `seed=7`, `horizon=1h`,
 * `params.workers=2000`, `params.tool.latency.lognormal.p50=9s`, `faults.0.at=10s`. Parameters
 * the file does not write can be set too (inside a distribution, the default's keys are reachable).
 * Values are YAML (`9s`, `42`, `true`, `[a, b]`, `{ uniform: { min: 1s, max: 2s } }`). A path that
 * names nothing is an error naming the valid keys at that level, never ignored.
 */
import { isParam, type Param, type ParamTree } from "../scenarios/params.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { didYouMean } from "./did-you-mean.js";
import { FAULT_KEYS, FILE_KEYS } from "./file-schema.js";
import { FORBIDDEN_KEYS, forbiddenKeyMessage, parseYamlValue } from "./yaml-source.js";

/** One parsed override. */
export interface Override {
  /** The expression as the user wrote it. */
  expr: string;
  /** The dotted path, split. */
  keys: string[];
  value: unknown;
}

/** Parses `path=value`. */
export function parseOverride(expr: string): { ok: true; override: Override } | { ok: false; message: string } {
  const eq = expr.indexOf("=");
  if (eq <= 0) return { ok: false, message: `expected path=value, such as seed=7 or params.workers=2000` };
  const keys = expr.slice(0, eq).trim().split(".");
  if (keys.some((k) => k === "")) return { ok: false, message: `"${expr.slice(0, eq)}" is not a path: expected dotted keys such as params.tool.latency` };
  const forbidden = keys.find((k) => FORBIDDEN_KEYS.has(k));
  if (forbidden !== undefined) return { ok: false, message: `at key ${keys.indexOf(forbidden) + 1} of the path: ${forbiddenKeyMessage(forbidden)}` };
  const parsed = parseYamlValue(expr.slice(eq + 1));
  if (!parsed.ok) return { ok: false, message: `the value is not valid: ${parsed.message}` };
  return { ok: true, override: { expr, keys, value: parsed.value } };
}

/** What is known about the node being walked. */
type Level =
  | { kind: "file" }
  | { kind: "params"; tree: ParamTree }
  | { kind: "leaf"; param: Param }
  | { kind: "faults" }
  | { kind: "fault" }
  | { kind: "list" }
  | { kind: "value" };

type Container = Record<string, unknown> | unknown[];

/**
 * Applies one override to a file's tree (in place). `def` is the scenario the file names, if it
 * resolved; without it, `params` paths are taken as they are written. Returns the path it set
 * (list indices as numbers), or what is wrong with the path.
 */
export function applyOverride(
  doc: Record<string, unknown>,
  o: Override,
  def: ScenarioDefinition | undefined,
): { ok: true; path: (string | number)[] } | { ok: false; message: string } {
  let container: Container = doc;
  let level: Level = { kind: "file" };
  const path: (string | number)[] = [];
  for (const [i, seg] of o.keys.entries()) {
    const step = stepInto(container, level, seg, path, def);
    if (!step.ok) return step;
    path.push(step.key);
    if (i === o.keys.length - 1) {
      setIn(container, step.key, o.value);
      return { ok: true, path };
    }
    const child = childContainer(container, step, path);
    if (!child.ok) return child;
    container = child.container;
    level = step.level;
  }
  return { ok: false, message: "empty path" };
}

type Step = { ok: true; key: string | number; level: Level } | { ok: false; message: string };

/** Checks one path segment against what may be written at this level. */
function stepInto(container: Container, level: Level, seg: string, at: (string | number)[], def: ScenarioDefinition | undefined): Step {
  const here = at.join(".");
  switch (level.kind) {
    case "file":
      if (!(FILE_KEYS as readonly string[]).includes(seg)) return badKey(here, seg, FILE_KEYS);
      return { ok: true, key: seg, level: fileChild(seg, def) };
    case "params": {
      const node = level.tree[seg];
      if (node === undefined) return badKey(here, seg, Object.keys(level.tree));
      return { ok: true, key: seg, level: isParam(node) ? { kind: "leaf", param: node } : { kind: "params", tree: node } };
    }
    case "fault":
      if (!(FAULT_KEYS as readonly string[]).includes(seg)) return badKey(here, seg, FAULT_KEYS);
      return { ok: true, key: seg, level: { kind: "value" } };
    case "faults":
    case "list":
    case "leaf":
    case "value": {
      const next: Level = level.kind === "faults" ? { kind: "fault" } : { kind: "value" };
      if (Array.isArray(container)) {
        const index = Number(seg);
        if (!/^\d+$/.test(seg) || index >= container.length) {
          const range = container.length ? `an index from 0 to ${container.length - 1}` : "nothing (the list is empty; set the whole list instead)";
          return { ok: false, message: `${here} is a list of ${container.length}; expected ${range}, got "${seg}"` };
        }
        return { ok: true, key: index, level: next };
      }
      const keys = Object.keys(container);
      if (!keys.includes(seg)) return badKey(here, seg, keys);
      return { ok: true, key: seg, level: next };
    }
  }
}

function fileChild(key: string, def: ScenarioDefinition | undefined): Level {
  if (key === "params") return def ? { kind: "params", tree: def.params } : { kind: "value" };
  if (key === "faults") return { kind: "faults" };
  if (key === "mitigations" || key === "invariants") return { kind: "list" };
  return { kind: "value" };
}

/** The container to walk into next, creating mappings (and parameter defaults) the file omits. */
function childContainer(
  container: Container,
  step: { key: string | number; level: Level },
  path: (string | number)[],
): { ok: true; container: Container } | { ok: false; message: string } {
  const here = path.join(".");
  let child = (container as Record<string | number, unknown>)[step.key];
  if (child === undefined) {
    if (step.level.kind === "params") child = {};
    else if (step.level.kind === "leaf") child = structuredClone(step.level.param.defaultValue);
    else return { ok: false, message: `${here} is not set in the file, so it has nothing inside to set; set ${here} as a whole` };
    setIn(container, step.key, child);
  }
  if (child !== null && typeof child === "object") return { ok: true, container: child as Container };
  return { ok: false, message: `${here} is a single value (${JSON.stringify(child)}), with no keys inside; set ${here}=<value> instead` };
}

function setIn(container: Container, key: string | number, value: unknown): void {
  (container as Record<string | number, unknown>)[key] = value;
}

function badKey(here: string, seg: string, valid: readonly string[]): { ok: false; message: string } {
  const where = here ? `under ${here}` : "at the top level";
  const guess = didYouMean(seg, valid);
  const hint = guess ? `; did you mean "${guess}"?` : ";";
  return { ok: false, message: `no key "${seg}" ${where}${hint} valid keys there: ${valid.join(", ") || "none"}` };
}
