/**
 * The report's stylesheet, inlined: system fonts (nothing to fetch), a calm grey page, colour kept
 * for layers and red for what broke, tables and figures that read on a laptop screen and print.
 */

/** The CSS text. */
export const PAGE_STYLE = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #ffffff; --red: #dc2626; --green: #15803d; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 28px 28px 64px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 0; }
code, .mono, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; margin: 18px 0; box-shadow: 0 1px 2px rgba(15, 23, 42, 0.04); }
.facts { color: var(--muted); margin: 0; }
.facts b { color: var(--ink); font-weight: 600; }
.description { margin: 8px 0 0; }
.verdict { display: inline-block; font-weight: 700; font-size: 13px; letter-spacing: 0.06em; padding: 3px 10px; border-radius: 999px; color: #fff; vertical-align: 4px; margin-left: 8px; }
.verdict.held { background: var(--green); } .verdict.violated { background: var(--red); } .verdict.crashed { background: #7f1d1d; }
.summary { font-size: 16px; margin: 12px 0 0; }
.replay { background: #0f172a; color: #e2e8f0; border-radius: 8px; padding: 10px 14px; margin-top: 12px; }
.replay span { color: #94a3b8; user-select: none; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 8px 0; font-size: 13px; color: #334155; }
.key { display: inline-flex; align-items: center; gap: 6px; }
.key i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; }
.key i.violation { width: 2px; height: 16px; border-radius: 0; background: repeating-linear-gradient(to bottom, var(--red) 0 4px, transparent 4px 7px); }
.key i.chain { background: transparent; border: 2px solid var(--red); }
.chip { display: inline-block; font-size: 11px; font-weight: 600; line-height: 16px; padding: 0 6px; border-radius: 4px; color: var(--c); background: color-mix(in srgb, var(--c) 12%, white); border: 1px solid color-mix(in srgb, var(--c) 35%, white); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0 8px; font-size: 13px; color: var(--muted); }
button { font: inherit; font-size: 13px; border: 1px solid #cbd5e1; background: #fff; color: var(--ink); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
button:hover { background: #f1f5f9; }
#zoom-range { font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; color: var(--ink); margin-left: 6px; }
.timeline-wrap { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: #fff; }
svg { display: block; font-family: inherit; }
svg.swimlanes { user-select: none; cursor: crosshair; }
.lane-bg { fill: #ffffff; } .lane-bg.odd { fill: #f8fafc; }
.lane-title { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
.lane-sub { font-size: 11px; fill: var(--muted); }
.axis line { stroke: #e2e8f0; stroke-width: 1; }
.axis text { font-size: 11px; fill: var(--muted); font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.axis-title { font-size: 11.5px; fill: var(--muted); }
.span { stroke: rgba(15, 23, 42, 0.35); stroke-width: 0.5; rx: 2px; }
.span.open { fill-opacity: 0.55; stroke-dasharray: 3 2; }
.span.focus { stroke: var(--red); stroke-width: 2.2; }
.span:hover, .tick:hover { stroke: #0f172a; stroke-width: 2; }
.tick { stroke-width: 2.2; }
.tick.focus { stroke: var(--red); stroke-width: 3; }
.dens { opacity: 0.6; } .dens.rest { opacity: 0.45; }
.link { fill: none; stroke: #94a3b8; stroke-width: 0.9; opacity: 0.55; marker-end: url(#arrow); pointer-events: none; }
.link.chain { stroke: var(--red); stroke-width: 1.8; opacity: 0.95; marker-end: url(#arrow-red); }
.vline { stroke: var(--red); stroke-width: 1.5; stroke-dasharray: 5 4; }
.vlabel { font-size: 11.5px; font-weight: 700; fill: var(--red); paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.vmark { fill: var(--red); stroke: #fff; stroke-width: 1.5; }
.brush { fill: rgba(37, 99, 235, 0.12); stroke: #2563eb; stroke-width: 1; }
.notes { font-size: 13px; color: var(--muted); margin: 8px 0 0; padding-left: 18px; }
.tip { position: fixed; z-index: 10; max-width: 460px; background: #0f172a; color: #e2e8f0; border-radius: 8px; padding: 8px 11px; font-size: 12.5px; line-height: 1.45; pointer-events: none; box-shadow: 0 6px 20px rgba(15, 23, 42, 0.25); word-break: break-word; }
.tip .tip-title { font-weight: 700; color: #fff; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 6px 10px; }
td { border-bottom: 1px solid var(--line); padding: 8px 10px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.compact td { padding: 4px 10px; font-size: 13px; }
table.metrics { width: auto; min-width: 60%; }
table.metrics th { padding-top: 12px; }
.held-mark { color: var(--green); font-weight: 700; } .violated-mark { color: var(--red); font-weight: 700; }
tr.violated td { background: #fef2f2; }
.muted { color: var(--muted); }
.violation { border-left: 4px solid var(--red); padding: 10px 14px; margin: 14px 0; background: #fffbfb; border-radius: 0 8px 8px 0; }
.violation h3 { color: var(--red); }
.violation p { margin: 4px 0 8px; }
ol.chain { list-style: none; margin: 6px 0 0; padding: 0; }
ol.chain li { display: grid; grid-template-columns: 150px 64px minmax(120px, 190px) 78px 1fr; gap: 8px; align-items: baseline; padding: 3px 0; border-top: 1px dashed #f1d5d5; font-size: 13px; }
ol.chain li:first-child { border-top: none; }
ol.chain .what { word-break: break-word; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 18px; }
.figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 14px 14px 10px; background: #fff; min-width: 0; }
.figure figcaption p { margin: 2px 0 8px; color: var(--muted); font-size: 13px; }
.chart .grid line { stroke: #eef2f7; }
.chart .ticks text { font-size: 11px; fill: var(--muted); }
.chart .ticks line, .chart .frame { stroke: #94a3b8; }
.chart .line { fill: none; stroke-width: 1.8; }
.chart .marker line { stroke-width: 1.3; stroke-dasharray: 4 3; }
.chart .marker text { font-size: 11px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.chart .bar { opacity: 0.85; }
.chart .dots { opacity: 0.7; }
.wf-node rect { fill: #fff; stroke: #334155; stroke-width: 1.5; }
.wf-node text { font-size: 12.5px; font-weight: 600; fill: var(--ink); }
.wf-edge { fill: none; stroke-width: 2; }
.wf-caption { font-size: 12px; fill: var(--muted); }
.range { width: 100%; height: 22px; }
.range .track { stroke: #cbd5e1; stroke-width: 2; }
.range .p { stroke: #2563eb; stroke-width: 6; stroke-linecap: round; }
.range .mid { fill: #0f172a; }
.bar-track { fill: #f1f5f9; } .bar-fill { fill: var(--red); } .bar-ci { stroke: #0f172a; stroke-width: 1.5; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; font-size: 14px; }
dl.run dt { color: var(--muted); } dl.run dd { margin: 0; word-break: break-all; }
@media print { .toolbar, .tip { display: none; } section.card { break-inside: avoid; box-shadow: none; } }
`;
