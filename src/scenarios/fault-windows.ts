/**
 * Fault windows: how a scenario honours the `FaultSpec`s of a run (from its file's `faults:` or
 * from `agentsim check`'s drawn schedules) without touching its actors.
 *
 * A slowdown is the common case: while a fault of a kind is active on a target, each call to that
 * target takes `extraMs` longer. `slowedDuring` wraps the target's latency distribution: a call
 * draws its latency as before (the same draws from the same stream), and the extra time is added
 * when the call starts inside a window. With no fault active nothing changes, draw for draw, so a
 * scenario's runs without faults keep their traces. A fault with a `probability` hits each call
 * in its window with that chance, drawn from the stream `faults:<kind>:<target>` (used only then).
 */
import type { Distribution } from "../sim/distributions.js";
import type { Simulation } from "../sim/simulation.js";
import type { FaultSpec } from "./scenario.js";

/** The fault of `kind` on `target` active at virtual time `t` (a fault without a target hits every target). */
export function activeFault(faults: readonly FaultSpec[], kind: string, target: string, t: number): FaultSpec | undefined {
  return faults.find((f) => f.kind === kind && (f.target === undefined || f.target === target) && t >= f.at && t < f.at + f.for);
}

/** `base`, plus `extraMs` for calls that start while a fault of `kind` is active on `target`. */
export function slowedDuring(
  sim: Simulation,
  base: Distribution,
  faults: readonly FaultSpec[],
  slowdown: { kind: string; target: string; extraMs: number },
): Distribution {
  const relevant = faults.filter((f) => f.kind === slowdown.kind);
  if (relevant.length === 0) return base;
  const stream = `faults:${slowdown.kind}:${slowdown.target}`;
  return {
    kind: base.kind,
    sample(rng) {
      const ms = base.sample(rng);
      const f = activeFault(relevant, slowdown.kind, slowdown.target, sim.now);
      if (!f) return ms;
      const hit = f.probability === undefined || sim.rng(stream).chance(f.probability);
      return hit ? ms + slowdown.extraMs : ms;
    },
    cdf: (x) => base.cdf(x),
    quantile: (p) => base.quantile(p),
    describe: () => `${base.describe()}, +${slowdown.extraMs}ms during ${slowdown.kind} on ${slowdown.target}`,
  };
}
