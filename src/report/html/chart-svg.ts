/**
 * Small SVG charts for the HTML report: a line (or step) chart of x/y points and a histogram, each
 * with labelled axes, round ticks, optional vertical markers (p50, p99, a violation) and a legend.
 * Charts know nothing of scenarios: callers hand them points, formats and names.
 */
import { esc, px } from "./html.js";
import { tickLabel, tickStep } from "./time-axis.js";

/** One line of a chart. */
export interface ChartLine {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** Draw as steps (the value holds until the next point), the right shape for binned rates. */
  step?: boolean;
  /** Dots alone, no line: for samples (one latency per request), where a line would invent values between them. */
  dots?: boolean;
}

/** A vertical line at `x`, labelled. */
export interface ChartMarker {
  x: number;
  label: string;
  color: string;
}

/** An axis: its title, how values read, and whether it is logarithmic or of time. */
export interface AxisSpec {
  title: string;
  format: (v: number) => string;
  log?: boolean;
  /** Values are virtual ms or durations: ticks at round times (15s, 5m...), labelled as precisely as their step. */
  time?: boolean;
  /** Force the axis to include these values (e.g. 0, or 1 for a CDF). */
  include?: readonly number[];
}

/** A chart: what it is called (for the page and for tests), its axes, lines and markers. */
export interface LineChartSpec {
  id: string;
  x: AxisSpec;
  y: AxisSpec;
  lines: readonly ChartLine[];
  markers?: readonly ChartMarker[];
}

/** A histogram: bins of counts over x. */
export interface HistogramSpec {
  id: string;
  x: AxisSpec;
  y: AxisSpec;
  bins: readonly { x0: number; x1: number; count: number }[];
  color: string;
  markers?: readonly ChartMarker[];
}

/** The chart geometry (viewBox units). */
export const CHART = { width: 580, height: 250, left: 70, right: 18, top: 14, bottom: 44 } as const;

/** Categorical colours for lines that are not layers. */
export const PALETTE: readonly string[] = ["#2563eb", "#d97706", "#7c3aed", "#0891b2", "#15803d", "#be185d", "#475569", "#92400e"];

interface Scale {
  lo: number;
  hi: number;
  log: boolean;
  a: number;
  b: number;
}

function at(s: Scale, v: number): number {
  const f = s.log ? (Math.log10(Math.max(v, s.lo)) - Math.log10(s.lo)) / (Math.log10(s.hi) - Math.log10(s.lo) || 1) : (v - s.lo) / (s.hi - s.lo || 1);
  return s.a + f * (s.b - s.a);
}

/** The round step (1, 2 or 5 times a power of ten) that splits [lo, hi] into at most `maxTicks` parts. */
function roundStep(lo: number, hi: number, maxTicks: number): number {
  const raw = (hi - lo || Math.abs(hi) || 1) / maxTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

/** [lo, hi] widened to the round ticks around it, so that an axis starts and ends on a labelled value. */
export function roundRange(lo: number, hi: number, maxTicks = 5): [number, number] {
  const step = roundStep(lo, hi, maxTicks);
  return [Number((Math.floor(lo / step + 1e-9) * step).toPrecision(12)), Number((Math.ceil(hi / step - 1e-9) * step).toPrecision(12))];
}

/** Round tick values inside [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function linearTicks(lo: number, hi: number, maxTicks = 6): number[] {
  const step = roundStep(lo, hi, maxTicks);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Ticks for a log axis: 1, 2 and 5 times powers of ten within [lo, hi], or powers of ten alone when crowded. */
export function logTicks(lo: number, hi: number, maxTicks = 8): number[] {
  const within = (multiples: readonly number[]): number[] => {
    const out: number[] = [];
    for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
      for (const m of multiples) {
        const v = Number((m * 10 ** p).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  const all = within([1, 2, 5]);
  return all.length <= maxTicks ? all : within([1]);
}

function domain(values: readonly number[], axis: AxisSpec): [number, number] {
  const vs = [...values, ...(axis.include ?? [])].filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  if (!vs.length) return axis.log ? [1, 10] : [0, 1];
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  if (axis.log) return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [Math.min(0, lo), Math.max(0, hi) * 1.1 || 1];
  return axis.time ? [lo, hi] : roundRange(lo, hi);
}

/** Tick values and their labels for an axis over [lo, hi]. */
function ticks(s: Scale, axis: AxisSpec, max: number): { v: number; label: string }[] {
  if (axis.time && !s.log) {
    const step = tickStep(s.lo, s.hi, max);
    const out: { v: number; label: string }[] = [];
    for (let k = Math.ceil(s.lo / step); k * step <= s.hi; k++) out.push({ v: k * step, label: tickLabel(k * step, step) });
    return out;
  }
  return (s.log ? logTicks(s.lo, s.hi, max + 2) : linearTicks(s.lo, s.hi, max)).map((v) => ({ v, label: axis.format(v) }));
}

function frame(id: string, x: Scale, y: Scale, xAxis: AxisSpec, yAxis: AxisSpec): string[] {
  const xt = ticks(x, xAxis, 6);
  const yt = ticks(y, yAxis, 5);
  const out = [`<svg class="chart" data-chart="${esc(id)}" viewBox="0 0 ${CHART.width} ${CHART.height}" width="100%" role="img">`];
  out.push(`<g class="grid">`);
  for (const { v } of yt) out.push(`<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${px(at(y, v))}" y2="${px(at(y, v))}"></line>`);
  out.push(`</g><g class="ticks">`);
  for (const t of yt) out.push(`<text x="${CHART.left - 6}" y="${px(at(y, t.v) + 4)}" text-anchor="end">${esc(t.label)}</text>`);
  for (const t of xt)
    out.push(
      `<line x1="${px(at(x, t.v))}" x2="${px(at(x, t.v))}" y1="${CHART.height - CHART.bottom}" y2="${CHART.height - CHART.bottom + 4}"></line><text x="${px(at(x, t.v))}" y="${CHART.height - CHART.bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`,
    );
  out.push(`</g>`);
  out.push(
    `<line class="frame" x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${CHART.height - CHART.bottom}" y2="${CHART.height - CHART.bottom}"></line>`,
  );
  out.push(
    `<text class="axis-title" x="${px((CHART.left + CHART.width - CHART.right) / 2)}" y="${CHART.height - 6}" text-anchor="middle">${esc(xAxis.title)}</text>`,
  );
  out.push(
    `<text class="axis-title" transform="translate(14 ${px((CHART.top + CHART.height - CHART.bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(yAxis.title)}</text>`,
  );
  return out;
}

function markers(ms: readonly ChartMarker[] | undefined, x: Scale): string[] {
  return (ms ?? [])
    .filter((m) => Number.isFinite(m.x) && m.x >= x.lo && m.x <= x.hi)
    .map((m, i) => {
      const mx = at(x, m.x);
      const right = mx > CHART.left + (CHART.width - CHART.left - CHART.right) * 0.7;
      return `<g class="marker"><line x1="${px(mx)}" x2="${px(mx)}" y1="${CHART.top}" y2="${CHART.height - CHART.bottom}" stroke="${m.color}"></line><text x="${px(right ? mx - 4 : mx + 4)}" y="${CHART.top + 10 + (i % 3) * 12}" text-anchor="${right ? "end" : "start"}" fill="${m.color}">${esc(m.label)}</text></g>`;
    });
}

function scales(xs: readonly number[], ys: readonly number[], spec: { x: AxisSpec; y: AxisSpec }, exactX = false): { x: Scale; y: Scale } {
  const [xlo, xhi] = exactX && xs.length ? [Math.min(...xs), Math.max(...xs)] : domain(xs, spec.x);
  const [ylo, yhi] = domain(ys, spec.y);
  return {
    x: { lo: xlo, hi: xhi, log: spec.x.log ?? false, a: CHART.left, b: CHART.width - CHART.right },
    y: { lo: ylo, hi: yhi, log: spec.y.log ?? false, a: CHART.height - CHART.bottom, b: CHART.top },
  };
}

/** A line or step chart. */
export function lineChart(spec: LineChartSpec): string {
  const xs = spec.lines.flatMap((l) => l.points.map((p) => p[0]));
  const ys = spec.lines.flatMap((l) => l.points.map((p) => p[1]));
  const { x, y } = scales([...xs, ...(spec.markers ?? []).map((m) => m.x)], ys, spec);
  const out = frame(spec.id, x, y, spec.x, spec.y);
  out.push(...markers(spec.markers, x));
  for (const l of spec.lines) {
    if (!l.points.length) continue;
    const pts = l.points.map(([a, b]) => [at(x, a), at(y, b)] as const);
    if (l.dots) {
      out.push(`<g class="dots" fill="${l.color}">${pts.map(([a, b]) => `<circle cx="${px(a)}" cy="${px(b)}" r="1.8"></circle>`).join("")}</g>`);
      continue;
    }
    const d = l.step ? stepPath(pts) : pts.map(([a, b], i) => `${i ? "L" : "M"}${px(a)} ${px(b)}`).join(" ");
    out.push(`<path class="line" d="${d}" stroke="${l.color}"><title>${esc(l.name)}</title></path>`);
    if (l.points.length <= 40)
      for (const [i, [a, b]] of pts.entries())
        out.push(
          `<circle cx="${px(a)}" cy="${px(b)}" r="2.5" fill="${l.color}"><title>${esc(`${l.name}: ${spec.x.format(l.points[i]?.[0] ?? 0)} → ${spec.y.format(l.points[i]?.[1] ?? 0)}`)}</title></circle>`,
        );
  }
  out.push(`</svg>`);
  return out.join("") + legend(spec.lines);
}

function stepPath(pts: readonly (readonly [number, number])[]): string {
  let d = "";
  for (const [i, [a, b]] of pts.entries()) d += i === 0 ? `M${px(a)} ${px(b)}` : ` H${px(a)} V${px(b)}`;
  return d;
}

/** A histogram of counts. */
export function histogram(spec: HistogramSpec): string {
  const xs = spec.bins.flatMap((b) => [b.x0, b.x1]);
  const { x, y } = scales(xs, [0, ...spec.bins.map((b) => b.count)], spec, true);
  const out = frame(spec.id, x, y, spec.x, spec.y);
  for (const b of spec.bins) {
    const x0 = at(x, b.x0);
    const top = at(y, b.count);
    out.push(
      `<rect class="bar" x="${px(x0 + 0.5)}" y="${px(top)}" width="${px(Math.max(1, at(x, b.x1) - x0 - 1))}" height="${px(at(y, 0) - top)}" fill="${spec.color}"><title>${esc(`${spec.x.format(b.x0)} – ${spec.x.format(b.x1)}: ${b.count}`)}</title></rect>`,
    );
  }
  out.push(...markers(spec.markers, x));
  out.push(`</svg>`);
  return out.join("");
}

/** The legend of a chart's lines (none for a single line: its title names it). */
export function legend(lines: readonly ChartLine[]): string {
  if (lines.length < 2) return "";
  return `<div class="legend">${lines.map((l) => `<span class="key"><i style="background:${l.color}"></i>${esc(l.name)}</span>`).join("")}</div>`;
}
