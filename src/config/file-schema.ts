/**
 * The shape of a scenario file, checked for the scenario it names:
 *
 * ```yaml
 * scenario: double-refund          # a catalog name, or a path to a module (./my-scenario.js)
 * description: optional text
 * seed: 42                         # default: the scenario's
 * horizon: 2h                      # default: the scenario's
 * maxEvents: 1000000               # optional runaway guard
 * startAt: 2026-03-09T08:00:00Z    # optional: the UTC instant of virtual time 0
 * params: { workers: 2000 }        # the scenario's parameter tree; omitted keys take defaults
 * faults: [ { kind: tool-hang, at: 30s, for: 10s, target: refund, probability: 0.5 } ]
 * mitigations: [ idempotency-keys ]
 * invariants: [ at-most-once-effect ]   # default: all the scenario declares
 * ```
 *
 * Parameter values are checked afterwards by `resolveParams`; this schema checks the file's keys,
 * its types, durations, names and ranges. Messages say what was expected; the loader adds what
 * was found and where.
 *
 * Written by hand rather than with a schema library: a file is checked on every `agentsim run`,
 * and loading zod (95 modules) was a third of a short run's start-up. Issues have zod's shape
 * (`code`, `path`, `message`, `keys` for unknown keys), which the loader turns into problems:
 * `invalid_type` for a wrong or missing value, `too_small` for an empty list or string, `custom`
 * for a message that already says what was found.
 */
import { isParam, type ParamTree } from "../scenarios/params.js";
import type { Named, ScenarioDefinition } from "../scenarios/scenario.js";
import { parseDuration } from "../sim/duration.js";
import { unknownName } from "./did-you-mean.js";
import { describeValue } from "./problem.js";

/** The keys a scenario file may have at its top level, in the order the docs list them. */
export const FILE_KEYS = ["scenario", "description", "seed", "horizon", "maxEvents", "startAt", "params", "faults", "mitigations", "invariants"] as const;

/** The keys of one fault injection. */
export const FAULT_KEYS = ["kind", "at", "for", "target", "probability"] as const;

/** A UTC instant as files write it. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A scenario file after shape validation (durations still as written). */
export interface ScenarioFile {
  scenario: string;
  description?: string;
  seed?: number;
  horizon?: string | number;
  maxEvents?: number;
  startAt?: string;
  params?: Record<string, unknown>;
  faults?: { kind: string; at: string | number; for?: string | number; target?: string; probability?: number }[];
  mitigations?: string[];
  invariants?: string[];
}

/** One thing wrong with a file's shape, at a path inside it. */
export interface SchemaIssue {
  code: "invalid_type" | "too_small" | "too_big" | "unrecognized_keys" | "custom";
  path: (string | number)[];
  message: string;
  /** For `unrecognized_keys`: the keys not allowed there. */
  keys?: string[];
}

/** A file's shape check: the file as typed data, or every issue found. */
export interface FileSchema {
  safeParse(doc: unknown): { success: true; data: ScenarioFile } | { success: false; error: { issues: SchemaIssue[] } };
}

/** The file schema for a scenario; without one (its reference is bad), names are not checked. */
export function scenarioFileSchema(def: ScenarioDefinition | undefined): FileSchema {
  return {
    safeParse(doc) {
      const issues: SchemaIssue[] = [];
      checkFile(doc, def, issues);
      return issues.length ? { success: false, error: { issues } } : { success: true, data: doc as ScenarioFile };
    },
  };
}

type Path = (string | number)[];

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkFile(doc: unknown, def: ScenarioDefinition | undefined, issues: SchemaIssue[]): void {
  if (!isMapping(doc)) {
    issues.push({ code: "invalid_type", path: [], message: "expected a mapping" });
    return;
  }
  unknownKeys(doc, FILE_KEYS, [], issues);
  const scenario = doc.scenario;
  if (typeof scenario !== "string")
    issues.push({
      code: "invalid_type",
      path: ["scenario"],
      message: "expected a scenario name (see `agentsim list`) or a module path such as ./my-scenario.js",
    });
  else if (scenario.length < 1) issues.push({ code: "too_small", path: ["scenario"], message: "expected a scenario name or a module path" });
  if (doc.description !== undefined && typeof doc.description !== "string")
    issues.push({ code: "invalid_type", path: ["description"], message: "expected a line of text" });
  if (doc.seed !== undefined) {
    const msg = "expected a whole-number seed";
    wholeNumber(doc.seed, ["seed"], issues, {
      type: msg,
      int: msg,
      min: [0, "expected a seed of 0 or more"],
      max: [Number.MAX_SAFE_INTEGER, `expected a seed of at most ${Number.MAX_SAFE_INTEGER}`],
    });
  }
  if (doc.horizon !== undefined) duration(doc.horizon, ["horizon"], issues, true);
  if (doc.maxEvents !== undefined) {
    const msg = "expected a whole number of events";
    wholeNumber(doc.maxEvents, ["maxEvents"], issues, { type: msg, int: msg, min: [1, "expected at least 1 event"] });
  }
  if (doc.startAt !== undefined) {
    const v = doc.startAt;
    if (typeof v !== "string") issues.push({ code: "invalid_type", path: ["startAt"], message: "expected a UTC instant such as 2026-03-09T08:00:00Z" });
    else if (!INSTANT.test(v) || !Number.isFinite(Date.parse(v)))
      issues.push({ code: "custom", path: ["startAt"], message: `expected a UTC instant such as 2026-03-09T08:00:00Z, got ${describeValue(v)}` });
    else {
      const impossible = impossibleDate(v);
      if (impossible) issues.push({ code: "custom", path: ["startAt"], message: `${describeValue(v)} is not a real date: ${impossible}` });
    }
  }
  if (doc.params !== undefined) {
    if (def) paramsShape(doc.params, def.params, ["params"], issues);
    else if (!isMapping(doc.params)) issues.push({ code: "invalid_type", path: ["params"], message: "expected a mapping of parameters" });
  }
  if (doc.faults !== undefined) {
    if (!Array.isArray(doc.faults))
      issues.push({ code: "invalid_type", path: ["faults"], message: "expected a list of faults such as [ { kind: tool-hang, at: 30s } ]" });
    else doc.faults.forEach((f, i) => fault(f, ["faults", i], def, issues));
  }
  if (doc.mitigations !== undefined) nameList(doc.mitigations, ["mitigations"], "mitigation", def?.mitigations, issues);
  if (doc.invariants !== undefined) {
    const ok = nameList(doc.invariants, ["invariants"], "invariant", def?.invariants, issues);
    if (ok && (doc.invariants as unknown[]).length === 0)
      issues.push({ code: "too_small", path: ["invariants"], message: "expected at least one invariant (omit `invariants` to judge them all)" });
  }
}

function unknownKeys(v: Record<string, unknown>, allowed: readonly string[], path: Path, issues: SchemaIssue[]): void {
  const keys = Object.keys(v).filter((k) => !allowed.includes(k));
  if (keys.length) issues.push({ code: "unrecognized_keys", path, message: `unrecognized keys: ${keys.join(", ")}`, keys });
}

/** A finite number that passes, in order, the whole-number check and the bounds: the first failure is reported. */
function wholeNumber(
  v: unknown,
  path: Path,
  issues: SchemaIssue[],
  m: { type: string; int?: string; min?: [number, string]; max?: [number, string] },
): boolean {
  if (typeof v !== "number" || !Number.isFinite(v)) issues.push({ code: "invalid_type", path, message: m.type });
  else if (m.int !== undefined && !Number.isSafeInteger(v)) issues.push({ code: "invalid_type", path, message: m.int });
  else if (m.min && v < m.min[0]) issues.push({ code: "too_small", path, message: m.min[1] });
  else if (m.max && v > m.max[0]) issues.push({ code: "too_big", path, message: m.max[1] });
  else return true;
  return false;
}

/** A duration written as `"30s"`, `"1h30m"` or a number of milliseconds. */
function duration(v: unknown, path: Path, issues: SchemaIssue[], positive = false): boolean {
  if (typeof v !== "string" && typeof v !== "number") {
    issues.push({ code: "custom", path, message: `expected a duration such as "2h", "30s" or "200ms", got ${describeValue(v)}` });
    return false;
  }
  try {
    const ms = parseDuration(v);
    if (!Number.isFinite(ms)) {
      issues.push({ code: "custom", path, message: `expected a finite duration such as "2h", got one too large to represent` });
      return false;
    }
    if (positive && ms === 0) {
      issues.push({ code: "custom", path, message: `expected a duration above zero, got ${describeValue(v)}` });
      return false;
    }
    return true;
  } catch (e) {
    issues.push({ code: "custom", path, message: (e as Error).message });
    return false;
  }
}

/** A list of names, each one of `valid` (unchecked when the scenario is unknown); true when it is a list of strings. */
function nameList(v: unknown, path: Path, what: string, valid: readonly Named[] | undefined, issues: SchemaIssue[]): boolean {
  const names = valid?.map((n) => n.name);
  if (!Array.isArray(v)) {
    issues.push({ code: "invalid_type", path, message: `expected a list of ${what} names such as [ ${names?.[0] ?? "name"} ]` });
    return false;
  }
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== "string") {
      issues.push({ code: "invalid_type", path: [...path, i], message: `expected a ${what} name` });
      ok = false;
    } else if (names && !names.includes(item)) issues.push({ code: "custom", path: [...path, i], message: unknownName(what, item, names) });
  });
  return ok;
}

function fault(f: unknown, path: Path, def: ScenarioDefinition | undefined, issues: SchemaIssue[]): void {
  if (!isMapping(f)) {
    issues.push({ code: "invalid_type", path, message: "expected a fault such as { kind: tool-hang, at: 30s, for: 10s }" });
    return;
  }
  const before = issues.length;
  const kinds = def?.faults ?? [];
  if (typeof f.kind !== "string") issues.push({ code: "invalid_type", path: [...path, "kind"], message: "expected a fault kind" });
  else if (def && !kinds.some((k) => k.name === f.kind)) {
    issues.push({
      code: "custom",
      path: [...path, "kind"],
      message: kinds.length
        ? unknownName(
            "fault kind",
            f.kind,
            kinds.map((k) => k.name),
          )
        : `scenario ${def.name} declares no fault kinds, so it takes no faults`,
    });
  }
  duration(f.at, [...path, "at"], issues);
  if (f.for !== undefined) duration(f.for, [...path, "for"], issues);
  if (f.target !== undefined && typeof f.target !== "string")
    issues.push({ code: "invalid_type", path: [...path, "target"], message: "expected a target name" });
  if (f.probability !== undefined) {
    const msg = "expected a probability between 0 and 1";
    wholeNumber(f.probability, [...path, "probability"], issues, { type: msg, min: [0, msg], max: [1, msg] });
  }
  const fieldsOk = issues.length === before;
  unknownKeys(f, FAULT_KEYS, path, issues);
  // As a refinement of the whole fault: judged once its fields are well formed.
  const kind = kinds.find((k) => k.name === f.kind);
  if (!fieldsOk || !kind || typeof f.target !== "string") return;
  if (!kind.targets?.length) issues.push({ code: "custom", path: [...path, "target"], message: `fault kind ${kind.name} takes no target` });
  else if (!kind.targets.includes(f.target))
    issues.push({ code: "custom", path: [...path, "target"], message: unknownName(`target for ${kind.name}`, f.target, kind.targets) });
}

/** The parameter tree's keys as nested strict mappings; leaf values are checked by `resolveParams`. */
function paramsShape(v: unknown, tree: ParamTree, path: Path, issues: SchemaIssue[]): void {
  if (!isMapping(v)) {
    issues.push({ code: "invalid_type", path, message: `expected a mapping with keys ${Object.keys(tree).join(", ")}` });
    return;
  }
  for (const [k, node] of Object.entries(tree)) if (!isParam(node) && v[k] !== undefined) paramsShape(v[k], node, [...path, k], issues);
  unknownKeys(v, Object.keys(tree), path, issues);
}

/** The valid keys of the mapping at `path` in a file for `def`, when that mapping has a fixed set. */
export function keysAt(path: readonly (string | number)[], def: ScenarioDefinition | undefined): readonly string[] | undefined {
  if (path.length === 0) return FILE_KEYS;
  if (path[0] === "faults" && path.length === 2) return FAULT_KEYS;
  if (path[0] === "params" && def) {
    let node: ParamTree = def.params;
    for (const seg of path.slice(1)) {
      const next = node[String(seg)];
      if (next === undefined || isParam(next)) return undefined;
      node = next;
    }
    return Object.keys(node);
  }
  return undefined;
}

/** Why the calendar part of an instant does not exist (2026-02-31, 25:00), or undefined. */
function impossibleDate(v: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${year}-${String(month).padStart(2, "0")} has ${days} days`;
  if (hour > 23 || minute > 59 || second > 59) return `the time of day is out of range`;
  return undefined;
}
