/** `agentsim report`: writes one HTML file per run, byte-stable, with run's exit codes; bad input writes nothing. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../cli/capture.js";

const FILE = "test/fixtures/refund.yaml";

describe("agentsim report", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentsim-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the report of a violated run, says where, and exits 1 as run does", async () => {
    const out = join(dir, "violated.html");
    const r = await cli(["report", FILE, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /^VIOLATED: 1 of 1 invariant broke \(\d+ violations\); the first, at-most-once-effect, at \+00:00:\d\d\.\d{3}\.\nReport: .*violated\.html \(\d+ KB\); open file:\/\/\/.*violated\.html\n$/,
    );
    const html = readFileSync(out, "utf8");
    expect(html).toContain(`<h1>A refund retried after its deadline commits twice<span class="verdict violated">VIOLATED</span></h1>`);
    expect(html).toContain("npx agentsim run test/fixtures/refund.yaml --seed 7");
  });

  it("takes --seed, --mitigate and --set like run, and exits 0 when the mitigation holds", async () => {
    const out = join(dir, "held.html");
    const r = await cli(["report", FILE, "--seed", "3", "--mitigate", "idempotency-keys", "--set", "params.clients=2", "--out", out]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain(`<span class="verdict held">HELD</span>`);
    expect(html).toContain("npx agentsim run test/fixtures/refund.yaml --seed 3 --mitigate idempotency-keys --set params.clients=2");
    expect([...html.matchAll(/<g class="lane" data-lane="client-\d+">/g)]).toHaveLength(2);
  });

  it("writes the same bytes for the same command twice", async () => {
    const [a, b] = [join(dir, "a.html"), join(dir, "b.html")];
    await cli(["report", FILE, "--out", a]);
    await cli(["report", FILE, "--out", b]);
    expect(readFileSync(a)).toEqual(readFileSync(b));
  });

  it("writes the HTML to stdout with --out -", async () => {
    const r = await cli(["report", FILE, "--out", "-"]);
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith("<!doctype html>")).toBe(true);
    expect(r.stdout.endsWith("</html>\n")).toBe(true);
  });

  it("reports bad input as run does, exits 2 and writes no report", async () => {
    const out = join(dir, "bad.html");
    const r = await cli(["report", FILE, "--set", "params.clients=0", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${FILE}: --set params.clients=0: 0 is below the minimum 1\n`);
    expect(existsSync(out)).toBe(false);
  });

  it("writes the report of a crashed run and exits 3 with the crash on stderr", async () => {
    const out = join(dir, "crashed.html");
    const r = await cli(["report", FILE, "--set", "params.crash=true", "--out", out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `${FILE}: the scenario crashed: the scenario threw while running: process (actor) "refund client-0/order-0 #1" threw Error: refund tool exploded (at test/fixtures/fixture-scenario.ts:36:28)\n`,
    );
    expect(readFileSync(out, "utf8")).toContain(`<span class="verdict crashed">CRASHED</span>`);
  });
});
