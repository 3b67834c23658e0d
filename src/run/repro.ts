/**
 * A repro file: everything needed to rerun one failing run and confirm it, as JSON.
 *
 * ```json
 * { "kind": "agentsim.repro/1", "scenarioFile": "scenarios/double-refund.yaml", "scenario": "double-refund",
 *   "seed": 1, "overrides": [], "params": { "returns": { "count": 1 } },
 *   "faults": [ { "kind": "outage", "at": 0, "for": 101, "target": "db" } ], "mitigations": [],
 *   "expectedTraceHash": "…", "verdict": "violated", "violated": ["at-most-once-effect"],
 *   "violation": { "invariant": "at-most-once-effect", "at": 12000, "message": "…" } }
 * ```
 *
 * The run it names: the scenario file loaded with `overrides`, then `params` written over the
 * file's parameters, `faults` in place of the file's fault schedule, exactly `mitigations`
 * switched on, and `seed`. `agentsim replay` reruns it.
 */
import { z } from "zod";
import { parseJsonData } from "./json-data.js";
import { toRunConfig, type ScenarioConfig } from "../config/scenario-config.js";
import type { FaultSpec } from "../scenarios/scenario.js";
import { formatDuration } from "../sim/duration.js";
import { mergeParams, type CheckResult, type Counterexample } from "./check.js";
import type { RunConfig } from "./run-scenario.js";
import { oneLine } from "./sweep-summary.js";

/** The `kind` tag of repro files. */
export const REPRO_KIND = "agentsim.repro/1";

/** One failing run, replayable. */
export interface Repro {
  kind: typeof REPRO_KIND;
  /**
   * The scenario file, relative to the repro file's folder (absent for a scenario searched from
   * code, or a catalog scenario replayed by its name).
   */
  scenarioFile?: string;
  /** sha256 of the scenario's code and the run's parameters (`runFingerprint`): tells "the scenario changed" from nondeterminism. */
  fingerprint?: string;
  scenario: string;
  seed: number;
  /** `--set` expressions applied to the file before anything else. */
  overrides: string[];
  /** Parameter values written over the file's (drawn by the search). */
  params: Record<string, unknown>;
  /** The whole fault schedule (it replaces the file's), times in virtual ms. */
  faults: FaultSpec[];
  /** Exactly the mitigations switched on. */
  mitigations: string[];
  /** The trace hash of the run (absent when the scenario threw while being built). */
  expectedTraceHash?: string;
  verdict: "violated" | "crashed" | "error";
  /** The invariants that broke. */
  violated: string[];
  /** The first violation. */
  violation?: { invariant: string; at: number; message: string };
  /** For `crashed` and `error`: what threw. */
  error?: string;
  /** How the search found it. */
  search?: {
    runs: number;
    shrinks: number;
    seed: number;
    swarm: boolean;
    /** The first failing run the search met, before shrinking. */
    firstFailure: Counterexample;
  };
}

/** The repro of a search's shrunk counterexample. */
export function reproOf(
  found: Extract<CheckResult, { found: true }>,
  context: { scenario: string; scenarioFile?: string; fingerprint?: string; overrides: readonly string[]; mitigations: readonly string[]; swarm: boolean },
): Repro {
  const r = found.result;
  const v = r?.violations[0];
  const crash = r?.outcome.crash;
  return {
    kind: REPRO_KIND,
    ...(context.scenarioFile !== undefined ? { scenarioFile: context.scenarioFile } : {}),
    scenario: context.scenario,
    ...(context.fingerprint !== undefined ? { fingerprint: context.fingerprint } : {}),
    seed: found.shrunk.seed,
    overrides: [...context.overrides],
    params: found.shrunk.params,
    faults: found.shrunk.faults,
    mitigations: [...context.mitigations],
    ...(r ? { expectedTraceHash: r.traceHash } : {}),
    verdict: found.shrunk.verdict === "held" ? "violated" : found.shrunk.verdict,
    violated: found.shrunk.violated,
    ...(v ? { violation: { invariant: v.invariant, at: v.at, message: v.message } } : {}),
    ...(found.error !== undefined ? { error: found.error } : crash ? { error: `process "${crash.process}" threw ${oneLine(crash.error)}` } : {}),
    search: { runs: found.runs, shrinks: found.shrinks, seed: found.searchSeed, swarm: context.swarm, firstFailure: found.first },
  };
}

/** The run a repro names, over its scenario file as loaded (with the repro's overrides). */
export function reproRunConfig(repro: Repro, config: ScenarioConfig): RunConfig {
  return { ...toRunConfig(config), seed: repro.seed, params: mergeParams(config.params, repro.params), faults: repro.faults, mitigations: repro.mitigations };
}

/** A repro's facts, one per line, for messages and the text report. */
export function describeRepro(repro: Repro): string[] {
  const lines = [
    `seed:        ${repro.seed}`,
    `params:      ${JSON.stringify(repro.params)}`,
    `faults:      ${repro.faults.length ? repro.faults.map(describeFault).join("; ") : "none"}`,
    `mitigations: ${repro.mitigations.length ? repro.mitigations.join(", ") : "none"}`,
  ];
  if (repro.violation) lines.push(`violation:   ${repro.violation.invariant} at ${formatDuration(repro.violation.at)}: ${repro.violation.message}`);
  if (repro.error !== undefined) lines.push(`error:       ${repro.error}`);
  if (repro.expectedTraceHash) lines.push(`trace hash:  ${repro.expectedTraceHash}`);
  return lines;
}

/** `outage at 0ms for 101ms on db`. */
export function describeFault(f: FaultSpec): string {
  return `${f.kind} at ${formatDuration(f.at)} for ${formatDuration(f.for)}${f.target !== undefined ? ` on ${f.target}` : ""}${f.probability !== undefined ? ` (p=${f.probability})` : ""}`;
}

/** `npx agentsim replay <file>` (the path quoted for POSIX shells when it needs it). */
export function replayReproCommand(path: string, options: { allowModule?: boolean } = {}): string {
  const quoted = /^[\w./:=,@%+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  return `npx agentsim replay ${quoted}${options.allowModule ? " --allow-module" : ""}`;
}

const fault = z.strictObject({
  kind: z.string(),
  at: z.number().min(0),
  for: z.number().min(0),
  target: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
});

/** The shape of a repro file. */
const reproShape = z.looseObject({
  kind: z.literal(REPRO_KIND, { error: `expected a repro file ("kind": "${REPRO_KIND}"), as written by agentsim check` }),
  scenarioFile: z.string({ error: "expected the scenario file the repro runs (scenarioFile), relative to the repro" }).optional(),
  scenario: z.string(),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: "expected a sha256 hex fingerprint" })
    .optional(),
  seed: z.number().int().min(0),
  overrides: z.array(z.string()),
  params: z.record(z.string(), z.unknown()),
  faults: z.array(fault),
  mitigations: z.array(z.string()),
  expectedTraceHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: "expected a sha256 hex trace hash" })
    .optional(),
  verdict: z.enum(["violated", "crashed", "error"]),
  violated: z.array(z.string()),
  violation: z.looseObject({ invariant: z.string(), at: z.number(), message: z.string() }).optional(),
  error: z.string().optional(),
});

/** Parses the text of a repro file; problems carry a position (`line:col: …`) or the path of the bad value. */
export function parseRepro(text: string): { ok: true; repro: Repro } | { ok: false; message: string } {
  const parsed = parseJsonData(text);
  if (!parsed.ok) return { ok: false, message: `${parsed.line}:${parsed.col}: ${parsed.message}` };
  const checked = reproShape.safeParse(parsed.value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, message: `${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "not a repro file"}` };
  }
  return { ok: true, repro: checked.data as unknown as Repro };
}
