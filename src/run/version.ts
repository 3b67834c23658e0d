/**
 * agentsim's own version (from its package.json), recorded in sweep reports and repros and printed
 * by `--version`. The package.json is found by walking up from this module, so the answer is the
 * same from the sources (src/run/), the bundled command line (dist/cli.mjs) and the library's
 * chunks (dist/*.mjs, dist/*.cjs).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's name on the registry. */
const PACKAGE_NAME = "agentsim-kit";

let version: string | undefined;

/** The package version, e.g. `0.1.0` (`unknown` when its package.json cannot be found). */
export function agentsimVersion(): string {
  version ??= findVersion();
  return version;
}

function findVersion(): string {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    return "unknown";
  }
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here, or not ours: look further up
    }
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}
