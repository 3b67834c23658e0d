/**
 * examples/custom-scenario: a scenario module of the user's own (a booking API written as a
 * `ToolPort`, an invariant built with `verdict`) named by path in a YAML file, run through the
 * built command exactly as a user runs it: `node bin/agentsim.js run <file>`. Skipped, with a
 * note, when dist/ has not been built.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { built } from "./built.js";

const FILE = "examples/custom-scenario/my-scenario.yaml";

function agentsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)("examples/custom-scenario through the built agentsim command", () => {
  it("validates the file and its module", () => {
    const r = agentsim("validate", FILE);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("exits 1 when agents that checked at nearly the same time all book the last rooms", () => {
    const r = agentsim("run", FILE, "--format", "json");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      scenario: string;
      verdict: string;
      violations: { invariant: string; message: string }[];
      metrics: { name: string; value: number }[];
    };
    expect(report.scenario).toBe("last-rooms");
    expect(report.violations.map((v) => v.invariant)).toEqual(["no-overbooking"]);
    const metric = (name: string): number | undefined => report.metrics.find((m) => m.name === name)?.value;
    // The invariant's own numbers agree with the metrics: more bookings than the file's 2 rooms.
    expect(metric("rooms")).toBe(2);
    expect(metric("bookings")).toBeGreaterThan(2);
    expect(report.violations[0]?.message).toContain(`${metric("bookings")} bookings for 2 rooms`);
  });

  it("prints the violation, its causal chain and the replay command in text", () => {
    const r = agentsim("run", FILE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no-overbooking broke at \+\d\d:\d\d:\d\d\.\d{3}/);
    expect(r.stdout).toContain("causal chain");
    expect(r.stdout).toContain(`Replay      npx agentsim run ${FILE} --seed 3`);
  });

  it("exits 0 with the mitigation (the API refuses a booking when the hotel is full)", () => {
    expect(agentsim("run", FILE, "--mitigate", "conditional-booking", "--quiet").code).toBe(0);
  });

  it("exits 0 with a room for every traveller, set from the command line", () => {
    expect(agentsim("run", FILE, "--set", "params.rooms=5", "--quiet").code).toBe(0);
  });

  it("gives the same trace hash twice", () => {
    const hash = (): string => (JSON.parse(agentsim("run", FILE, "--format", "json").stdout) as { traceHash: string }).traceHash;
    expect(hash()).toBe(hash());
  });
});
