/**
 * Fault windows for world runs: what goes wrong, and when, around real agent code. A schedule is
 * data (kind, start, length, target), so a property test can search it and shrink it
 * (`worldRunArbitrary`), and a failing one can be written down and replayed.
 *
 * Contract (`scheduleWorldFaults`), each window `[at, at + for)` of virtual time:
 * - `llm-429-burst`: the provider answers 429 (at once, `retry-after` 1 s) to every call that
 *   arrives in the window, whatever its rate limits.
 * - `llm-overloaded`: the provider answers 529 (at once; the OpenAI endpoint writes it as 503).
 * - `slow-stream`: calls that arrive in the window have `slowdown` (default 5) times the time to
 *   first token and output time.
 * - `mid-stream-error`: every streamed answer that begins in the window breaks off after its 200
 *   (on every model endpoint given).
 * - `tool-outage`: the HTTP tool on `target` (a host; no target: every tool) answers 503 at once.
 * Windows may overlap: a fault holds while any of its windows is open, and the value before the
 * first window comes back after the last. Each window's start and end are traced (`fault.start`,
 * `fault.end`, layer `sim`) so a report shows them beside the calls they hit.
 */
import type { LlmProvider } from "../actors/llm-provider.js";
import type { Simulation } from "../sim/simulation.js";
import type { HttpTool } from "./http-tool.js";

/** The kinds of world faults. */
export const WORLD_FAULT_KINDS = ["llm-429-burst", "llm-overloaded", "slow-stream", "mid-stream-error", "tool-outage"] as const;

/** One kind of world fault. */
export type WorldFaultKind = (typeof WORLD_FAULT_KINDS)[number];

/** One fault window. */
export interface WorldFault {
  kind: WorldFaultKind;
  /** Start, virtual ms. */
  at: number;
  /** Length, ms. */
  for: number;
  /** For `tool-outage`: the tool's host (default every tool). */
  target?: string;
}

/** What the faults act on. */
export interface WorldFaultTargets {
  provider: LlmProvider;
  /** The model endpoints whose streams `mid-stream-error` breaks. */
  endpoints?: readonly { pMidStreamError: number }[];
  /** The HTTP tools `tool-outage` takes down. */
  tools?: readonly HttpTool[];
  /** `slow-stream`'s factor (default 5). */
  slowdown?: number;
}

/** Schedules `faults` on `sim`; see the file's contract. */
export function scheduleWorldFaults(sim: Simulation, targets: WorldFaultTargets, faults: readonly WorldFault[]): void {
  const depth = new Map<string, { n: number; undo: () => void }>();
  const open = (e: Effect): void => {
    const d = depth.get(e.key);
    if (d) d.n++;
    else {
      const undo = e.save();
      e.on();
      depth.set(e.key, { n: 1, undo });
    }
  };
  const close = (e: Effect): void => {
    const d = depth.get(e.key);
    if (!d || --d.n > 0) return;
    d.undo();
    depth.delete(e.key);
  };
  for (const f of faults) {
    for (const e of effectsOf(f, targets)) {
      sim.at(Math.max(sim.now, f.at), () => open(e));
      sim.at(Math.max(sim.now, f.at + f.for), () => close(e));
    }
    sim.at(Math.max(sim.now, f.at), () =>
      sim.trace.instant({
        actor: "faults",
        layer: "sim",
        kind: "fault.start",
        attrs: { fault: f.kind, ...(f.target !== undefined ? { target: f.target } : {}), for: f.for },
      }),
    );
    sim.at(Math.max(sim.now, f.at + f.for), () =>
      sim.trace.instant({
        actor: "faults",
        layer: "sim",
        kind: "fault.end",
        attrs: { fault: f.kind, ...(f.target !== undefined ? { target: f.target } : {}) },
      }),
    );
  }
}

/** One thing a fault switches: its key, how to switch it on, and how to save the value to restore. */
interface Effect {
  key: string;
  on: () => void;
  save: () => () => void;
}

function effectsOf(f: WorldFault, t: WorldFaultTargets): Effect[] {
  const p = t.provider;
  switch (f.kind) {
    case "llm-429-burst":
      return [setting("p429", p.errorRates, "p429", 1)];
    case "llm-overloaded":
      return [setting("p529", p.errorRates, "p529", 1)];
    case "slow-stream":
      return [setting("slowdown", p, "slowdown", t.slowdown ?? 5)];
    case "mid-stream-error":
      return (t.endpoints ?? []).map((e, i) => setting(`mid-stream:${i}`, e, "pMidStreamError", 1));
    case "tool-outage":
      return (t.tools ?? []).filter((tool) => f.target === undefined || tool.host === f.target).map((tool) => setting(`down:${tool.host}`, tool, "down", true));
  }
}

/** Setting `target[field]` to `value`, saving the value it replaces. */
function setting<O extends object, K extends keyof O>(key: string, target: O, field: K, value: O[K]): Effect {
  return {
    key,
    on: () => {
      target[field] = value;
    },
    save: () => {
      const before = target[field];
      return () => {
        target[field] = before;
      };
    },
  };
}
