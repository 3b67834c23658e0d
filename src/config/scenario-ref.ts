/**
 * What a file's `scenario:` names: a built-in scenario of the catalog (`double-refund`), or a path
 * to a user's module (`./my-scenario.js`, relative to the file) whose default export is a
 * `ScenarioDefinition`. Modules are loaded with a dynamic import: `.js`, `.mjs` and `.cjs` under
 * plain Node.js (a CommonJS module's `module.exports` is its default export); `.ts` when running
 * under a TypeScript loader such as tsx or vitest. A `.js` module whose syntax does not match its
 * package's `"type"` (ES module syntax in a CommonJS package, what `npm init -y` makes, or the
 * reverse) fails with a message that says what to rename it to.
 */
import { existsSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { catalogNames, loadCatalogScenario } from "../scenarios/catalog-index.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { unknownName } from "./did-you-mean.js";

/** Whether a `scenario:` value is a module path rather than a catalog name. */
export function isModuleRef(ref: string): boolean {
  return /^\.{1,2}[\\/]/.test(ref) || isAbsolute(ref) || /\.(m|c)?[jt]s$/.test(ref);
}

/** Resolves a `scenario:` value; `baseDir` is the folder of the file that names it. */
export async function resolveScenarioRef(ref: string, baseDir: string): Promise<{ ok: true; scenario: ScenarioDefinition } | { ok: false; message: string }> {
  if (!isModuleRef(ref)) {
    const found = await loadCatalogScenario(ref);
    if (found) return { ok: true, scenario: found };
    const names = catalogNames;
    if (!names.length)
      return { ok: false, message: `unknown scenario "${ref}": the catalog has no scenarios yet; expected a path to a module such as ./my-scenario.js` };
    return { ok: false, message: `${unknownName("scenario", ref, names)} (or a path to a module such as ./my-scenario.js)` };
  }
  return importScenario(resolve(baseDir, ref), ref);
}

async function importScenario(path: string, ref: string): Promise<{ ok: true; scenario: ScenarioDefinition } | { ok: false; message: string }> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    return { ok: false, message: `cannot load scenario module ${ref}: ${importFailure(e, path)}` };
  }
  const checked = (await definitionShape()).safeParse(mod.default);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join(".")}: ${issue.message})` : "";
    return { ok: false, message: `scenario module ${ref} must export a scenario as its default export (export default defineScenario({ ... }))${where}` };
  }
  return { ok: true, scenario: mod.default as ScenarioDefinition };
}

function importFailure(e: unknown, path: string): string {
  const code = (e as { code?: string }).code;
  const message = (e as Error)?.message ?? "";
  if (extname(path) === ".js") {
    const pkg = nearestPackageJson(path) ?? "package.json";
    const stem = basename(path, ".js");
    if (e instanceof SyntaxError && /Cannot use import statement outside a module|Unexpected token 'export'/.test(message)) {
      return `it is written as an ES module (import/export), but ${pkg} makes .js files CommonJS (its "type" is not "module"): rename it to ${stem}.mjs and name that in the scenario file, or set "type": "module" in ${pkg}`;
    }
    if (/(require|module|exports) is not defined in ES module scope/.test(message)) {
      return `it is written as CommonJS (require/module.exports), but ${pkg} makes .js files ES modules ("type": "module"): rename it to ${stem}.cjs and name that in the scenario file`;
    }
  }
  if (code === "ERR_MODULE_NOT_FOUND") {
    if (!existsSync(path)) return "no such file";
    const missing = /Cannot find package '([^']+)'/.exec(message)?.[1];
    if (missing !== undefined) return `it imports the package ${missing}, which is not installed where the module is: npm install --save-dev ${missing}`;
  }
  if (code === "ERR_UNKNOWN_FILE_EXTENSION") return "Node.js cannot import this file type; compile it to .js, or run agentsim under tsx for .ts";
  return (e as Error)?.message?.split("\n")[0] ?? String(e);
}

/** The package.json that decides how Node.js reads `path`: the nearest one above it. */
function nearestPackageJson(path: string): string | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** What a module's default export must look like to be run (zod is loaded only for modules, not for catalog names). */
async function definitionShape() {
  const { z } = await import("zod");
  const named = z.object({ name: z.string(), description: z.string() });
  return z.object(
    {
      name: z.string().min(1),
      title: z.string(),
      summary: z.string(),
      params: z.record(z.string(), z.unknown()),
      invariants: z.array(named),
      mitigations: z.array(named),
      faults: z.array(named.extend({ targets: z.array(z.string()).optional() })).optional(),
      defaults: z.object({ seed: z.number(), horizon: z.string(), maxEvents: z.number().optional() }),
      build: z.custom<ScenarioDefinition["build"]>((v) => typeof v === "function", { message: "expected a function" }),
    },
    { error: "expected an object" },
  );
}
