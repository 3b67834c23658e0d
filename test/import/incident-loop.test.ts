/**
 * README's "Reproduce your incident", as a user runs it with the built command: import the shipped
 * example trace, run the scenario (exit 1: the double refund), let `check` find and shrink a
 * failing run and write its repro, replay it, and run with the mitigation (exit 0). The generated
 * module imports the package by name, so the files are written inside this package (tmp/).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";

const built = existsSync("dist/cli.mjs");
if (!built) console.warn("incident-loop.test.ts: dist/cli.mjs is missing; run `npm run build` to test the import loop");

const dir = `tmp/incident-loop-${process.pid}`;

function agentsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)("from an incident's traces to a seed and a mitigation", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("imports, reproduces the double refund, finds and replays it, and holds with idempotency keys", () => {
    mkdirSync(dir, { recursive: true });
    const file = `${dir}/refund-incident.yaml`;
    const imported = agentsim("import", "examples/incident/refund-incident.otlp.jsonl", "--out", file, "--side-effects", "refund");
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/seed \d+ reproduces at-most-once-refund/);
    const yaml = readFileSync(file, "utf8");
    expect(yaml).toContain("scenario: ./refund-incident.workload.mjs");
    expect(yaml).toMatch(/timeout: 10s/);

    const run = agentsim("run", file);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/at-most-once-refund/);

    const repro = `${dir}/incident.repro.json`;
    const check = agentsim("check", file, "--runs", "200", "--out", repro);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("at-most-once-refund violated");
    expect(check.stdout).toContain(`replay ${repro} --allow-module`);
    // A repro that runs a module needs the user's consent: refused without it, no module code run.
    const refused = agentsim("replay", repro);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("add --allow-module");
    const replay = agentsim("replay", repro, "--allow-module");
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain("REPRODUCED");

    expect(agentsim("run", file, "--mitigate", "idempotency-keys").code).toBe(0);
    expect(agentsim("check", file, "--runs", "100", "--mitigate", "idempotency-keys").code).toBe(0);
  });

  it("imports a prompt-cache stampede: the found seed's run breaks cache-writes-per-expiry, and single-flight holds", () => {
    mkdirSync(dir, { recursive: true });
    const file = `${dir}/cache-stampede.yaml`;
    const imported = agentsim("import", "examples/incident/cache-stampede.otlp.json", "--out", file);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("seen: 10 model calls wrote the same cached prefix within one cache lifetime (a stampede)");
    const seed = /seed (\d+) reproduces cache-writes-per-expiry/.exec(imported.stdout)?.[1];
    expect(seed).toBeDefined();
    const yaml = readFileSync(file, "utf8");
    expect(yaml).toContain(`seed: ${seed}`);
    expect(yaml).toContain("# Invariants judged: cache-writes-per-expiry, spend-spike, tool-calls-answered");

    const run = agentsim("run", file, "--format", "json");
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as { seed: number; violations: { invariant: string }[] };
    expect(result.seed).toBe(Number(seed));
    expect(result.violations.map((v) => v.invariant)).toEqual(["cache-writes-per-expiry"]);
    expect(agentsim("run", file, "--mitigate", "single-flight").code).toBe(0);
    expect(agentsim("check", file, "--runs", "100", "--mitigate", "single-flight").code).toBe(0);
  });

  it("exports a run as OTLP that imports back", () => {
    mkdirSync(dir, { recursive: true });
    const out = agentsim("run", "scenarios/double-refund.yaml", "--format", "otlp");
    expect(out.code).toBe(1);
    const doc = JSON.parse(out.stdout) as { resourceSpans: unknown[] };
    expect(doc.resourceSpans.length).toBe(1);
    writeFileSync(`${dir}/double-refund.otlp.json`, out.stdout);
    const back = agentsim(
      "import",
      `${dir}/double-refund.otlp.json`,
      "--out",
      `${dir}/double-refund-again.yaml`,
      "--side-effects",
      "payments",
      "--format",
      "json",
    );
    expect(back.code).toBe(0);
    const { workload } = JSON.parse(back.stdout) as { workload: { tools: Record<string, unknown>; conversations: { count: number } } };
    expect(Object.keys(workload.tools)).toEqual(["payments"]);
    expect(workload.conversations.count).toBe(20);
  });

  it("refuses a trace without GenAI spans with exit 2 and what it expected", () => {
    mkdirSync(dir, { recursive: true });
    const r = agentsim("import", "package.json", "--out", `${dir}/x.yaml`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^package\.json: expected OTLP\/JSON traces/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
