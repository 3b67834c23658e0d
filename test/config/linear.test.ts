/**
 * Validation is linear in the size of the file: 30,000 keys in one mapping took 46 s before (the
 * YAML library's duplicate-key check and the key lookup for each problem's position were both
 * quadratic). Three times the keys must take well under nine times as long.
 */
import { describe, expect, it } from "vitest";
import { loadScenarioText } from "../../src/config/load-scenario-file.js";

function wideFile(keys: number): string {
  let text = "scenario: double-refund\nparams:\n";
  for (let i = 0; i < keys; i++) text += `  key_number_${i}: ${i}\n`;
  return text;
}

async function timed(keys: number): Promise<{ ms: number; problems: number }> {
  const text = wideFile(keys);
  const t0 = performance.now();
  const r = await loadScenarioText(text, "wide.yaml");
  return { ms: performance.now() - t0, problems: r.ok ? 0 : r.problems.length };
}

describe("validation time", () => {
  it("grows linearly with the keys of one mapping (30,000 unknown keys, each reported at its line)", async () => {
    await timed(2_000); // warm up
    const small = await timed(10_000);
    const large = await timed(30_000);
    expect(small.problems).toBe(10_000);
    expect(large.problems).toBe(30_000);
    expect(large.ms / small.ms).toBeLessThan(6);
  }, 60_000);
});
