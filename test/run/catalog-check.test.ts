/**
 * The acceptance for search: on three catalog scenarios, `check` finds a failing run, the
 * repro's fault schedule is smaller than the first failing run's, and replaying the repro gives
 * the same violation and trace hash. Two of the three are set up so that only a fault can break
 * them (a fast processor; hedged requests), so the shrunk schedule keeps the one fault it needs.
 */
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { parseOverride } from "../../src/config/overrides.js";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { checkScenario, compareSchedules } from "../../src/run/check.js";
import { replayRepro } from "../../src/run/replay.js";
import { reproOf } from "../../src/run/repro.js";

const CASES = [
  {
    file: "scenarios/double-refund.yaml",
    // A processor far faster than the agent's timeout: only a processor-slowdown can make the agent retry.
    overrides: ["params.processor.latency={ constant: 2s }", "params.agent.timeout=10s"],
    mitigate: [],
    needsFault: "processor-slowdown",
  },
  {
    file: "scenarios/latency-tail.yaml",
    // Hedged requests hold the p99 on their own; a tool-slowdown defeats them (the backup is slow too).
    overrides: [],
    mitigate: ["hedged-requests"],
    needsFault: "tool-slowdown",
  },
  {
    file: "scenarios/partial-failure.yaml",
    overrides: [],
    mitigate: [],
    needsFault: undefined,
  },
] as const;

describe.each(CASES)("check on $file", ({ file, overrides, mitigate, needsFault }) => {
  it("shrinks the first failing run to a smaller fault schedule, and the repro replays to the same violation and hash", async () => {
    const loaded = await loadScenarioFile(file, { overrides, mitigate });
    if (!loaded.ok) throw new Error(`${file} did not load: ${loaded.problems.map((p) => p.message).join("; ")}`);
    const { seed: _seed, faults: _faults, ...base } = toRunConfig(loaded.config);
    const fixedParams = overrides.map((o) => (parseOverride(o) as { ok: true; override: { keys: string[] } }).override.keys.slice(1));
    const found = await checkScenario({ base, runs: 60, fixedParams });
    expect(found.found).toBe(true);
    if (!found.found) return;
    expect(found.first.faults.length).toBeGreaterThan(0);
    expect(compareSchedules(found.shrunk.faults, found.first.faults)).toBeLessThan(0);
    if (needsFault) expect(found.shrunk.faults.map((f) => f.kind)).toEqual([needsFault]);

    const repro = reproOf(found, {
      scenario: loaded.config.scenario.name,
      scenarioFile: file,
      overrides: [...overrides],
      mitigations: loaded.config.mitigations,
      swarm: false,
    });
    const replayed = await replayRepro(repro, loaded.config);
    expect(replayed.status).toBe("reproduced");
    expect(replayed.result?.traceHash).toBe(repro.expectedTraceHash);
    expect(replayed.result?.violations[0]?.message).toBe(repro.violation?.message);
  });
});
