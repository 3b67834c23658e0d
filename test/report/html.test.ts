/** The HTML report of a run: self-contained, byte-stable, with lanes, violation marks, causal chains, invariants and figures that fit. */
import { describe, expect, it } from "vitest";
import { summarize } from "../../src/checks/latency.js";
import { renderHtml } from "../../src/report/html/render-html.js";
import { SWIMLANE_GEOMETRY } from "../../src/report/html/swimlane-svg.js";
import { formatDuration, formatTimestamp } from "../../src/sim/duration.js";
import type { TraceEvent } from "../../src/sim/trace.js";
import fixture from "../fixtures/fixture-scenario.js";
import { HAND_CONTEXT, handRun } from "./html-fixtures.js";
import { context, run } from "./runs.js";

const count = (text: string, needle: RegExp): number => [...text.matchAll(needle)].length;
const details = (html: string): Record<string, string[]> =>
  JSON.parse(/<script type="application\/json" id="event-details">(.*?)<\/script>/s.exec(html)?.[1] ?? "{}");

describe("renderHtml", () => {
  it("gives the same bytes for the same run, and other bytes for another seed", async () => {
    const a = renderHtml(await run(), context());
    const b = renderHtml(await run(), context());
    const other = renderHtml(await run({}, [], 8), context());
    expect(a).toBe(b);
    expect(other).not.toBe(a);
    expect(a).toContain((await run()).traceHash);
  });

  it("is one self-contained document: nothing to fetch, a policy that forbids fetching", async () => {
    const html = renderHtml(await run(), context());
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<link\b|\ssrc=|@import|url\((?!#)/i);
    const addresses = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    expect(new Set(addresses)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
  });

  it("draws a lane per actor, every span as a bar and every instant as a tick at its virtual time", async () => {
    const result = await run({ clients: 2, requestsPerClient: 1 });
    const html = renderHtml(result, context());
    const events = result.trace.events;
    const lanes = [...html.matchAll(/<g class="lane" data-lane="([^"]+)">/g)].map((m) => m[1]);
    expect(lanes).toEqual([...new Set(events.map((e) => e.actor))]);
    const t1 = Math.max(result.outcome.now, events.at(-1)!.t);
    const G = SWIMLANE_GEOMETRY;
    for (const e of events.filter((x) => x.phase === "begin")) {
      const bar = new RegExp(`<rect class="tz span[^"]*" data-id="${e.id}" data-a="${e.t}" data-b="[^"]+" x="([\\d.]+)"`).exec(html);
      expect(bar, `span #${e.id}`).not.toBeNull();
      expect(Number(bar![1])).toBeCloseTo(G.plotX + (e.t / t1) * G.plotWidth, 0);
    }
    expect(count(html, /<rect class="tz span/g)).toBe(events.filter((e) => e.phase === "begin").length);
    expect(count(html, /<line class="tz tick/g)).toBe(events.filter((e) => e.phase === "instant").length);
  });

  it("marks each shown violation at the time it broke, with a diamond on the event where it broke", async () => {
    const result = await run();
    expect(result.violations.length).toBeGreaterThan(3);
    const html = renderHtml(result, context());
    const marks = [...html.matchAll(/<g class="violation-marker" data-invariant="([^"]+)" data-at="([^"]+)">(.*?)<\/g>/g)];
    expect(marks.map((m) => Number(m[2]))).toEqual(result.violations.slice(0, 3).map((v) => v.at));
    for (const [i, m] of marks.entries()) {
      const where = result.trace.get(result.violations[i]!.evidence.at(-1)!)!;
      expect(m[3]).toContain(`<path class="tz vmark" data-a="${where.t}"`);
    }
    expect(count(html, /class="tz vlabel"/g)).toBe(1);
  });

  it("draws each violation's causal chain as red links between the chain's events and lists the chain across layers", async () => {
    const result = await run();
    const html = renderHtml(result, context());
    const v = result.violations[0]!;
    const chain = result.trace.causalChain(v.evidence.at(-1)!);
    const links = new Set([...html.matchAll(/<path class="tz link chain" data-cause="(\d+)" data-effect="(\d+)"/g)].map((m) => `${m[1]}>${m[2]}`));
    for (const [i, e] of chain.entries()) if (i > 0 && e.phase !== "end") expect(links.has(`${chain[i - 1]!.id}>${e.id}`), `link to #${e.id}`).toBe(true);
    const block = html.slice(html.indexOf(`<div class="violation"`), html.indexOf(`</div><div class="violation"`));
    expect(block).toContain(`✗ at-most-once-effect broke at <span class="mono">${formatTimestamp(v.at)}</span>`);
    expect(block).toContain("causal chain (user → harness → tool → store)");
    for (const e of chain) expect(block).toContain(`#${e.id}</span>`);
    const focused = new Set([...html.matchAll(/class="tz (?:span|tick) focus[^"]*" data-id="(\d+)"/g)].map((m) => Number(m[1])));
    for (const e of chain) expect(focused.has(e.phase === "end" ? e.span! : e.id)).toBe(true);
  });

  it("gives every drawn event hover details: kind, layer, actor, time, duration, attributes and cause", async () => {
    const result = await run({ clients: 1, requestsPerClient: 1 });
    const d = details(renderHtml(result, context()));
    const call = result.trace.events.find((e) => e.kind === "refund.execute" && e.phase === "begin")!;
    const end = result.trace.events.find((e) => e.phase === "end" && e.span === call.id)!;
    const cause = result.trace.get(call.parent!)!;
    expect(d[call.id]).toEqual([
      "refund.execute · tool",
      `refund-tool · #${call.id}`,
      `${formatTimestamp(call.t)} for ${formatDuration(end.t - call.t)}`,
      `key=client-0/order-0`,
      ...(end.attrs ? [`→ committed=true`] : []),
      `caused by #${cause.id} ${cause.kind} (${cause.actor})`,
    ]);
  });

  it("tables every invariant: held or violated, how often, when it first broke and why", async () => {
    const result = await run();
    const html = renderHtml(result, context(), { invariants: fixture.invariants });
    const first = result.violations[0]!;
    expect(html).toContain(
      `<tr class="violated" data-invariant="at-most-once-effect"><td><span class="violated-mark">✗ violated</span></td><td><code>at-most-once-effect</code><div class="muted">each refund commits at most once</div></td><td class="num">${result.violations.length}</td><td class="num mono">${formatTimestamp(first.at)}</td><td>${first.message}</td></tr>`,
    );
    const fixed = renderHtml(await run({}, ["idempotency-keys"]), context([], ["idempotency-keys"]));
    expect(fixed).toContain(`<tr class="held" data-invariant="at-most-once-effect"><td><span class="held-mark">✓ held</span>`);
    expect(fixed).not.toContain("violation-marker");
  });

  it("escapes whatever the trace says, in the page and in the hover data", () => {
    const evil = `</script><img src=x onerror=alert(1)>`;
    const result = handRun((trace, clock) => {
      const s = trace.begin({ actor: evil, layer: "tool", kind: "x", attrs: { note: evil } });
      clock.now = 10;
      trace.end(s);
    });
    const html = renderHtml(result, HAND_CONTEXT);
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(count(html, /<\/script>/g)).toBe(2);
    expect(details(html)[0]).toContain(`note="${evil}"`);
  });
});

describe("renderHtml figures", () => {
  const figure = (html: string, id: string): string | undefined => new RegExp(`<figure class="figure" id="fig-${id}"[^>]*>(.*?)</figure>`, "s").exec(html)?.[1];

  it("charts span latency: a histogram of the kind with the longest mean, p50 and p99 marked, and a CDF of every frequent kind", async () => {
    const result = await run({ clients: 6 });
    const html = renderHtml(result, context());
    const byKind = new Map<string, number[]>();
    for (const e of result.trace.events) {
      if (e.phase !== "end") continue;
      const b = result.trace.get(e.span!) as TraceEvent;
      byKind.set(b.kind, [...(byKind.get(b.kind) ?? []), e.t - b.t]);
    }
    const frequent = [...byKind].filter(([, ms]) => ms.length >= 5);
    const [kind, ms] = frequent.sort((a, b) => summarize(b[1]).mean - summarize(a[1]).mean)[0]!;
    const s = summarize(ms);
    const hist = figure(html, "latency-histogram")!;
    expect(hist).toContain(`<h3>Latency of ${kind} (`);
    expect(hist).toContain(`p50 ${formatDuration(s.p50)}</text>`);
    expect(hist).toContain(`p99 ${formatDuration(s.p99)}</text>`);
    const bars = [...hist.matchAll(/<title>[^<]*: (\d+)<\/title><\/rect>/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(bars).toBe(ms.length);
    const cdf = figure(html, "latency-cdf")!;
    for (const [k] of frequent) expect(cdf).toContain(`<code>${k}</code>`);
  });

  it("charts the scenario's series, one chart per unit, and series in ms as latency samples with p50 and p99", () => {
    const result = handRun((trace, clock) => void (clock.now = 60_000), {
      series: {
        "spend per 10 s (USD)": [
          [0, 1],
          [10_000, 2],
          [20_000, 9],
        ],
        "cache-write spend per 10 s (USD)": [
          [0, 0],
          [10_000, 0.5],
          [20_000, 8],
        ],
        "queue depth": [
          [0, 3],
          [30_000, 40],
        ],
        "end-to-end latency (ms)": Array.from({ length: 100 }, (_, i) => [i * 500, (i + 1) * 10] as [number, number]),
      },
    });
    const html = renderHtml(result, HAND_CONTEXT);
    const usd = figure(html, "series-1")!;
    expect(usd).toContain("<h3>2 series in USD</h3>");
    expect(usd).toContain("spend per 10 s (USD)</span>");
    expect(usd).toContain("cache-write spend per 10 s (USD)</span>");
    expect(usd).toContain(">$8.00</text>");
    expect(figure(html, "series-2")).toContain("<h3>queue depth</h3>");
    expect(figure(html, "series-3")).toContain(`<g class="dots"`);
    const latency = figure(html, "latency-series-1")!;
    expect(latency).toContain("p50 500ms</text>");
    expect(latency).toContain("p99 990ms</text>");
  });

  it("charts spend from costUsd on events, the cache's traffic by kind, and marks the first violation", () => {
    const result = handRun(
      (trace, clock) => {
        for (let i = 0; i < 9; i++) {
          clock.now = i * 1_000;
          trace.instant({ actor: "cache", layer: "cache", kind: i < 5 ? "cache.hit" : i < 7 ? "cache.miss" : "cache.write" });
          trace.instant({ actor: "llm", layer: "model", kind: "llm.charge", attrs: { costUsd: 0.25 } });
        }
      },
      { violations: [{ invariant: "spend-spike", at: 4_000, message: "spend spiked", evidence: [] }] },
    );
    const html = renderHtml(result, HAND_CONTEXT);
    expect(figure(html, "spend")).toContain("Running total of costUsd over 9 charged events: $2.25 in all.");
    const cache = figure(html, "cache-rates")!;
    expect(cache).toContain("Instants of the cache layer by kind: cache.hit 5, cache.miss 2, cache.write 2.");
    expect(cache).toContain("✗ spend-spike</text>");
  });

  it("draws the wait-for graph of each cycle the checker reported", () => {
    const result = handRun((trace, clock) => void (clock.now = 1), {
      violations: [
        { invariant: "no-wait-cycle", at: 1, message: "wait cycle agent-a -> queue/chat -> agent-b -> agent-a held for 60 min (bound 30 min)", evidence: [] },
      ],
    });
    const graph = figure(renderHtml(result, HAND_CONTEXT), "wait-for")!;
    const nodes = [...graph.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(nodes).toEqual(["agent-a", "queue/chat", "agent-b"]);
    expect(count(graph, /class="wf-edge"/g)).toBe(3);
  });

  it("shows no charts when nothing was measured", () => {
    const result = handRun((trace, clock) => {
      trace.instant({ actor: "a", layer: "user", kind: "hello" });
      clock.now = 5;
      trace.instant({ actor: "b", layer: "tool", kind: "bye" });
    });
    expect(renderHtml(result, HAND_CONTEXT)).not.toContain(`id="figures"`);
  });
});
