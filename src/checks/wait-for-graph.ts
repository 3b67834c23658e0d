/**
 * The wait-for graph over time, humans included: who waits on whom, from when to when. A cycle
 * that holds for longer than a bound is a deadlock (the Coffman circular-wait condition made
 * visible); the checker reports the cycle and how long it held.
 */
import { formatDuration } from "../sim/duration.js";
import { verdict, type Verdict } from "./verdict.js";

/** The evidence: an edge `from` waits on `to`, added or removed at time `t`. */
export interface WaitEdgeEvent {
  t: number;
  op: "add" | "remove";
  from: string;
  to: string;
  eventId: number;
}

/** A cycle found in the graph: the nodes in order, and when it formed. */
export interface WaitCycle {
  nodes: string[];
  formedAt: number;
  /** When one of its edges was removed; undefined if it still held at the end. */
  brokenAt?: number;
  /** Ids of the events that added its edges. */
  evidence: number[];
}

/** Finds one cycle in a directed graph given as adjacency, or undefined. Deterministic: nodes in sorted order. */
export function findCycle(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const color = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const nodes = [...edges.keys()].sort();
  const visit = (n: string): string[] | undefined => {
    color.set(n, 1);
    stack.push(n);
    for (const m of [...(edges.get(n) ?? [])].sort()) {
      const c = color.get(m) ?? 0;
      if (c === 1) return stack.slice(stack.indexOf(m));
      if (c === 0) {
        const found = visit(m);
        if (found) return found;
      }
    }
    stack.pop();
    color.set(n, 2);
    return undefined;
  };
  for (const n of nodes) {
    if ((color.get(n) ?? 0) === 0) {
      const found = visit(n);
      if (found) return found;
    }
  }
  return undefined;
}

/** Replays the edge log and returns every cycle with when it formed and broke. */
export function waitCycles(log: readonly WaitEdgeEvent[]): WaitCycle[] {
  const edges = new Map<string, Set<string>>();
  const addedBy = new Map<string, number>();
  const addedAt = new Map<string, number>();
  const cycles: WaitCycle[] = [];
  let open: WaitCycle | undefined;
  const sorted = [...log].sort((a, b) => a.t - b.t || a.eventId - b.eventId);
  for (const [i, e] of sorted.entries()) {
    const key = `${e.from}\u0000${e.to}`;
    if (e.op === "add") {
      if (!edges.has(e.from)) edges.set(e.from, new Set());
      edges.get(e.from)?.add(e.to);
      addedBy.set(key, e.eventId);
      addedAt.set(key, i);
    } else {
      edges.get(e.from)?.delete(e.to);
      addedBy.delete(key);
    }
    const found = findCycle(edges);
    if (found && !open) {
      const cycle = fromFirstWaiter(found, addedAt);
      const evidence = cycle.map((n, i) => addedBy.get(`${n}\u0000${cycle[(i + 1) % cycle.length]}`) ?? -1).filter((x) => x >= 0);
      open = { nodes: cycle, formedAt: e.t, evidence: [...evidence, e.eventId].filter((v, i, a) => a.indexOf(v) === i) };
      cycles.push(open);
    } else if (!found && open) {
      open.brokenAt = e.t;
      open.evidence.push(e.eventId);
      open = undefined;
    }
  }
  return cycles;
}

/** The cycle rotated to start at the node whose wait in it began first (the earliest edge in the log), so it reads in the order it formed. */
function fromFirstWaiter(cycle: string[], addedAt: ReadonlyMap<string, number>): string[] {
  const ids = cycle.map((n, i) => addedAt.get(`${n}\u0000${cycle[(i + 1) % cycle.length]}`) ?? Infinity);
  const first = ids.indexOf(Math.min(...ids));
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/** How long a wait-for cycle may hold before `noWaitCycle` calls it a violation. */
export interface NoWaitCycleOptions {
  invariant?: string;
  /** How long a cycle may hold before it is a violation (ms). */
  boundMs: number;
  /** The end of the run (ms): a cycle still open then held until here; Infinity when the run stalled with it (it never breaks). */
  endMs: number;
}

/** Judges that no wait cycle held for longer than the bound. */
export function noWaitCycle(log: readonly WaitEdgeEvent[], options: NoWaitCycleOptions): Verdict {
  const invariant = options.invariant ?? "no-wait-cycle";
  const violations = [];
  for (const c of waitCycles(log)) {
    const heldUntil = c.brokenAt ?? options.endMs;
    if (heldUntil - c.formedAt > options.boundMs) {
      violations.push({
        at: c.formedAt + options.boundMs,
        message: `wait cycle ${[...c.nodes, c.nodes[0]].join(" -> ")} ${heldFor(c, heldUntil)} (bound ${formatDuration(options.boundMs)})`,
        evidence: c.evidence,
      });
    }
  }
  return verdict(invariant, violations);
}

/** "held for 19h", "held for 19h, still held at the end of the run", or "never broke" (a stalled run). */
function heldFor(c: WaitCycle, heldUntil: number): string {
  if (!Number.isFinite(heldUntil)) return "never broke: the run stalled with it in place";
  return `held for ${formatDuration(heldUntil - c.formedAt)}${c.brokenAt === undefined ? ", still held at the end of the run" : ""}`;
}
