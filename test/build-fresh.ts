/**
 * Vitest's global set-up: tests that run the package as users do (the `agentsim` command, the
 * examples, the README's test, the packed tarball) read dist/, so `npm test` must never run a stale
 * one. Before any test, this rebuilds dist/ (`npm run build`) when it is missing or older than
 * anything it is built from (src/, package.json, tsdown.config.ts, tsconfig*.json); otherwise it
 * costs a few file stats.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const BUILT = "dist/index.mjs";
const INPUTS = ["src", "package.json", "tsdown.config.ts", "tsconfig.json", "tsconfig.build.json"];

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether dist/ is missing or older than its inputs. */
export function distIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  return Math.max(...INPUTS.map(newest)) > statSync(BUILT).mtimeMs;
}

export default function setup(): void {
  if (!distIsStale()) return;
  const started = performance.now();
  const r = spawnSync("npm", ["run", "build"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dist/ is stale and \`npm run build\` failed:\n${r.stdout}\n${r.stderr}`);
  console.log(`test set-up: dist/ was stale; rebuilt it in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
