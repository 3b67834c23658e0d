/** The HTML report of a sweep: violation rates with intervals, failing seeds with their commands, metric spreads. */
import { describe, expect, it } from "vitest";
import { renderSweepHtml } from "../../src/report/html/render-sweep-html.js";
import type { SweepHtmlSummary } from "../../src/report/html/sweep-summary.js";

const summary: SweepHtmlSummary = {
  scenario: "double-refund",
  file: "scenarios/double-refund.yaml",
  overrides: ["seed=9", "params.agent.timeout=2s"],
  mitigations: ["idempotency-keys"],
  seeds: { spec: "1..200", count: 200 },
  totals: { held: 189, violated: 10, crashed: 1, error: 0 },
  invariants: [
    { invariant: "at-most-once-effect", description: "one refund per return", violations: 10, runs: 199, ciLow: 0.0276, ciHigh: 0.0901 },
    { invariant: "no-phantom-failure", violations: 0, runs: 199, ciLow: 0, ciHigh: 0.0189 },
  ],
  failingSeeds: [4, 9, 23, 31, 50, 77, 80, 121, 150, 199],
  errors: [{ seed: 12, verdict: "crashed", message: `process "agent" threw Error: <boom>` }],
  metrics: [
    { name: "refunded in excess", unit: "usd", min: 0, p50: 0, p90: 12.5, p99: 25, max: 37.5, values: [0, 0, 0, 12.5, 25, 37.5] },
    { name: "agent timeouts", unit: "count", min: 0, p50: 1, p90: 3, p99: 4, max: 4 },
  ],
};

describe("renderSweepHtml", () => {
  it("gives the same bytes for the same summary", () => {
    expect(renderSweepHtml(summary)).toBe(renderSweepHtml(structuredClone(summary)));
  });

  it("draws each invariant's violation rate as a bar with its interval, and tables the numbers", () => {
    const html = renderSweepHtml(summary);
    const chart = /<svg class="chart rates" data-chart="violation-rates"[^>]*>(.*?)<\/svg>/s.exec(html)![1]!;
    const fills = [...chart.matchAll(/<rect class="bar-fill" x="(\d+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[2]));
    const track = Number(/<rect class="bar-track" x="\d+" y="[\d.]+" width="([\d.]+)"/.exec(chart)![1]);
    // The scale tops at 10%, the round value above the largest interval (9.01%).
    expect(fills[0]! / track).toBeCloseTo(10 / 199 / 0.1, 2);
    expect(fills[1]).toBe(0);
    expect(chart).toContain(">10%</text>");
    expect(html).toContain(`<td class="num">10 / 199</td><td class="num">5%</td><td class="num">2.8% – 9%</td>`);
    expect(html).toContain(`<td class="num">0 / 199</td><td class="num">0%</td><td class="num">0% – 1.9%</td>`);
  });

  it("lists the failing seeds with commands that replay and report them, keeping overrides but not a seed override", () => {
    const html = renderSweepHtml(summary);
    expect(html).toContain(`<p class="mono failing-seeds">4, 9, 23, 31, 50, 77, 80, 121, 150, 199</p>`);
    expect(html).toContain(`npx agentsim run scenarios/double-refund.yaml --seed 4 --mitigate idempotency-keys --set params.agent.timeout=2s`);
    expect(html).toContain(
      `npx agentsim report scenarios/double-refund.yaml --seed 50 --mitigate idempotency-keys --set params.agent.timeout=2s --out double-refund-seed-50.html`,
    );
    const commands = /<pre class="replay">(.*?)<\/pre>/s.exec(html)![1]!;
    expect(commands.match(/--seed (\d+) /g)).toEqual([
      "--seed 4 ",
      "--seed 4 ",
      "--seed 9 ",
      "--seed 9 ",
      "--seed 23 ",
      "--seed 23 ",
      "--seed 31 ",
      "--seed 31 ",
      "--seed 50 ",
      "--seed 50 ",
    ]);
    expect(commands).not.toContain("seed=9");
    expect(html).toContain(`<td class="num">12</td><td>crashed</td><td>process &quot;agent&quot; threw Error: &lt;boom&gt;</td>`);
  });

  it("tables each metric's spread in its unit, with a histogram where the per-seed values are given", () => {
    const html = renderSweepHtml(summary);
    expect(html).toContain(
      `<tr data-metric="refunded in excess"><td>refunded in excess</td><td class="num">$0.00</td><td class="num">$0.00</td><td class="num">$12.50</td><td class="num">$25.00</td><td class="num">$37.50</td>`,
    );
    expect(html).toContain(
      `<tr data-metric="agent timeouts"><td>agent timeouts</td><td class="num">0</td><td class="num">1</td><td class="num">3</td><td class="num">4</td><td class="num">4</td>`,
    );
    expect(html).toContain(`data-chart="metric-refunded-in-excess"`);
    expect(html).not.toContain(`data-chart="metric-agent-timeouts"`);
  });

  it("says so when every seed held", () => {
    const held = renderSweepHtml({
      ...summary,
      totals: { held: 200, violated: 0, crashed: 0, error: 0 },
      failingSeeds: [],
      errors: [],
      invariants: summary.invariants.map((i) => ({ ...i, violations: 0 })),
    });
    expect(held).toContain(`<span class="verdict held">HELD</span>`);
    expect(held).toContain("No seed violated an invariant.");
  });
});
