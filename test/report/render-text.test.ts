/** The text report: timeline, violations with causal chains, verdicts, metrics, hash, replay. */
import { describe, expect, it } from "vitest";
import { renderText } from "../../src/report/render-text.js";
import { formatTimestamp } from "../../src/sim/duration.js";
import { context, run } from "./runs.js";

describe("renderText", () => {
  it("shows a short run's every event, then the verdict, hash and replay command", async () => {
    const result = await run({ clients: 1, requestsPerClient: 1 }, ["idempotency-keys"]);
    expect(result.verdict).toBe("held");
    const text = renderText(result, context([], ["idempotency-keys"]), { color: false });
    for (const e of result.trace.events) expect(text).toContain(`#${e.id} `);
    expect(text).not.toContain("not shown");
    expect(text).toContain("✓ at-most-once-effect  held");
    expect(text).toContain("Verdict     HELD: all 1 invariant held");
    expect(text).toContain(`Trace hash  ${result.traceHash}`);
    expect(text).toContain("Replay      npx agentsim run test/fixtures/refund.yaml --seed 7 --mitigate idempotency-keys\n");
  });

  it("truncates a long timeline but keeps the start, the end and every event on a shown causal chain", async () => {
    const result = await run({ clients: 30, requestsPerClient: 4 });
    const events = result.trace.events;
    expect(events.length).toBeGreaterThan(300);
    const text = renderText(result, context(), { color: false });
    const timeline = text.slice(text.indexOf("Timeline"), text.indexOf("\nViolations"));
    const shown = new Set([...timeline.matchAll(/ #(\d+) /g)].map((m) => Number(m[1])));
    const elided = [...timeline.matchAll(/⋯ (\d[\d,]*) events not shown/g)].reduce((n, m) => n + Number(m[1]!.replace(/,/g, "")), 0);
    expect(shown.size + elided).toBe(events.length);
    expect(shown.has(0) && shown.has(24) && shown.has(events.length - 1)).toBe(true);
    const firstThree = result.violations.slice(0, 3);
    for (const v of firstThree) {
      for (const e of result.trace.causalChain(v.evidence.at(-1)!)) expect(shown.has(e.id), `chain event #${e.id}`).toBe(true);
    }
    expect(timeline).toContain(`${events.length.toLocaleString("en-US")} events, ${shown.size} shown`);
  });

  it("gives each violation its time, message and causal chain across layers", async () => {
    const result = await run();
    expect(result.verdict).toBe("violated");
    const text = renderText(result, context(), { color: false });
    const first = result.violations[0]!;
    const section = text.slice(text.indexOf("\nViolations"), text.indexOf("\nInvariants"));
    expect(section).toContain(
      `✗ at-most-once-effect broke at ${formatTimestamp(first.at)}\n    ${first.message}\n    causal chain (user → harness → tool → store):`,
    );
    for (const e of result.trace.causalChain(first.evidence.at(-1)!)) expect(section).toContain(`#${e.id} `);
    expect(section).toContain(`evidence: ${first.evidence.map((id) => `#${id}`).join(", ")}`);
    const hidden = result.violations.length - 3;
    if (hidden > 0) expect(section).toContain(`… ${hidden} more violation${hidden === 1 ? "" : "s"} of at-most-once-effect`);
    expect(text).toContain(`✗ at-most-once-effect  violated ${result.violations.length} times, first at ${formatTimestamp(first.at)}`);
  });

  it("lists metrics grouped, with units", async () => {
    const result = await run();
    const text = renderText(result, context(), { color: false });
    const commits = result.metrics.find((m) => m.name === "commits")!.value as number;
    expect(text).toMatch(new RegExp(`Metrics\\n  latency\\n    call p50 +[\\d.]+m?s\\n  cost\\n    refunded +\\$${(commits * 12.5).toFixed(2)}\\n  counts\\n`));
  });

  it("prints the command that replays the run, with its overrides but not a seed override", async () => {
    const result = await run();
    const text = renderText(result, context(["seed=3", "params.tool.latency={ constant: 1s }"], ["idempotency-keys"]), { color: false });
    expect(text).toContain(
      "Replay      npx agentsim run test/fixtures/refund.yaml --seed 7 --mitigate idempotency-keys --set 'params.tool.latency={ constant: 1s }'\n",
    );
  });

  it("colours only when asked", async () => {
    const result = await run();
    expect(renderText(result, context(), { color: true })).toContain("\u001b[");
    expect(renderText(result, context(), { color: false })).not.toContain("\u001b[");
  });

  it("is quiet when asked: verdict, one line per violation, hash and replay", async () => {
    const result = await run();
    const lines = renderText(result, context(), { color: false, quiet: true }).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Verdict +VIOLATED/);
    expect(lines.filter((l) => l.startsWith("  ✗ at-most-once-effect at +"))).toHaveLength(Math.min(3, result.violations.length));
    expect(lines.at(-2)).toBe(`Trace hash  ${result.traceHash}`);
    expect(lines.at(-1)).toMatch(/^Replay +npx agentsim run /);
  });

  it("says how a crashed run ended", async () => {
    const result = await run({ crash: true });
    expect(result.verdict).toBe("crashed");
    const text = renderText(result, context(), { color: false });
    expect(text).toContain("threw: Error: refund tool exploded");
    expect(text).toContain("CRASHED");
  });

  it("changes nothing in the result", async () => {
    const result = await run();
    const before = JSON.stringify({ v: result.violations, m: result.metrics, o: result.outcome.status, n: result.trace.length });
    renderText(result, context(), { color: true });
    expect(JSON.stringify({ v: result.violations, m: result.metrics, o: result.outcome.status, n: result.trace.length })).toBe(before);
    expect(result.trace.hash()).toBe(result.traceHash);
  });
});
