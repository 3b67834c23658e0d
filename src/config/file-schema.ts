/**
 * The shape of a scenario file, as a zod schema built for the scenario it names:
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
 */
import { z } from "zod";
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

/** The file schema for a scenario; without one (its reference is bad), names are not checked. */
export function scenarioFileSchema(def: ScenarioDefinition | undefined): z.ZodType<ScenarioFile> {
  return z.strictObject({
    scenario: z
      .string({ error: "expected a scenario name (see `agentsim list`) or a module path such as ./my-scenario.js" })
      .min(1, { error: "expected a scenario name or a module path" }),
    description: z.string({ error: "expected a line of text" }).optional(),
    seed: z
      .number({ error: "expected a whole-number seed" })
      .int({ error: "expected a whole-number seed" })
      .min(0, { error: "expected a seed of 0 or more" })
      .max(Number.MAX_SAFE_INTEGER, { error: `expected a seed of at most ${Number.MAX_SAFE_INTEGER}` })
      .optional(),
    horizon: duration({ positive: true }).optional(),
    maxEvents: z
      .number({ error: "expected a whole number of events" })
      .int({ error: "expected a whole number of events" })
      .min(1, { error: "expected at least 1 event" })
      .optional(),
    startAt: z.string({ error: "expected a UTC instant such as 2026-03-09T08:00:00Z" }).superRefine(checkInstant).optional(),
    params: (def ? paramsSchema(def.params) : z.record(z.string(), z.unknown(), { error: "expected a mapping of parameters" })).optional(),
    faults: z.array(faultSchema(def), { error: "expected a list of faults such as [ { kind: tool-hang, at: 30s } ]" }).optional(),
    mitigations: nameList("mitigation", def?.mitigations).optional(),
    invariants: nameList("invariant", def?.invariants).min(1, { error: "expected at least one invariant (omit `invariants` to judge them all)" }).optional(),
  }) as unknown as z.ZodType<ScenarioFile>;
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

/** A duration written as `"30s"`, `"1h30m"` or a number of milliseconds. */
function duration(options: { positive?: boolean } = {}): z.ZodType<string | number> {
  return z.unknown().superRefine((v, ctx) => {
    if (typeof v !== "string" && typeof v !== "number") {
      ctx.addIssue({ code: "custom", message: `expected a duration such as "2h", "30s" or "200ms", got ${describeValue(v)}` });
      return;
    }
    try {
      const ms = parseDuration(v);
      if (!Number.isFinite(ms)) ctx.addIssue({ code: "custom", message: `expected a finite duration such as "2h", got one too large to represent` });
      else if (options.positive && ms === 0) ctx.addIssue({ code: "custom", message: `expected a duration above zero, got ${describeValue(v)}` });
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
    }
  }) as z.ZodType<string | number>;
}

function checkInstant(v: string, ctx: z.RefinementCtx): void {
  if (!INSTANT.test(v) || !Number.isFinite(Date.parse(v))) {
    ctx.addIssue({ code: "custom", message: `expected a UTC instant such as 2026-03-09T08:00:00Z, got ${describeValue(v)}` });
    return;
  }
  const impossible = impossibleDate(v);
  if (impossible) ctx.addIssue({ code: "custom", message: `${describeValue(v)} is not a real date: ${impossible}` });
}

/** Why the calendar part of an instant does not exist (2026-02-31, 25:00), or undefined. */
export function impossibleDate(v: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${year}-${String(month).padStart(2, "0")} has ${days} days`;
  if (hour > 23 || minute > 59 || second > 59) return `the time of day is out of range`;
  return undefined;
}

/** A list of names, each one of `valid` (unchecked when the scenario is unknown). */
function nameList(what: string, valid: readonly Named[] | undefined): z.ZodArray<z.ZodType<string>> {
  const names = valid?.map((n) => n.name);
  const item = z.string({ error: `expected a ${what} name` }).superRefine((v, ctx) => {
    if (names && !names.includes(v)) ctx.addIssue({ code: "custom", message: unknownName(what, v, names) });
  });
  return z.array(item, { error: `expected a list of ${what} names such as [ ${names?.[0] ?? "name"} ]` });
}

function faultSchema(def: ScenarioDefinition | undefined): z.ZodType {
  const kinds = def?.faults ?? [];
  return z
    .strictObject(
      {
        kind: z.string({ error: "expected a fault kind" }).superRefine((v, ctx) => {
          if (def && !kinds.some((k) => k.name === v)) {
            ctx.addIssue({
              code: "custom",
              message: kinds.length
                ? unknownName(
                    "fault kind",
                    v,
                    kinds.map((k) => k.name),
                  )
                : `scenario ${def.name} declares no fault kinds, so it takes no faults`,
            });
          }
        }),
        at: duration(),
        for: duration().optional(),
        target: z.string({ error: "expected a target name" }).optional(),
        probability: z
          .number({ error: "expected a probability between 0 and 1" })
          .min(0, { error: "expected a probability between 0 and 1" })
          .max(1, { error: "expected a probability between 0 and 1" })
          .optional(),
      },
      { error: "expected a fault such as { kind: tool-hang, at: 30s, for: 10s }" },
    )
    .superRefine((f, ctx) => {
      const kind = kinds.find((k) => k.name === f.kind);
      if (!kind || f.target === undefined) return;
      if (!kind.targets?.length) ctx.addIssue({ code: "custom", path: ["target"], message: `fault kind ${kind.name} takes no target` });
      else if (!kind.targets.includes(f.target))
        ctx.addIssue({ code: "custom", path: ["target"], message: unknownName(`target for ${kind.name}`, f.target, kind.targets) });
    });
}

/** The parameter tree's keys as nested strict mappings; leaf values are checked by `resolveParams`. */
function paramsSchema(tree: ParamTree): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(tree)) shape[k] = (isParam(v) ? z.unknown() : paramsSchema(v)).optional();
  return z.strictObject(shape, { error: `expected a mapping with keys ${Object.keys(tree).join(", ")}` });
}
