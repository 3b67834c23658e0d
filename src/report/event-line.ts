/**
 * One trace event as one line of text: what happened, with its key attributes in the units a person
 * reads (`tool.call ▶ attempt=2`, `tool.call ◀ after 1s ok=false latency=10.04s`,
 * `effect.commit · key="order 7"`, `waited=59m2.9s`, `amount=$204.80`).
 *
 * A line is fitted to a width by leaving out whole attributes (counted: `…+3`) and shortening only
 * values that are structured (`result={…}`), never by cutting a token in the middle. The full
 * values stay in `--format json` / `jsonl`.
 */
import type { Trace, TraceEvent } from "../sim/trace.js";
import { formatDuration, formatTimestamp } from "../sim/duration.js";
import { formatUsd } from "./format-metric.js";

/** Attributes of more than this many characters are shortened even when the width allows them. */
const MAX_VALUE = 40;
/** The default width of an attribute list (the HTML swimlane's tooltips). */
const MAX_ATTRS = 110;

/** What happened: the kind, a phase marker, a span's duration, and its attributes, in at most `width` characters. */
export function describeEvent(e: TraceEvent, trace: Trace, width = Number.POSITIVE_INFINITY): string {
  let what: string;
  if (e.phase === "begin") what = `${e.kind} ▶`;
  else if (e.phase === "end") {
    const begin = e.span === undefined ? undefined : trace.get(e.span);
    what = begin ? `${e.kind} ◀ after ${compactDuration(e.t - begin.t)}` : `${e.kind} ◀`;
  } else what = `${e.kind} ·`;
  if (!e.attrs) return what;
  const attrs = fitTokens(attrTokens(e.attrs), width - what.length - 1);
  return attrs ? `${what} ${attrs}` : what;
}

/** `k=v` pairs, keys sorted, in human units, fitted into `width` characters by whole tokens. */
export function formatAttrs(attrs: TraceEvent["attrs"], width = MAX_ATTRS): string {
  return attrs ? fitTokens(attrTokens(attrs), width) : "";
}

/** One `k=v` token per attribute, keys sorted, values in human units. */
export function attrTokens(attrs: NonNullable<TraceEvent["attrs"]>): string[] {
  return Object.keys(attrs)
    .sort()
    .map((k) => humanAttr(k, attrs[k]));
}

/**
 * One attribute as a person reads it. By the project's naming convention a key's suffix carries
 * its unit: `…Ms` a duration (`waitedMs` → `waited=59m2.9s`), `…Usd` (and `cost`) dollars, `…At`,
 * `…Until` a virtual time (`expiresAt=+00:05:15.690`); a value too large to be either (an epoch
 * instant such as `scheduledMs`) is shown as a UTC date.
 */
export function humanAttr(key: string, v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) {
    if (/.Ms$/.test(key)) {
      const name = key.slice(0, -2);
      return v >= 1e11 ? `${name}=${new Date(v).toISOString()}` : `${name}=${compactDuration(v)}`;
    }
    if (/.Usd$/.test(key)) return `${key.slice(0, -3)}=${formatUsd(v)}`;
    if (key === "cost") return `cost=${formatUsd(v)}`;
    if (/.(At|Until)$/.test(key)) return `${key}=${v >= 1e11 ? new Date(v).toISOString() : formatTimestamp(v).replace(" ", "")}`;
  }
  return `${key}=${shorten(valueText(v))}`;
}

/** `formatDuration` without its inner spaces, so a duration stays one token: `59m2.9s`, `1h5m`. */
export function compactDuration(ms: number): string {
  return formatDuration(ms).replace(/ /g, "");
}

/**
 * Joins tokens with spaces into at most `width` characters, whole tokens only, in order. When not
 * all fit, those that do are kept (a long one is skipped for shorter ones after it) and the line
 * ends in `…+N`, N the tokens left out.
 */
export function fitTokens(tokens: readonly string[], width: number): string {
  const all = tokens.join(" ");
  if (all.length <= width) return all;
  const marker = (n: number): string => `…+${n}`;
  const budget = width - (marker(tokens.length).length + 1);
  const kept: string[] = [];
  let len = -1;
  for (const t of tokens) {
    if (len + 1 + t.length > budget) continue;
    kept.push(t);
    len += 1 + t.length;
  }
  const left = marker(tokens.length - kept.length);
  if (!kept.length) return left.length <= width ? left : "";
  return `${kept.join(" ")} ${left}`;
}

function valueText(v: unknown): string {
  if (typeof v === "string") return /[\s=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  if (typeof v === "number") return readableNumber(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" ? Number(readableNumber(x)) : x)) ?? String(v);
}

/**
 * A value longer than `MAX_VALUE` is shortened where that keeps its meaning readable: a structure
 * to its brackets (`{…}`, `[…3]`), a quoted string to its first words and a closing `…"`.
 */
function shorten(text: string): string {
  if (text.length <= MAX_VALUE) return text;
  if (text.startsWith("{")) return "{…}";
  if (text.startsWith("[")) {
    const n = countItems(text);
    return n === undefined ? "[…]" : `[…${n}]`;
  }
  if (text.startsWith('"')) {
    const words = text.slice(1, -1).split(" ");
    let out = "";
    for (const w of words) {
      if (out.length + w.length + 1 > MAX_VALUE - 3) break;
      out = out ? `${out} ${w}` : w;
    }
    return `"${out}…"`;
  }
  return text;
}

function countItems(json: string): number | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.length : undefined;
  } catch {
    return undefined;
  }
}

/** Numbers as a person reads them: float noise (0.052500000000000005) rounded to 6 significant digits. */
function readableNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(Math.abs(x) >= 1e5 ? Math.max(6, Math.ceil(Math.log10(Math.abs(x))) + 1) : 6)));
}
