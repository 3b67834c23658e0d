/** `agentsim check` writes a shrunk repro; `agentsim replay` confirms it (exit 1), or reports a changed trace. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readOtlpJson } from "../../src/import/otlp-json.js";
import { compareSchedules } from "../../src/run/check.js";
import type { Repro } from "../../src/run/repro.js";
import { cli } from "./capture.js";

const FILE = "test/run/fixtures/flaky.yaml";

describe("agentsim check and replay", () => {
  const dir = mkdtempSync(join(tmpdir(), "agentsim-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "flaky.repro.json");

  it("check finds a failing fault schedule, shrinks it, writes the repro and exits 1", async () => {
    const r = await cli(["check", FILE, "--runs", "100", "--set", "params.errorRate=0", "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FOUND flaky-service: every-request-served violated, on run \d+ \(search seed 1\); shrunk in \d+ steps\n/);
    expect(r.stdout).toMatch(/ {2}shrunk to {6}seed 1, 1 fault \(outage at \d+ms for \d+ms on db\), params \{"requests":1,/);
    // The scenario is a module of the user's, so replaying its repro needs their consent.
    expect(r.stdout).toContain(`Replay      npx agentsim replay ${out} --allow-module\n`);
    const repro = JSON.parse(readFileSync(out, "utf8")) as Repro;
    // The scenario file is named relative to the repro, so the repro replays from any folder.
    expect(repro).toMatchObject({
      kind: "agentsim.repro/1",
      scenarioFile: relative(dir, resolve(FILE)),
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      scenario: "flaky-service",
      overrides: ["params.errorRate=0"],
      verdict: "violated",
      mitigations: [],
    });
    // The errorRate set with --set stayed fixed: it is not among the drawn parameters.
    expect(repro.params).not.toHaveProperty("errorRate");
    // Only an outage can fail a request here, so the first failure had one at least; the repro's schedule is smaller.
    expect(repro.search!.firstFailure.faults.some((f) => f.kind === "outage")).toBe(true);
    expect(compareSchedules(repro.faults, repro.search!.firstFailure.faults)).toBeLessThan(0);
  });

  it("replay reruns the repro to the same violation and trace hash, and exits 1", async () => {
    const repro = JSON.parse(readFileSync(out, "utf8")) as Repro;
    const r = await cli(["replay", out, "--allow-module"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`REPRODUCED every-request-served violated again: ${repro.violation!.message}\n  same trace hash ${repro.expectedTraceHash}\n`);
  });

  it("replay says agentsim changed, not nondeterminism, when the trace differs but the scenario's fingerprint and two reruns agree", async () => {
    const repro = JSON.parse(readFileSync(out, "utf8")) as Repro;
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify({ ...repro, expectedTraceHash: "a".repeat(64) }));
    const r = await cli(["replay", tampered, "--allow-module"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`CHANGED the trace hash differs: expected ${"a".repeat(64)}, got ${repro.expectedTraceHash}`);
    expect(r.stdout).toContain(
      "two reruns agree with each other: the run is stable, but with the scenario unchanged (same fingerprint), agentsim itself changed",
    );
  });

  it("check with --format json prints the repro, and exits 0 with a hint when nothing fails", async () => {
    const json = join(dir, "json.repro.json");
    const r = await cli(["check", FILE, "--runs", "60", "--set", "params.errorRate=0", "--swarm", "--out", json, "--format", "json"]);
    const printed = JSON.parse(r.stdout) as { found: boolean; reproFile: string; repro: Repro };
    expect(printed).toMatchObject({ found: true, reproFile: json });
    expect(printed.repro).toEqual(JSON.parse(readFileSync(json, "utf8")));
    expect(printed.repro.search?.swarm).toBe(true);
    const none = await cli(["check", FILE, "--runs", "30", "--set", "params.errorRate=0", "--max-faults", "0", "--out", join(dir, "none.json")]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("flaky-service: no failing run in 30 runs (search seed 1). Search further with --runs, --swarm or another --seed.\n");
    expect(existsSync(join(dir, "none.json"))).toBe(false);
  });

  it("replay --format otlp prints the replayed run as OTLP/JSON and nothing else; the verdict goes to stderr, the exit code is the same", async () => {
    const repro = JSON.parse(readFileSync(out, "utf8")) as Repro;
    const r = await cli(["replay", out, "--allow-module", "--format", "otlp"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { resourceSpans: { resource: { attributes: { key: string; value: { intValue?: number } }[] } }[] };
    expect(doc.resourceSpans.length).toBe(1);
    expect(doc.resourceSpans[0]?.resource.attributes.find((a) => a.key === "agentsim.seed")?.value.intValue).toBe(repro.seed);
    const violation = readOtlpJson(r.stdout)
      .flatMap((s) => s.events)
      .find((e) => e.name === "agentsim.violation");
    expect(violation?.attributes["agentsim.invariant"]).toBe("every-request-served");
    expect(r.stderr).toContain(`REPRODUCED every-request-served violated again: ${repro.violation!.message}\n  same trace hash ${repro.expectedTraceHash}\n`);
    expect(r.stdout).not.toContain("REPRODUCED");
    // The same run, the same bytes.
    expect((await cli(["replay", out, "--allow-module", "--format", "otlp"])).stdout).toBe(r.stdout);
    // Bad input prints nothing on stdout, as in text.
    const missing = await cli(["replay", join(dir, "missing.json"), "--format", "otlp"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
  });

  it("a replayed run exported as OTLP imports back: the same tool, conversations and double refund", async () => {
    const repro = join(dir, "refund.repro.json");
    expect((await cli(["check", "scenarios/double-refund.yaml", "--runs", "50", "--out", repro])).code).toBe(1);
    const { params } = JSON.parse(readFileSync(repro, "utf8")) as Repro & { params: { returns?: { count?: number } } };
    const r = await cli(["replay", repro, "--format", "otlp"]);
    expect(r.code).toBe(1);
    const exported = join(dir, "refund.otlp.json");
    writeFileSync(exported, r.stdout);
    const back = await cli(["import", exported, "--out", join(dir, "again.yaml"), "--side-effects", "payments", "--format", "json"]);
    expect(back.code).toBe(0);
    const { workload, findings } = JSON.parse(back.stdout) as {
      workload: { tools: Record<string, unknown>; conversations: { count: number } };
      findings: { duplicateEffects: unknown[] };
    };
    expect(Object.keys(workload.tools)).toEqual(["payments"]);
    expect(workload.conversations.count).toBe(params.returns?.count ?? 20);
    expect(findings.duplicateEffects.length).toBeGreaterThan(0);
  });

  it("exits 2 for a file that is not a repro, and for a repro whose scenario file is gone", async () => {
    const notRepro = join(dir, "not.json");
    writeFileSync(notRepro, "{}");
    const bad = await cli(["replay", notRepro]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${notRepro}: kind: expected a repro file`);
    const repro = JSON.parse(readFileSync(out, "utf8")) as Repro;
    const moved = join(dir, "moved.json");
    writeFileSync(moved, JSON.stringify({ ...repro, scenarioFile: "gone.yaml" }));
    const gone = await cli(["replay", moved]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`${join(dir, "gone.yaml")}: no such file\n`);
  });
});
