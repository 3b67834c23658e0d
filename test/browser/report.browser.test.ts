/**
 * The HTML report in a real browser: Debian's headless Chromium, driven by playwright-core (no
 * browser is downloaded). For catalog scenarios it writes the report with `agentsim report`,
 * opens it from disk, checks that nothing is fetched and nothing throws, that the lanes, the
 * violation marker and the charts are drawn, that zoom and hover work and that the page's script
 * places the axis exactly as the renderer does; then it saves a screenshot under tmp/screenshots/.
 * Without /usr/bin/chromium the test is skipped, and says so.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { timeTicks } from "../../src/report/html/time-axis.js";
import { SWIMLANE_GEOMETRY } from "../../src/report/html/swimlane-svg.js";
import { cli } from "../cli/capture.js";

/** What the functions run in the page (`page.evaluate`) use of it; the project compiles without the DOM library. */
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  scrollIntoView(options: { block: string }): void;
  closest(selector: string): PageElement | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
  elementFromPoint(x: number, y: number): PageElement | null;
};

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];
const OUT = fileURLToPath(new URL("../../tmp/browser-reports/", import.meta.url));
const SHOTS = fileURLToPath(new URL("../../tmp/screenshots/", import.meta.url));

/** Catalog scenarios and a figure each must show (besides the timeline). */
const CASES = [
  { name: "stampede", figures: ["series-1", "cache-rates", "spend"] },
  { name: "calendar-deadlock", figures: ["wait-for"] },
  { name: "latency-tail", figures: ["latency-series-1", "latency-histogram"] },
  { name: "double-refund", figures: ["latency-cdf"] },
] as const;

const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser test skipped: ${CHROMIUM} is absent (install Debian's chromium: apt-get install -y chromium)`);

describe("the HTML report in headless Chromium", () => {
  if (!available) {
    it.skip(`needs ${CHROMIUM}`, () => {});
    return;
  }
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const c of CASES) {
    it(`${c.name}: lanes, violation marker and charts are drawn; zoom and hover work; nothing is fetched`, async () => {
      const file = `${OUT}${c.name}.html`;
      const made = await cli(["report", `scenarios/${c.name}.yaml`, "--out", file]);
      expect(made.code, made.stderr).toBe(1);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, reducedMotion: "reduce" });
      const problems = watch(page, pathToFileURL(file).href);
      await page.goto(pathToFileURL(file).href);

      const lanes = page.locator("svg.swimlanes g.lane");
      expect(await lanes.count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator("svg.swimlanes rect.span, svg.swimlanes line.tick").count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator(".violation-marker").count()).toBeGreaterThan(0);
      expect(await visible(page, ".violation-marker path.vmark")).toBe(true);
      expect(await visible(page, ".violation-marker line.vline")).toBe(true);
      for (const f of c.figures) expect(await visible(page, `[data-figure="${f}"] svg.chart`), f).toBe(true);

      await expectAxisAsRendered(page);
      await page.locator("button[data-zoom-a]").first().click();
      const [v0, v1, t0, t1] = await view(page);
      expect(v1 - v0).toBeLessThan(t1 - t0);
      await expectAxisAsRendered(page);

      const target = await hoverable(page);
      await page.mouse.move(target.x, target.y);
      await expect.poll(() => page.locator("#tip").isVisible()).toBe(true);
      expect(await page.locator("#tip .tip-title").textContent()).toBe(
        await page.evaluate((i) => JSON.parse(document.getElementById("event-details")!.textContent!)[i][0], target.id),
      );

      await page.locator("button[data-zoom='reset']").click();
      await dragAcross(page, 0.4, 0.6);
      const [d0, d1] = await view(page);
      expect(d0 / t1).toBeCloseTo(0.4, 2);
      expect(d1 / t1).toBeCloseTo(0.6, 2);
      await page.locator("button[data-zoom='reset']").click();
      expect(await view(page)).toEqual([t0, t1, t0, t1]);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: `${SHOTS}${c.name}.png`, fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});

/** Collects page errors, console errors and every request other than the report itself. */
function watch(page: Page, self: string): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (r.url() !== self) problems.push(`request: ${r.url()}`);
  });
  return problems;
}

/** A point on an event of a causal chain that is on screen and not covered by anything else. */
async function hoverable(page: Page): Promise<{ x: number; y: number; id: string }> {
  const found = await page.evaluate(() => {
    for (const el of document.querySelectorAll("svg.swimlanes .focus[data-id]")) {
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      const [x, y] = [r.left + Math.min(r.width / 2, 3), r.top + r.height / 2];
      if (document.elementFromPoint(x, y)?.closest("[data-id]") === el) return { x, y, id: el.dataset.id as string };
    }
    return undefined;
  });
  expect(found, "an event of a causal chain that the mouse can reach").toBeDefined();
  return found!;
}

/** Drags the mouse across the plot from one share of its width to another. */
async function dragAcross(page: Page, from: number, to: number): Promise<void> {
  const G = SWIMLANE_GEOMETRY;
  const svg = page.locator("svg.swimlanes");
  await svg.scrollIntoViewIfNeeded();
  const box = (await svg.boundingBox())!;
  const k = box.width / G.width;
  const y = box.y + (G.top + 10) * k;
  await page.mouse.move(box.x + (G.plotX + from * G.plotWidth) * k, y);
  await page.mouse.down();
  await page.mouse.move(box.x + (G.plotX + to * G.plotWidth) * k, y, { steps: 5 });
  await page.mouse.up();
}

async function visible(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  return box !== null && box.width > 0 && box.height > 0;
}

/** The timeline's current view and whole range (virtual ms), as the page's script keeps them. */
async function view(page: Page): Promise<[number, number, number, number]> {
  return page.evaluate(() => {
    const d = document.querySelector("svg.swimlanes")!.dataset;
    return [Number(d.v0), Number(d.v1), Number(d.t0), Number(d.t1)] as [number, number, number, number];
  });
}

/** The script's axis (labels and places) equals the renderer's for the current view. */
async function expectAxisAsRendered(page: Page): Promise<void> {
  const [v0, v1] = await view(page);
  const drawn = await page.evaluate(() =>
    [...document.querySelectorAll("svg.swimlanes g.axis text")].map((t) => [t.textContent, Number(t.getAttribute("x"))] as [string, number]),
  );
  const G = SWIMLANE_GEOMETRY;
  const expected = timeTicks(v0, v1, G.maxTicks).map((t) => [t.label, G.plotX + ((t.t - v0) / (v1 - v0)) * G.plotWidth] as [string, number]);
  expect(drawn.map((d) => d[0])).toEqual(expected.map((e) => e[0]));
  for (const [i, [, x]] of drawn.entries()) expect(x).toBeCloseTo(expected[i]![1], 0);
}
