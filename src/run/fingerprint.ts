/**
 * A fingerprint of a run's scenario code and parameters, stored in a repro: when a replay's trace
 * differs, an unchanged fingerprint points at nondeterminism (or at agentsim itself), a changed
 * one at the scenario, which was edited since the repro was written.
 *
 * Covered: the scenario module's source (its file's bytes, for a module; the build function's
 * source and the declarations, for any scenario), the parameters as resolved (defaults
 * included), the faults, the mitigations, the horizon and the seed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RunConfig } from "./run-scenario.js";
import { resolveParams } from "../scenarios/params.js";

/** sha256 hex of the scenario's code and the run's parameters; `modulePath` is the scenario module's file, when it has one. */
export function runFingerprint(run: RunConfig, modulePath?: string): string {
  const def = run.scenario;
  const h = createHash("sha256");
  if (modulePath) {
    try {
      h.update(readFileSync(modulePath));
    } catch {
      h.update(`unreadable:${modulePath}`);
    }
  }
  h.update(String(def.build));
  const resolved = resolveParams(def.params, run.params ?? {});
  h.update(
    canonical({
      name: def.name,
      invariants: def.invariants.map((i) => i.name),
      mitigations: def.mitigations.map((m) => m.name),
      defaults: def.defaults,
      params: resolved.ok ? resolved.values : (run.params ?? {}),
      faults: run.faults ?? [],
      on: [...(run.mitigations ?? [])],
      horizon: run.horizon ?? def.defaults.horizon,
      seed: run.seed,
    }),
  );
  return h.digest("hex");
}

/** JSON with object keys sorted, so that the same data gives the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
