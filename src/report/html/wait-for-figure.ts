/**
 * The wait-for graph, drawn when a cycle formed: the nodes (agents, queues, humans) on a circle
 * and who waits on whom as arrows, each cycle's edges in red, with when it formed and how long it
 * held. The cycles are read from the wait-cycle checker's violations (`wait cycle a -> b -> a
 * held for ...`), so the picture shows exactly what was judged.
 */
import type { Violation } from "../../checks/verdict.js";
import { formatTimestamp } from "../../sim/duration.js";
import type { Figure } from "./figure.js";
import { esc, px } from "./html.js";
import { VIOLATION_COLOR } from "./layer-style.js";

/** A cycle named by a violation: its nodes in order, and the violation. */
export interface NamedCycle {
  nodes: string[];
  violation: Violation;
}

/** `wait cycle a -> b -> a`, as the wait-cycle checker words it (node names have no spaces). */
const CYCLE = /wait cycle (\S+(?: -> \S+)+)/;

/** The cycles the violations name, one per distinct cycle, earliest first. */
export function namedCycles(violations: readonly Violation[]): NamedCycle[] {
  const out: NamedCycle[] = [];
  const seen = new Set<string>();
  for (const v of violations) {
    const m = CYCLE.exec(v.message);
    if (!m) continue;
    const nodes = (m[1] as string).split(" -> ").map((n) => n.trim());
    if (nodes.length > 1 && nodes[0] === nodes.at(-1)) nodes.pop();
    const key = nodes.join("\u0000");
    if (nodes.length < 2 || seen.has(key)) continue;
    seen.add(key);
    out.push({ nodes, violation: v });
  }
  return out;
}

const W = 580;
const H = 270;
const MAX_CYCLES = 4;
const NODE_H = 30;

/** The figure, or none when no cycle formed: one small graph per cycle. */
export function waitForFigure(violations: readonly Violation[]): Figure[] {
  const cycles = namedCycles(violations);
  if (!cycles.length) return [];
  const shown = cycles.slice(0, MAX_CYCLES);
  const body = shown.map(cycleSvg).join("");
  const more = cycles.length > shown.length ? ` ${cycles.length - shown.length} more cycles are listed under the invariants.` : "";
  return [
    {
      id: "wait-for",
      title: cycles.length === 1 ? "Wait-for graph" : `Wait-for graphs (${cycles.length} cycles)`,
      caption: `Who waited on whom in each cycle the checker found; an arrow points from a waiter to what it waits on.${more}`,
      body,
    },
  ];
}

interface Node {
  name: string;
  label: string;
  x: number;
  y: number;
  halfW: number;
}

function cycleSvg(c: NamedCycle): string {
  const n = c.nodes.length;
  const nodes: Node[] = c.nodes.map((name, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n;
    const label = name.length > 24 ? `${name.slice(0, 23)}…` : name;
    return { name, label, x: W / 2 + 190 * Math.cos(a), y: 28 + (H - 56) / 2 + ((H - 86) / 2) * Math.sin(a), halfW: Math.max(36, label.length * 3.8 + 12) };
  });
  const v = c.violation;
  return [
    `<svg class="chart wait-for" data-chart="wait-for" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="wait-for graph">`,
    `<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 1 L10 5 L0 9 z" fill="${VIOLATION_COLOR}"></path></marker></defs>`,
    `<text class="wf-caption" x="8" y="16">${esc(`${v.invariant} broke at ${formatTimestamp(v.at)}`)}</text>`,
    ...nodes.map((a, i) => edge(a, nodes[(i + 1) % n] as Node)),
    ...nodes.map(node),
    `</svg>`,
  ].join("");
}

/** Where the ray from a node's centre towards (dx, dy) leaves its box, plus a gap. */
function boundary(p: Node, dx: number, dy: number): { x: number; y: number } {
  const len = Math.hypot(dx, dy) || 1;
  const [ux, uy] = [dx / len, dy / len];
  const t = Math.min(p.halfW / (Math.abs(ux) || 1e-9), NODE_H / 2 / (Math.abs(uy) || 1e-9)) + 5;
  return { x: p.x + ux * t, y: p.y + uy * t };
}

/** A curved arrow, bent to its left so that a -> b and b -> a stay apart. */
function edge(a: Node, b: Node): string {
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const len = Math.hypot(dx, dy) || 1;
  const c = { x: mid.x + (dy / len) * 0.18 * len, y: mid.y - (dx / len) * 0.18 * len };
  const s = boundary(a, c.x - a.x, c.y - a.y);
  const e = boundary(b, c.x - b.x, c.y - b.y);
  return `<path class="wf-edge" d="M${px(s.x)} ${px(s.y)} Q${px(c.x)} ${px(c.y)} ${px(e.x)} ${px(e.y)}" stroke="${VIOLATION_COLOR}" marker-end="url(#wf-arrow)"></path>`;
}

function node(p: Node): string {
  return `<g class="wf-node"><rect x="${px(p.x - p.halfW)}" y="${px(p.y - NODE_H / 2)}" width="${px(2 * p.halfW)}" height="${NODE_H}" rx="${NODE_H / 2}"></rect><text x="${px(p.x)}" y="${px(p.y + 4.5)}" text-anchor="middle"><title>${esc(p.name)}</title>${esc(p.label)}</text></g>`;
}
