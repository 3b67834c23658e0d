/**
 * `--set path=value`: every number a scenario file holds (and every parameter it could hold) is
 * reachable, the override takes effect, and a path that names nothing is an error.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, loadScenarioText, type LoadResult } from "../../src/config/load-scenario-file.js";
import { formatProblem } from "../../src/config/problem.js";
import type { ScenarioConfig } from "../../src/config/scenario-config.js";
import { paramDefaults, resolveParams } from "../../src/scenarios/params.js";
import { parseDuration } from "../../src/sim/duration.js";
import type { Distribution } from "../../src/sim/distributions.js";
import fixture from "../fixtures/fixture-scenario.js";
import { cli } from "../cli/capture.js";

const FILE = "test/fixtures/refund.yaml";
const AT = "test/fixtures/inline.yaml";

type Path = (string | number)[];

function config(r: LoadResult): ScenarioConfig {
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
  return r.config;
}

/** Every leaf holding a number (or text with digits: durations, instants) with its path. */
function numericLeaves(value: unknown, path: Path = []): { path: Path; value: number | string }[] {
  if (typeof value === "number") return [{ path, value }];
  if (typeof value === "string") return /\d/.test(value) ? [{ path, value }] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => numericLeaves(v, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => numericLeaves(v, [...path, k]));
  return [];
}

/** A different valid value: a number nudged, a duration 1 ms longer, an instant a day later. */
function nudge(v: number | string): string {
  if (typeof v === "number") return String(v > 0 && v < 1 ? v / 2 : Number.isInteger(v) ? v + 1 : v + 1.5);
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return new Date(Date.parse(v) + 86_400_000).toISOString();
  try {
    return `${parseDuration(v) + 1}ms`;
  } catch {
    return `${v} (changed)`;
  }
}

/** What a loaded config says about a file path, in the units it resolves to. */
function effective(c: ScenarioConfig, path: Path): unknown {
  const [top, ...rest] = path;
  const tree: Record<string, unknown> = {
    seed: c.seed,
    horizon: c.horizonMs,
    maxEvents: c.maxEvents,
    startAt: c.epochMs,
    description: c.description,
    params: c.params,
    faults: c.faults,
  };
  return rest.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], tree[String(top)]);
}

/** The value a file path should resolve to after `--set path=text`. */
function expected(path: Path, text: string): unknown {
  if (path[0] === "horizon" || (path[0] === "faults" && (path[2] === "at" || path[2] === "for"))) return parseDuration(text);
  if (path[0] === "startAt") return Date.parse(text);
  return parse(text);
}

describe("--set reaches every number in a file", () => {
  const leaves = numericLeaves(parse(readFileSync(FILE, "utf8")));

  it("finds the numbers of the file, inside params, distributions and faults", () => {
    const paths = leaves.map((l) => l.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining([
        "seed",
        "horizon",
        "maxEvents",
        "params.clients",
        "params.tool.latency.lognormal.p50",
        "params.tool.latency.lognormal.p99",
        "faults.0.at",
        "faults.0.for",
        "faults.0.probability",
      ]),
    );
  });

  for (const leaf of leaves) {
    const path = leaf.path.join(".");
    it(`${path}=${nudge(leaf.value)}`, async () => {
      const text = nudge(leaf.value);
      const before = config(await loadScenarioFile(FILE));
      const after = config(await loadScenarioFile(FILE, { overrides: [`${path}=${text}`] }));
      expect(effective(after, leaf.path)).toEqual(expected(leaf.path, text));
      expect(effective(after, leaf.path)).not.toEqual(effective(before, leaf.path));
      expect(after.overrides).toEqual([`${path}=${text}`]);
    });
  }
});

describe("--set reaches every number of the parameter tree, written or not", () => {
  const leaves = numericLeaves(paramDefaults(fixture.params));

  it("covers parameters the file does not write, and the defaults inside distributions", () => {
    expect(leaves.map((l) => l.path.join("."))).toEqual(expect.arrayContaining(["requestsPerClient", "retry.backoff", "tool.latency.lognormal.p50", "launch"]));
  });

  for (const leaf of leaves) {
    const path = `params.${leaf.path.join(".")}`;
    it(`${path}=${nudge(leaf.value)}`, async () => {
      const text = nudge(leaf.value);
      const c = config(await loadScenarioText("scenario: ./fixture-scenario.ts\n", AT, { overrides: [`${path}=${text}`] }));
      expect(effective(c, ["params", ...leaf.path])).toEqual(parse(text));
      expect(comparable(resolved(c.params))).not.toEqual(comparable(resolved({})));
    });
  }
});

function resolved(written: Record<string, unknown>): unknown {
  const r = resolveParams(fixture.params, written);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.values;
}

/** Resolved values with distributions replaced by their quantiles, for comparison. */
function comparable(v: unknown): unknown {
  if (v && typeof v === "object" && "quantile" in v) {
    const d = v as Distribution;
    return [d.quantile(0.5), d.quantile(0.99)];
  }
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, comparable(x)]));
  return v;
}

describe("--set values", () => {
  it("takes YAML: a whole distribution, a list of mitigations", async () => {
    const c = config(await loadScenarioFile(FILE, { overrides: ["params.tool.latency={ uniform: { min: 1s, max: 2s } }", "mitigations=[idempotency-keys]"] }));
    expect(c.params.tool).toEqual({ latency: { uniform: { min: "1s", max: "2s" } }, timeout: "1s" });
    expect(c.mitigations).toEqual(["idempotency-keys"]);
  });

  it("applies in order, the last one winning", async () => {
    const c = config(await loadScenarioFile(FILE, { overrides: ["seed=1", "seed=2"] }));
    expect(c.seed).toBe(2);
  });

  it("judges an overridden value like a written one, blaming the --set", async () => {
    const r = await cli(["run", FILE, "--set", "params.clients=0", "--set", "faults.0.probability=2", "--set", "horizon=-1h"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split("\n").sort()).toEqual([
      `${FILE}: --set faults.0.probability=2: expected a probability between 0 and 1, got 2`,
      `${FILE}: --set horizon=-1h: duration must not be negative, got "-1h"`,
      `${FILE}: --set params.clients=0: 0 is below the minimum 1`,
    ]);
  });

  it("points at the sibling an override made invalid, or at the --set when the file never wrote it", async () => {
    const r = await cli(["validate", "--allow-module", "--set", "params.tool.latency.lognormal.p50=9s", FILE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${FILE}:12:37: lognormal p99 must be above p50\n`);
    const fromDefaults = await loadScenarioText("scenario: ./fixture-scenario.ts\n", AT, { overrides: ["params.tool.latency.lognormal.p50=9s"] });
    expect(fromDefaults.ok ? [] : fromDefaults.problems.map(formatProblem)).toEqual([
      `${AT}: --set params.tool.latency.lognormal.p50=9s: lognormal p99 must be above p50`,
    ]);
  });

  it("refuses tags in values too", async () => {
    const r = await cli(["run", FILE, "--set", "seed=!!js/function x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--set seed=!!js/function x: the value is not valid: tag !!js/function is not allowed");
  });
});

describe("--set paths that name nothing are errors", () => {
  const cases: [string, string][] = [
    [
      "horizn=1h",
      'no key "horizn" at the top level; did you mean "horizon"? valid keys there: scenario, description, seed, horizon, maxEvents, startAt, params, faults, mitigations, invariants',
    ],
    [
      "params.clents=3",
      'no key "clents" under params; did you mean "clients"? valid keys there: clients, requestsPerClient, tool, retry, priceUsd, verbose, region, launch, crash',
    ],
    ["params.tool.latency.lognormal.p75=1s", 'no key "p75" under params.tool.latency.lognormal; valid keys there: p50, p99'],
    ["faults.1.at=1s", 'faults is a list of 1; expected an index from 0 to 0, got "1"'],
    ["faults.0.duration=1s", 'no key "duration" under faults.0; valid keys there: kind, at, for, target, probability'],
    ["seed.low=1", "seed is a single value (7), with no keys inside; set seed=<value> instead"],
    ["params.clients.max=3", "params.clients is a single value (4), with no keys inside"],
    ["mitigations.0=idempotency-keys", "mitigations is not set in the file, so it has nothing inside to set; set mitigations as a whole"],
    ["workers", "expected path=value, such as seed=7 or params.workers=2000"],
    ["=3", "expected path=value"],
    ["params..clients=3", '"params..clients" is not a path'],
  ];
  for (const [expr, message] of cases) {
    it(expr, async () => {
      const r = await cli(["run", FILE, "--set", expr]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`${FILE}: --set ${expr}: ${message}`);
    });
  }
});
