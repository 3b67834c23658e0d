/**
 * Building HTML and SVG as text: escaping, fixed-precision coordinates and inline JSON. Every
 * page of the HTML report is a string built with these, so the same input gives the same bytes.
 */

/** Text made safe for element content and double-quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** A coordinate with at most one decimal (`12`, `12.5`), so that SVG text stays short and stable. */
export function px(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
}

/** JSON for an inline `<script type="application/json">`: `<` is escaped so no tag can close it. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
