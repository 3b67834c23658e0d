/**
 * The command line as a real process: a synchronous infinite loop is stopped by the time budget,
 * a closed pipe ends quietly, a module's console.log stays off stdout, and a sweep killed with
 * SIGKILL midway resumes to the same result as an uninterrupted one.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ENTRY = "test/fixtures/agentsim-src.ts";
const HOSTILE = "test/fixtures/hostile.yaml";
const STACK = /\n\s+at .+:\d+:\d+/;
const dir = mkdtempSync(join(tmpdir(), "agentsim-process-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function agentsim(...args: string[]): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", ENTRY, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("the time budget of a run", () => {
  it("stops a synchronous infinite loop, naming the seed and the phase", () => {
    const t0 = performance.now();
    const r = agentsim("run", HOSTILE, "--mitigate", "loop-in-run", "--budget", "1s", "--seed", "7");
    expect(r.signal).toBe("SIGKILL");
    expect(r.stderr).toBe(`${HOSTILE}: seed 7 exceeded the time budget of 1s (wall clock) while in phase run, in a synchronous loop; the process is stopped\n`);
    expect(performance.now() - t0).toBeLessThan(30_000);
    const build = agentsim("check", HOSTILE, "--mitigate", "loop-in-build", "--budget", "500ms", "--runs", "5");
    expect(build.signal).toBe("SIGKILL");
    expect(build.stderr).toMatch(/exceeded the time budget of 500ms \(wall clock\) while in phase build, in a synchronous loop; the process is stopped\n$/);
    expect(build.stdout).toBe("");
  });
});

describe("stdout", () => {
  it("carries only the json document when the scenario module prints", () => {
    const r = agentsim("run", HOSTILE, "--mitigate", "log-stdout", "--format", "json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ scenario: "hostile-fixture", verdict: "held" });
    expect(r.stderr).toContain("hostile: hello from build\nhostile: tick 0\n");
    const sweep = agentsim("sweep", HOSTILE, "--mitigate", "log-stdout", "--seeds", "1..3", "--workers", "1", "--format", "json");
    expect(JSON.parse(sweep.stdout)).toMatchObject({ kind: "agentsim.sweep/1", totals: { held: 3 } });
    expect(sweep.stderr).toContain("hostile: tick 4");
  });

  it("ends quietly with the command's own status when the reader closes the pipe (agentsim run x --format jsonl | head)", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "run", "scenarios/stampede.yaml", "--format", "jsonl"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((res) => child.on("close", (code) => res(code)));
    expect(stderr).not.toMatch(STACK);
    expect(stderr).not.toContain("EPIPE");
    expect(status).toBe(1); // stampede violates its invariant: the usual status of this run
  });
});

describe("a sweep killed with SIGKILL midway", () => {
  it("resumes from its stream to the same report as an uninterrupted sweep (2,000 seeds)", async () => {
    // Short seeds (3 requests, 20% errors) keep the test quick while verdicts and metrics still vary by seed.
    const args = [
      "sweep",
      "test/run/fixtures/flaky.yaml",
      "--seeds",
      "1..2000",
      "--workers",
      "2",
      "--set",
      "params.requests=3",
      "--set",
      "params.errorRate=0.2",
    ];
    const stream = join(dir, "killed.jsonl");
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args, "--stream", stream], { stdio: "ignore" });
    // Kill it once a few hundred seeds are on disk.
    await new Promise<void>((res, rej) => {
      const poll = setInterval(() => {
        let lines = 0;
        try {
          lines = readFileSync(stream, "utf8").split("\n").length;
        } catch {
          // not created yet
        }
        if (lines > 300) {
          clearInterval(poll);
          child.kill("SIGKILL");
          res();
        }
      }, 20);
      child.on("exit", () => {
        clearInterval(poll);
        rej(new Error("the sweep ended before it could be killed"));
      });
    });
    await new Promise((res) => child.on("close", res));
    const partial = readFileSync(stream, "utf8").split("\n").length - 2;
    expect(partial).toBeGreaterThan(200);
    expect(partial).toBeLessThan(2000);
    const resumed = agentsim(...args, "--stream", stream, "--resume", "--format", "json");
    const whole = agentsim(...args, "--format", "json");
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(whole.status);
    expect(JSON.parse(resumed.stdout)).toEqual(JSON.parse(whole.stdout));
    expect(JSON.parse(whole.stdout).results).toHaveLength(2000);
    // The stream now holds every seed once: merge takes it as the whole sweep.
    const merged = agentsim("merge", stream, "--format", "json");
    expect(merged.stderr).toBe("");
    expect(JSON.parse(merged.stdout).results).toEqual(JSON.parse(whole.stdout).results);
  }, 120_000);
});
