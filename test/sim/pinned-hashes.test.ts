/**
 * Each catalog scenario's trace hash at its file's default seed, pinned (issue 15): a change to any
 * scenario's behaviour, to an actor, to the kernel's interleaving or to the trace encoding shows
 * up here, and changing a pinned hash is a deliberate, reviewed act.
 *
 * After a reviewed change, regenerate the fixture with
 *   AGENTSIM_UPDATE_HASHES=1 npx vitest run test/sim/pinned-hashes.test.ts
 * and commit test/sim/pinned-hashes.json with the change that explains it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/config/load-scenario-file.js";
import { toRunConfig } from "../../src/config/scenario-config.js";
import { runScenario } from "../../src/run/run-scenario.js";
import { catalog } from "../../src/scenarios/catalog.js";

const FIXTURE = fileURLToPath(new URL("./pinned-hashes.json", import.meta.url));
const UPDATE = process.env.AGENTSIM_UPDATE_HASHES === "1";
const REGENERATE = "AGENTSIM_UPDATE_HASHES=1 npx vitest run test/sim/pinned-hashes.test.ts";

interface Pinned {
  seed: number;
  events: number;
  traceHash: string;
}

function readFixture(): Record<string, Pinned> {
  try {
    return JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, Pinned>;
  } catch {
    return {};
  }
}

describe("pinned trace hashes of the catalog's scenario files at their default seeds", () => {
  const pinned = readFixture();
  const seen: Record<string, Pinned> = {};

  for (const def of catalog) {
    it(`scenarios/${def.name}.yaml`, async () => {
      const loaded = await loadScenarioFile(`scenarios/${def.name}.yaml`);
      if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join("; "));
      const result = await runScenario(toRunConfig(loaded.config));
      const got: Pinned = { seed: loaded.config.seed, events: result.trace.length, traceHash: result.traceHash };
      seen[def.name] = got;
      if (UPDATE) return;
      expect(pinned[def.name], `no pinned hash for ${def.name}: run ${REGENERATE}`).toBeDefined();
      expect(got, `the trace of ${def.name} changed; if the change is intended, run ${REGENERATE}`).toEqual(pinned[def.name]);
    });
  }

  it("pins no scenario the catalog no longer has", () => {
    if (UPDATE) {
      const sorted = Object.fromEntries(
        Object.keys(seen)
          .sort()
          .map((k) => [k, seen[k]]),
      );
      writeFileSync(FIXTURE, `${JSON.stringify(sorted, null, 2)}\n`);
      return;
    }
    expect(Object.keys(pinned).sort(), `run ${REGENERATE}`).toEqual(catalog.map((d) => d.name).sort());
  });
});
