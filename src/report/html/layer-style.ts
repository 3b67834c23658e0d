/**
 * One colour per layer of an agent system, used by every picture in the HTML report (lanes, chain
 * chips, legends), so a reader learns the colours once. Red is kept for violations alone.
 */
import type { Layer } from "../../sim/trace.js";
import { esc } from "./html.js";

/** Every layer, in the order the legend lists them (the request's path: user to store). */
export const LAYERS: readonly Layer[] = ["user", "human", "harness", "model", "cache", "tool", "store", "gateway", "clock", "sim"];

const COLORS: Readonly<Record<Layer, string>> = {
  user: "#15803d",
  human: "#be185d",
  harness: "#2563eb",
  model: "#7c3aed",
  cache: "#d97706",
  tool: "#0891b2",
  store: "#92400e",
  gateway: "#0d9488",
  clock: "#475569",
  sim: "#94a3b8",
};

/** The colour of violations and of the causal chains that led to them. */
export const VIOLATION_COLOR = "#dc2626";

/** A layer's colour. */
export function layerColor(layer: Layer): string {
  return COLORS[layer];
}

/** A small coloured label naming a layer. */
export function layerChip(layer: Layer): string {
  return `<span class="chip" style="--c:${COLORS[layer]}">${esc(layer)}</span>`;
}

/** Legend keys of the given layers (all of them when none are given), in legend order. */
export function layerKeys(used: ReadonlySet<Layer>): string {
  return LAYERS.filter((l) => used.size === 0 || used.has(l))
    .map((l) => `<span class="key"><i style="background:${COLORS[l]}"></i>${esc(l)}</span>`)
    .join("");
}
