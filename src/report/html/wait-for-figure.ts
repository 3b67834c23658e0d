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
const H = 300;
const R = 105;

/** The figure, or none when no cycle formed. */
export function waitForFigure(violations: readonly Violation[]): Figure[] {
  const cycles = namedCycles(violations);
  if (!cycles.length) return [];
  const nodes = [...new Set(cycles.flatMap((c) => c.nodes))];
  const pos = new Map(nodes.map((n, i) => [n, nodeAt(i, nodes.length)] as const));
  const edges = cycles.flatMap((c) => c.nodes.map((n, i) => [n, c.nodes[(i + 1) % c.nodes.length] as string] as const));
  const unique = [...new Map(edges.map((e) => [`${e[0]}\u0000${e[1]}`, e])).values()];
  const parts = [
    `<svg class="chart wait-for" data-chart="wait-for" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="wait-for graph">`,
    `<defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0 1 L10 5 L0 9 z" fill="${VIOLATION_COLOR}"></path></marker></defs>`,
    ...unique.map(([a, b]) => edge(pos.get(a) as Point, pos.get(b) as Point)),
    ...nodes.map((n) => node(n, pos.get(n) as Point)),
    `</svg>`,
  ];
  const said = cycles.map((c) => `${[...c.nodes, c.nodes[0]].join(" → ")} (${c.violation.invariant}, broke at ${formatTimestamp(c.violation.at)})`);
  return [{ id: "wait-for", title: "Wait-for graph", caption: `Who waited on whom when the cycle formed: ${said.join("; ")}. An arrow points from a waiter to what it waits on.`, body: parts.join("") }];
}

interface Point {
  x: number;
  y: number;
}

function nodeAt(i: number, n: number): Point {
  const a = -Math.PI / 2 + (2 * Math.PI * i) / n + (n === 2 ? Math.PI / 2 : 0);
  return { x: W / 2 + R * 1.6 * Math.cos(a), y: H / 2 + R * Math.sin(a) };
}

/** A curved arrow, bent to its left so that a -> b and b -> a stay apart. */
function edge(a: Point, b: Point): string {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const [ux, uy] = [dx / len, dy / len];
  const inset = 46;
  const s = { x: a.x + ux * inset, y: a.y + uy * inset * 0.6 };
  const e = { x: b.x - ux * inset, y: b.y - uy * inset * 0.6 };
  const bend = 0.25 * len;
  const c = { x: (s.x + e.x) / 2 + uy * bend, y: (s.y + e.y) / 2 - ux * bend };
  return `<path class="wf-edge" d="M${px(s.x)} ${px(s.y)} Q${px(c.x)} ${px(c.y)} ${px(e.x)} ${px(e.y)}" stroke="${VIOLATION_COLOR}" marker-end="url(#wf-arrow)"></path>`;
}

function node(name: string, p: Point): string {
  const label = name.length > 22 ? `${name.slice(0, 21)}…` : name;
  const w = Math.max(70, label.length * 7.4 + 20);
  return `<g class="wf-node"><rect x="${px(p.x - w / 2)}" y="${px(p.y - 15)}" width="${px(w)}" height="30" rx="15"></rect><text x="${px(p.x)}" y="${px(p.y + 4.5)}" text-anchor="middle"><title>${esc(name)}</title>${esc(label)}</text></g>`;
}
