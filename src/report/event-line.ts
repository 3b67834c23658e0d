/**
 * One trace event as one line of text: what happened, with its key attributes, short enough to
 * scan (`tool.call ▶ attempt=2`, `tool.call ◀ after 1s ok=false`, `effect.commit · key=order-7`).
 */
import type { Trace, TraceEvent } from "../sim/trace.js";
import { formatDuration } from "../sim/duration.js";

const MAX_VALUE = 40;
const MAX_ATTRS = 110;

/** What happened: the kind, a phase marker, a span's duration, and its attributes. */
export function describeEvent(e: TraceEvent, trace: Trace): string {
  const attrs = formatAttrs(e.attrs);
  let what: string;
  if (e.phase === "begin") what = `${e.kind} ▶`;
  else if (e.phase === "end") {
    const begin = e.span === undefined ? undefined : trace.get(e.span);
    what = begin ? `${e.kind} ◀ after ${formatDuration(e.t - begin.t)}` : `${e.kind} ◀`;
  } else what = `${e.kind} ·`;
  return attrs ? `${what} ${attrs}` : what;
}

/** `k=v` pairs, keys sorted, long values and long lists cut with an ellipsis. */
export function formatAttrs(attrs: TraceEvent["attrs"]): string {
  if (!attrs) return "";
  const parts = Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${clip(valueText(attrs[k]), MAX_VALUE)}`);
  return clip(parts.join(" "), MAX_ATTRS);
}

function valueText(v: unknown): string {
  if (typeof v === "string") return /[\s=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (typeof v === "number") return readableNumber(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" ? Number(readableNumber(x)) : x)) ?? String(v);
}

/** Numbers as a person reads them: float noise (0.052500000000000005) rounded to 6 significant digits. */
function readableNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(Math.abs(x) >= 1e5 ? Math.max(6, Math.ceil(Math.log10(Math.abs(x))) + 1) : 6)));
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
