/** Repros and replay: a repro reruns to the same violation and hash; a changed or nondeterministic run is told apart. */
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import type { ScenarioConfig } from "../../src/config/scenario-config.js";
import { checkScenario } from "../../src/run/check.js";
import { parseRepro, replayReproCommand, reproOf, type Repro } from "../../src/run/repro.js";
import { replayRepro } from "../../src/run/replay.js";

const FILE = "test/run/fixtures/flaky.yaml";
const OVERRIDES = ["params.errorRate=0"];

async function load(overrides: string[]): Promise<ScenarioConfig> {
  const loaded = await loadScenarioFile(FILE, { overrides });
  if (!loaded.ok) throw new Error("fixture did not load");
  return loaded.config;
}

async function foundRepro(): Promise<Repro> {
  const config = await load(OVERRIDES);
  const base = { scenario: config.scenario, params: config.params, horizon: config.horizon, mitigations: config.mitigations };
  const r = await checkScenario({ base, runs: 100, fixedParams: [["errorRate"]] });
  if (!r.found) throw new Error("the search found nothing");
  return reproOf(r, { scenario: config.scenario.name, scenarioFile: FILE, overrides: OVERRIDES, mitigations: config.mitigations, swarm: false });
}

describe("replayRepro", () => {
  it("reruns a repro to the same violation and the same trace hash, after a round trip through JSON", async () => {
    const repro = await foundRepro();
    const parsed = parseRepro(JSON.stringify(repro));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.repro).toEqual(repro);
    const o = await replayRepro(parsed.repro, await load(parsed.repro.overrides));
    expect(o.status).toBe("reproduced");
    expect(o.result?.traceHash).toBe(repro.expectedTraceHash);
    expect(o.result?.violations[0]).toMatchObject(repro.violation!);
    // The repro records the first failure too, and it was larger.
    expect(repro.search?.firstFailure.faults.length).toBeGreaterThanOrEqual(repro.faults.length);
  });

  it("tells a stable run that is no longer the recorded one from nondeterminism", async () => {
    const repro = await foundRepro();
    const changed = { ...repro, expectedTraceHash: "0".repeat(64) };
    const o = await replayRepro(changed, await load(OVERRIDES));
    expect(o).toMatchObject({ status: "trace-differs", expected: "0".repeat(64), nondeterministic: false });
  });

  it("reports a scenario that runs differently each time as nondeterministic, naming the first diverging event", async () => {
    const repro = await foundRepro();
    const config = await load([...OVERRIDES, "params.leak=true"]);
    const leaky: Repro = { ...repro, overrides: [...OVERRIDES, "params.leak=true"], params: { ...repro.params, requests: 4 } };
    const o = await replayRepro(leaky, config);
    expect(o.status).toBe("trace-differs");
    if (o.status !== "trace-differs") return;
    expect(o.nondeterministic).toBe(true);
    expect(o.divergence?.first).toContain('"build":');
  });

  it("notices when the same trace is judged differently", async () => {
    const repro = await foundRepro();
    const o = await replayRepro({ ...repro, violation: { ...repro.violation!, message: "some other message" } }, await load(OVERRIDES));
    expect(o.status).toBe("verdict-differs");
  });
});

describe("replayReproCommand", () => {
  it("quotes a path only when a shell needs it", () => {
    expect(replayReproCommand("out/flaky.repro.json")).toBe("npx agentsim replay out/flaky.repro.json");
    expect(replayReproCommand("my repro's.json")).toBe(`npx agentsim replay 'my repro'\\''s.json'`);
  });
});

describe("parseRepro", () => {
  it("says what is wrong with a file that is not a repro", () => {
    expect(parseRepro("{")).toMatchObject({ ok: false, message: expect.stringMatching(/^1:2: not JSON/) });
    expect(parseRepro(JSON.stringify({ kind: "agentsim.sweep/1" }))).toMatchObject({ ok: false, message: expect.stringContaining("expected a repro file") });
    // A repro of a catalog scenario needs no scenario file, but every repro needs its seed.
    expect(parseRepro(JSON.stringify({ kind: "agentsim.repro/1", scenario: "x" }))).toMatchObject({ ok: false, message: expect.stringContaining("seed") });
  });
});
