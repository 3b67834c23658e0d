/** `agentsim run`: exit codes, formats, --trace, --quiet, colour, determinism and the replay command. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./capture.js";

const FILE = "test/fixtures/refund.yaml";
const hashOf = (stdout: string): string | undefined => /Trace hash {2}([0-9a-f]{64})/.exec(stdout)?.[1];

describe("agentsim run", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentsim-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 1 when an invariant is violated, 0 when the mitigation makes it hold", async () => {
    const broken = await cli(["run", FILE]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("VIOLATED");
    expect(broken.stderr).toBe("");
    const fixed = await cli(["run", FILE, "--mitigate", "idempotency-keys"]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain("HELD");
  });

  it("exits 3 with a short message, no stack trace, when the scenario crashes", async () => {
    const r = await cli(["run", FILE, "--set", "params.crash=true"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `${FILE}: the scenario crashed: the scenario threw while running: process (actor) "refund client-0/order-0 #1" threw Error: refund tool exploded (at test/fixtures/fixture-scenario.ts:36:28)\n`,
    );
    expect(r.stdout).toContain("CRASHED");
  });

  it("prints the same trace hash for the same file and seed, and another for another seed", async () => {
    const a = hashOf((await cli(["run", FILE])).stdout);
    const b = hashOf((await cli(["run", FILE])).stdout);
    const c = hashOf((await cli(["run", FILE, "--seed", "8"])).stdout);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("prints a replay command that reproduces the run exactly", async () => {
    const first = await cli([
      "run",
      FILE,
      "--seed",
      "11",
      "--mitigate",
      "idempotency-keys",
      "--set",
      "params.clients=6",
      "--set",
      "params.tool.latency={ constant: 2s }",
    ]);
    // A command wider than the terminal continues on the next line after a backslash, as a shell reads it.
    const replay = /Replay {6}(.*)\n/.exec(first.stdout.replace(/ \\\n +/g, " "))?.[1];
    expect(replay).toBe(`npx agentsim run ${FILE} --seed 11 --mitigate idempotency-keys --set params.clients=6 --set 'params.tool.latency={ constant: 2s }'`);
    const again = await cli(shellWords(replay!).slice(2));
    expect(hashOf(again.stdout)).toBe(hashOf(first.stdout));
    expect(again.code).toBe(first.code);
  });

  it("--format json prints one parseable object and keeps the exit code", async () => {
    const r = await cli(["run", FILE, "--format", "json", "--set", "params.clients=2"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { scenario: string; seed: number; overrides: string[]; violations: unknown[]; traceHash: string };
    expect(report.scenario).toBe("fixture-refund");
    expect(report.seed).toBe(7);
    expect(report.overrides).toEqual(["params.clients=2"]);
    expect(report.violations.length).toBeGreaterThan(0);
    expect(report.traceHash).toBe(hashOf((await cli(["run", FILE, "--set", "params.clients=2"])).stdout));
  });

  it("--format jsonl prints the trace, one event a line", async () => {
    const r = await cli(["run", FILE, "--format", "jsonl"]);
    const events = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: number; t: number; actor: string });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({ t: 0, actor: "client-0" });
  });

  it("--format chrome prints a Chrome trace", async () => {
    const r = await cli(["run", FILE, "--format", "chrome"]);
    const doc = JSON.parse(r.stdout) as { traceEvents: { ph: string }[] };
    expect(doc.traceEvents.some((e) => e.ph === "X")).toBe(true);
    expect(r.code).toBe(1);
  });

  it("--trace writes the canonical trace (or a Chrome trace for .json) beside the report", async () => {
    const jsonl = join(dir, "run.jsonl");
    const chrome = join(dir, "run.json");
    const r = await cli(["run", FILE, "--trace", jsonl, "--quiet"]);
    await cli(["run", FILE, "--trace", chrome, "--quiet"]);
    const jsonlOut = await cli(["run", FILE, "--format", "jsonl"]);
    expect(readFileSync(jsonl, "utf8")).toBe(jsonlOut.stdout);
    expect(JSON.parse(readFileSync(chrome, "utf8"))).toHaveProperty("traceEvents");
    expect(r.stdout).not.toContain("Timeline");
  });

  it("says so when the trace file cannot be written", async () => {
    const r = await cli(["run", FILE, "--trace", join(dir, "missing-dir", "t.jsonl"), "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing-dir\/t\.jsonl: cannot write the trace: /);
  });

  it("--quiet prints only the verdict, violations, hash and replay", async () => {
    const r = await cli(["run", FILE, "--quiet"]);
    expect(r.stdout).not.toContain("Timeline");
    expect(r.stdout).not.toContain("Metrics");
    expect(r.stdout.split("\n")[0]).toMatch(/^Verdict +VIOLATED/);
  });

  it("takes --mitigate comma-separated or repeated, and refuses unknown names", async () => {
    const ok = await cli(["run", FILE, "--mitigate", "idempotency-keys,idempotency-keys", "--format", "json"]);
    expect((JSON.parse(ok.stdout) as { mitigations: string[] }).mitigations).toEqual(["idempotency-keys"]);
    const bad = await cli(["run", FILE, "--mitigate", "idempotency-keys", "--mitigate", "retry-budget"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`${FILE}: --mitigate retry-budget: unknown mitigation "retry-budget" for fixture-refund; expected one of: idempotency-keys\n`);
  });

  it("colours only a terminal, and never with NO_COLOR", async () => {
    expect((await cli(["run", FILE], { tty: true })).stdout).toContain("\u001b[");
    expect((await cli(["run", FILE], { tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain("\u001b[");
    expect((await cli(["run", FILE], { tty: false })).stdout).not.toContain("\u001b[");
  });
});

describe("usage", () => {
  it("prints help with no arguments", async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: agentsim");
    expect(r.stdout).toContain("Examples:");
  });

  for (const command of [[], ["run"], ["list"], ["validate"]]) {
    it(`agentsim ${command.join(" ")} --help shows examples and exits 0`, async () => {
      const r = await cli([...command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Examples:");
      expect(r.stdout).toContain(`$ agentsim ${command[0] ?? ""}`.trimEnd());
    });
  }

  it("prints the version", async () => {
    const r = await cli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  const misuse: [string[], RegExp][] = [
    [["bogus"], /unknown command 'bogus'/],
    [["rn", FILE], /unknown command 'rn'[\s\S]*Did you mean run\?/],
    [["run"], /missing required argument 'file'/],
    [["run", FILE, "--colour"], /unknown option '--colour'/],
    [["run", FILE, "--format", "xml"], /argument 'xml' is invalid. Allowed choices are text, json, jsonl, chrome/],
    [["run", FILE, "--seed", "-3"], /argument '-3' is invalid. Expected a whole number of 0 or more/],
    [["run", FILE, "--seed", "1.5"], /Expected a whole number/],
    [["validate"], /missing required argument 'file'/],
  ];
  for (const [argv, message] of misuse) {
    it(`exits 2 for: agentsim ${argv.join(" ")}`, async () => {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

/** Splits a command line printed with POSIX single quotes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string)));
}
