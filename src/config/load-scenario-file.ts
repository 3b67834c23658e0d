/**
 * Loads a scenario file: YAML with positions, then the `--set` overrides, then the file's shape
 * (zod), then the parameters (`resolveParams`). Every problem found is returned at once, each
 * pointing at where it was written; nothing is thrown for bad input.
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { resolveParams } from "../scenarios/params.js";
import type { FaultSpec, ScenarioDefinition } from "../scenarios/scenario.js";
import { formatDuration, parseDuration } from "../sim/duration.js";
import { unknownName } from "./did-you-mean.js";
import { keysAt, scenarioFileSchema, type ScenarioFile } from "./file-schema.js";
import { applyOverride, parseOverride, type Override } from "./overrides.js";
import { describeValue, type ConfigProblem } from "./problem.js";
import { ProblemLocator, valueAt, type AppliedOverride } from "./problem-locator.js";
import type { ScenarioConfig } from "./scenario-config.js";
import { isModuleRef, resolveScenarioRef } from "./scenario-ref.js";
import { MAX_FILE_BYTES, parseYaml } from "./yaml-source.js";

/** What the command line adds to a file. */
export interface LoadOptions {
  /** `--set path=value` expressions, applied in order. */
  overrides?: readonly string[];
  /** `--seed N`: replaces the file's seed (after any `--set seed=`). */
  seed?: number;
  /** `--mitigate` names, switched on in addition to the file's. */
  mitigate?: readonly string[];
  /**
   * Whether a module the file names (`scenario: ./x.mjs`) may be imported, which runs its code
   * (default true: a file the user runs may load its own module, as a test file does). When false,
   * the file is checked without the module and the result is `ok: false` with `unrunModule` set.
   */
  importModules?: boolean;
}

/** A loaded file, or every problem that stops it from running. */
export type LoadResult = { ok: true; config: ScenarioConfig } | { ok: false; problems: ConfigProblem[]; unrunModule?: string };

/** Reads and validates a scenario file. */
export async function loadScenarioFile(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const fail = (message: string): LoadResult => ({ ok: false, problems: [{ file, message }] });
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail(`not a file: expected a scenario file such as scenarios/stampede.yaml`);
    if (info.size > MAX_FILE_BYTES) return fail(`file is ${info.size} bytes; scenario files are limited to ${MAX_FILE_BYTES}`);
    return await loadScenarioText(await readFile(file, "utf8"), file, options);
  } catch (e) {
    const reason = fsErrorReason(e);
    if (reason === undefined) throw e;
    return fail((e as { code?: string }).code === "ENOENT" ? "no such file" : `cannot read: ${reason}`);
  }
}

/** Readable reasons for file-system errors; undefined for anything that is not one. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many levels of symbolic links (a symlink loop?)",
  ENOTDIR: "a part of the path is not a directory",
  ENAMETOOLONG: "the file name is too long",
  EISDIR: "is a directory",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "input/output error",
  ENXIO: "no such device",
  EBUSY: "the file is busy",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
  EEXIST: "already exists",
  EINVAL: "invalid argument",
};

/** `ELOOP: too many levels of symbolic links`, for any error with a file-system code; else undefined. */
export function fsErrorReason(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return undefined;
  return `${FS_REASONS[code] ?? ((e as Error).message ?? code).replace(/^E[A-Z]+: /, "").split(",")[0]} (${code})`;
}

/** Validates scenario text as if read from `file` (module paths resolve relative to its folder). */
export async function loadScenarioText(text: string, file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const parsed = parseYaml(text.replace(/^\uFEFF/, ""));
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => ({ file, pos: p.pos, message: p.message })) };
  const top = parsed.source.value;
  if (top === null || typeof top !== "object" || Array.isArray(top)) {
    const what = top === null || top === undefined ? "the file is empty" : `the file holds ${describeValue(top)}`;
    return { ok: false, problems: [{ file, pos: parsed.source.locate([]), message: `${what}; expected a mapping such as "scenario: double-refund"` }] };
  }
  const applied: AppliedOverride[] = [];
  const locator = new ProblemLocator(file, parsed.source, applied);
  const doc = structuredClone(top) as Record<string, unknown>;
  const skipped: { module?: string; resolved?: string } = {};
  const def = await applyCommandLine(doc, options, applied, locator, skipped);
  const checked = scenarioFileSchema(def).safeParse(doc);
  const issues = checked.success ? [] : checked.error.issues;
  for (const issue of issues) reportIssue(locator, doc, def, issue);
  if (def) {
    // Parameter values are judged whenever the params mapping itself is well formed.
    if (!issues.some((i) => i.path[0] === "params")) checkParams(def, (doc.params ?? {}) as Record<string, unknown>, locator);
    checkMitigate(def, options.mitigate ?? [], locator);
  }
  const config = def && checked.success && !locator.problems.length ? buildConfig(file, checked.data, def, options, locator) : undefined;
  if (config) return { ok: true, config: skipped.resolved ? { ...config, modulePath: skipped.resolved } : config };
  return { ok: false, problems: locator.sorted(), ...(skipped.module !== undefined ? { unrunModule: skipped.module } : {}) };
}

/**
 * Applies `--set` and `--seed` to the document, recording what each set, and resolves the
 * scenario it names. `scenario=` goes first: the other paths are checked against that scenario.
 */
async function applyCommandLine(
  doc: Record<string, unknown>,
  options: LoadOptions,
  applied: AppliedOverride[],
  locator: ProblemLocator,
  skipped: { module?: string; resolved?: string },
): Promise<ScenarioDefinition | undefined> {
  const overrides: Override[] = [];
  for (const expr of options.overrides ?? []) {
    const r = parseOverride(expr);
    if (r.ok) overrides.push(r.override);
    else locator.option(`--set ${expr}`, r.message);
  }
  const isScenario = (o: Override): boolean => o.keys.join(".") === "scenario";
  for (const o of overrides.filter(isScenario)) {
    doc.scenario = o.value;
    applied.push({ path: ["scenario"], source: `--set ${o.expr}` });
  }
  const def = await scenarioFor(doc.scenario, locator, options.importModules ?? true, skipped);
  for (const o of overrides.filter((o) => !isScenario(o))) {
    const r = applyOverride(doc, o, def);
    if (r.ok) applied.push({ path: r.path, source: `--set ${o.expr}` });
    else locator.option(`--set ${o.expr}`, r.message);
  }
  if (options.seed !== undefined) {
    doc.seed = options.seed;
    applied.push({ path: ["seed"], source: `--seed ${options.seed}` });
  }
  return def;
}

async function scenarioFor(
  ref: unknown,
  locator: ProblemLocator,
  importModules: boolean,
  skipped: { module?: string; resolved?: string },
): Promise<ScenarioDefinition | undefined> {
  if (typeof ref !== "string" || ref === "") return undefined; // the schema reports it
  if (isModuleRef(ref)) {
    skipped.resolved = resolve(dirname(locator.file), ref);
    if (!importModules) {
      try {
        if (!(await stat(skipped.resolved)).isFile()) locator.at(["scenario"], `scenario module ${ref} is not a file`);
      } catch (e) {
        locator.at(["scenario"], `cannot load scenario module ${ref}: ${fsErrorReason(e) ?? String(e)}`);
      }
      skipped.module = ref;
      return undefined;
    }
  }
  const r = await resolveScenarioRef(ref, dirname(locator.file));
  if (r.ok) return r.scenario;
  locator.at(["scenario"], r.message);
  return undefined;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** One zod issue as located problems (an unknown-keys issue becomes one problem per key). */
function reportIssue(locator: ProblemLocator, doc: Record<string, unknown>, def: ScenarioDefinition | undefined, issue: Issue): void {
  const path = issue.path.map((k) => (typeof k === "number" ? k : String(k)));
  if (issue.code === "unrecognized_keys") {
    const valid = keysAt(path, def) ?? [];
    const where = path.length ? `in ${path.join(".")}` : undefined;
    for (const key of issue.keys ?? []) locator.at([...path, key], unknownName("key", key, valid, where), { key: true });
    return;
  }
  const value = valueAt(doc, path);
  if (value === undefined && issue.code === "invalid_type") {
    locator.at(path.slice(0, -1), `missing key "${String(path.at(-1))}": ${issue.message}`);
    return;
  }
  const message = issue.code === "custom" ? issue.message : `${issue.message}, got ${describeValue(value)}`;
  locator.at(path, message);
}

function checkParams(def: ScenarioDefinition, params: Record<string, unknown>, locator: ProblemLocator): void {
  const resolved = resolveParams(def.params, params);
  if (!resolved.ok) for (const p of resolved.problems) locator.at(["params", ...p.path], p.message);
}

function checkMitigate(def: ScenarioDefinition, mitigate: readonly string[], locator: ProblemLocator): void {
  const known = def.mitigations.map((m) => m.name);
  for (const m of mitigate) if (!known.includes(m)) locator.option(`--mitigate ${m}`, unknownName("mitigation", m, known, `for ${def.name}`));
}

/** The config of a file whose every part is valid; undefined (with the problems recorded) when a fault falls outside the horizon. */
function buildConfig(file: string, data: ScenarioFile, def: ScenarioDefinition, options: LoadOptions, locator: ProblemLocator): ScenarioConfig | undefined {
  const mitigate = [...(options.mitigate ?? [])];
  const horizon = data.horizon ?? def.defaults.horizon;
  const horizonMs = parseDuration(horizon);
  const faults = data.faults?.map((f, i) => faultSpec(f, i, horizonMs, locator)) ?? [];
  if (locator.problems.length) return undefined;
  return {
    file,
    scenario: def,
    ...(data.description !== undefined ? { description: data.description } : {}),
    seed: data.seed ?? def.defaults.seed,
    horizon,
    horizonMs,
    ...(data.maxEvents !== undefined ? { maxEvents: data.maxEvents } : {}),
    ...(data.startAt !== undefined ? { epochMs: Date.parse(data.startAt) } : {}),
    params: data.params ?? {},
    faults,
    mitigations: [...new Set([...(data.mitigations ?? []), ...mitigate])],
    ...(data.invariants ? { invariants: [...new Set(data.invariants)] } : {}),
    overrides: [...(options.overrides ?? [])],
    mitigate,
  };
}

function faultSpec(f: NonNullable<ScenarioFile["faults"]>[number], i: number, horizonMs: number, locator: ProblemLocator): FaultSpec {
  const at = parseDuration(f.at);
  if (at > horizonMs)
    locator.at(
      ["faults", i, "at"],
      `the fault starts at ${formatDuration(at)}, after the horizon (${formatDuration(horizonMs)}), so it would never happen; expected a time within the horizon`,
    );
  return {
    kind: f.kind,
    at,
    for: f.for === undefined ? 0 : parseDuration(f.for),
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.probability !== undefined ? { probability: f.probability } : {}),
  };
}
