/** The text report: violations with causal chains to their evidence (or a timeline), verdicts, metrics, next steps, hash, replay. */
import { describe, expect, it } from "vitest";
import { attrTokens } from "../../src/report/event-line.js";
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

  it("shows a long run that held as its start and its end, counting every event left out", async () => {
    const result = await run({ clients: 30, requestsPerClient: 4 }, ["idempotency-keys"]);
    expect(result.verdict).toBe("held");
    const events = result.trace.events;
    expect(events.length).toBeGreaterThan(300);
    const text = renderText(result, context([], ["idempotency-keys"]), { color: false });
    const timeline = text.slice(text.indexOf("Timeline"), text.indexOf("\nInvariants"));
    const shown = new Set([...timeline.matchAll(/ #(\d+) /g)].map((m) => Number(m[1])));
    const elided = [...timeline.matchAll(/⋯ (\d[\d,]*) events not shown/g)].reduce((n, m) => n + Number(m[1]!.replace(/,/g, "")), 0);
    expect(shown.size + elided).toBe(events.length);
    expect(shown.has(0) && shown.has(events.length - 1)).toBe(true);
    expect(timeline).toContain(`${events.length.toLocaleString("en-US")} events, ${shown.size} shown`);
  });

  it("opens a violated run with what led to each violation: the chain ends at the evidence, and every evidence event is shown", async () => {
    const result = await run({ clients: 30, requestsPerClient: 4 });
    expect(result.verdict).toBe("violated");
    const text = renderText(result, context(), { color: false, width: 200 });
    expect(text.indexOf("Violations")).toBeLessThan(text.indexOf("Invariants"));
    expect(text).not.toContain("\nTimeline");
    const first = result.violations[0]!;
    const section = text.slice(text.indexOf("\nViolations"), text.indexOf("\nInvariants"));
    const chain = section.slice(section.indexOf("what led to it"), section.indexOf("\n  ✗", section.indexOf("what led to it")));
    const ids = [...chain.matchAll(/ #(\d+) /g)].map((m) => Number(m[1]));
    const marked = [...chain.matchAll(/◆ \S+ +#(\d+) /g)].map((m) => Number(m[1]));
    expect(marked).toEqual(first.evidence);
    expect(ids.at(-1)).toBe(Math.max(...first.evidence));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const id of first.evidence) {
      // every cause of every evidence event is on the chain, except a span's begin shown by its end
      for (const e of result.trace.causalChain(id)) {
        const byEnd = e.phase === "begin" && result.trace.events.some((x) => x.span === e.id && ids.includes(x.id));
        expect(ids.includes(e.id) || byEnd, `cause #${e.id} of evidence #${id}`).toBe(true);
      }
    }
  });

  it("gives each violation its time and message; later ones of an invariant in one line with their evidence", async () => {
    const result = await run();
    expect(result.verdict).toBe("violated");
    const text = renderText(result, context(), { color: false, width: 200 });
    const [first, second] = result.violations;
    const section = text.slice(text.indexOf("\nViolations"), text.indexOf("\nInvariants"));
    expect(section).toContain(
      `✗ at-most-once-effect broke at ${formatTimestamp(first!.at)}\n    ${first!.message}\n    what led to it (user → harness → tool → harness → tool → store):`,
    );
    if (second)
      expect(section).toContain(
        `✗ at-most-once-effect at ${formatTimestamp(second.at)}: ${second.message} (evidence ${second.evidence.map((id) => `#${id}`).join(", ")})`,
      );
    const hidden = result.violations.length - 3;
    if (hidden > 0) expect(section).toContain(`… ${hidden} more violation${hidden === 1 ? "" : "s"} of at-most-once-effect`);
    expect(text).toContain(`✗ at-most-once-effect  violated ${result.violations.length} times, first at ${formatTimestamp(first!.at)}`);
  });

  it("fits every line in the width it is given, leaving out whole attributes only", async () => {
    const result = await run({ clients: 30, requestsPerClient: 4 });
    const full = new Set(result.trace.events.flatMap((e) => (e.attrs ? attrTokens(e.attrs) : [])));
    for (const width of [80, 100, 132]) {
      const text = renderText(result, context(["params.tool.latency={ lognormal: { p50: 800ms, p99: 3s } }"], ["idempotency-keys"]), { color: false, width });
      for (const line of text.trimEnd().split("\n")) expect([...line].length, line).toBeLessThanOrEqual(width);
      for (const line of text.split("\n").filter((l) => /^ {4}[ ◆] \+\d/.test(l))) {
        const attrs = line
          .slice(line.search(/[▶◀·] /) + 2)
          .split(" ")
          .filter((t) => t.includes("=") && !t.startsWith("after"));
        for (const t of attrs) expect(full.has(t), `${t} in: ${line}`).toBe(true);
      }
    }
  });

  it("says what to try next: the mitigations that address the violated invariants, and the report", async () => {
    const result = await run();
    const ctx = {
      ...context(),
      mitigations: [
        { name: "idempotency-keys", description: "the tool commits each key once" },
        { name: "unrelated", description: "x", addresses: ["other"] },
      ],
    };
    const text = renderText(result, ctx, { color: false, width: 200 });
    const next = text.slice(text.indexOf("\nNext"), text.indexOf("\nTrace hash"));
    expect(next).toContain("try idempotency-keys (addresses at-most-once-effect): the tool commits each key once");
    expect(next).not.toContain("unrelated");
    expect(next).toContain("$ npx agentsim run test/fixtures/refund.yaml --seed 7 --mitigate idempotency-keys\n");
    expect(next).toContain("$ npx agentsim report test/fixtures/refund.yaml --seed 7 --out fixture-refund.html");
    const held = await run({}, ["idempotency-keys"]);
    const heldText = renderText(held, { ...ctx, mitigate: ["idempotency-keys"] }, { color: false, width: 200 });
    expect(heldText).not.toContain("try idempotency-keys");
    expect(heldText).toContain("$ npx agentsim sweep test/fixtures/refund.yaml --seeds 1..1000 --mitigate idempotency-keys\n");
  });

  it("states the result of the determinism check", async () => {
    const result = await run();
    expect(renderText(result, context(), { color: false, determinism: { secondHash: result.traceHash } })).toContain(
      "Determinism deterministic: a second run of seed 7 gave the same trace hash\n",
    );
    expect(renderText(result, context(), { color: false, width: 200, determinism: { secondHash: "0".repeat(64) } })).toContain(
      `Determinism NONDETERMINISTIC: a second run of seed 7 gave trace hash ${"0".repeat(64)}`,
    );
  });

  it("counts one kind of events: the trace's", async () => {
    const result = await run();
    const text = renderText(result, context(), { color: false });
    const counts = [...text.matchAll(/([\d,]+) events?\b/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
    expect(counts.length).toBeGreaterThan(0);
    for (const n of counts) expect(n).toBe(result.trace.events.length);
  });

  it("lists metrics grouped, with units", async () => {
    const result = await run();
    const text = renderText(result, context(), { color: false });
    const commits = result.metrics.find((m) => m.name === "commits")!.value as number;
    expect(text).toMatch(new RegExp(`Metrics\\n  latency\\n    call p50 +[\\d.]+m?s\\n  cost\\n    refunded +\\$${(commits * 12.5).toFixed(2)}\\n  counts\\n`));
  });

  it("prints the command that replays the run, with its overrides but not a seed override", async () => {
    const result = await run();
    const ctx = context(["seed=3", "params.tool.latency={ constant: 1s }"], ["idempotency-keys"]);
    expect(renderText(result, ctx, { color: false, width: 200 })).toContain(
      "Replay      npx agentsim run test/fixtures/refund.yaml --seed 7 --mitigate idempotency-keys --set 'params.tool.latency={ constant: 1s }'\n",
    );
    // narrower: continued at an argument boundary, as a shell reads it
    expect(renderText(result, ctx, { color: false, width: 80 })).toContain(
      "Replay      npx agentsim run test/fixtures/refund.yaml --seed 7 \\\n              --mitigate idempotency-keys \\\n              --set 'params.tool.latency={ constant: 1s }'\n",
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
