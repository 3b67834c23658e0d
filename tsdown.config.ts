/**
 * The package build (`npm run build`): the library's entry points (src/index.ts and
 * src/entry/*.ts) as both ES modules (`.mjs`) and CommonJS (`.cjs`) with type declarations for
 * each (`.d.mts`, `.d.cts`); the command line (src/cli.ts) and the sweep's worker thread as ES
 * modules only, in the same ES build as the library (one copy of each module for the CLI).
 * Four small dependencies are bundled (`onlyBundle`), their licenses in THIRD-PARTY-NOTICES.md:
 * chalk, whose v5 is ES-module-only, so that CommonJS works on every Node.js 20; and yaml,
 * seedrandom and commander, which are CommonJS spread over 72, 8 and 7 files: loading them took a
 * short `agentsim run` ~35 ms of its start-up (resolving, reading and compiling each file), bundled
 * it is one chunk each. The rest (zod, loaded only for a user's scenario module) stays external,
 * for npm to install and dedupe. No source maps: the package does not ship the sources they would
 * point at.
 */
import { defineConfig } from "tsdown";

const library = {
  index: "src/index.ts",
  world: "src/entry/world.ts",
  scenarios: "src/entry/scenarios.ts",
  actors: "src/entry/actors.ts",
  checks: "src/entry/checks.ts",
  kernel: "src/entry/kernel.ts",
};

const shared = {
  platform: "node",
  target: "node20",
  tsconfig: "tsconfig.build.json",
  sourcemap: false,
  fixedExtension: true,
  hash: false,
  deps: { onlyBundle: ["chalk", "yaml", "seedrandom", "commander"] },
} as const;

/** The command line and the sweep's worker thread: ES modules only, sharing the library's ES chunks. */
const programs = { cli: "src/cli.ts", "worker-entry": "src/run/worker-entry.ts" };

export default defineConfig([
  { ...shared, entry: { ...library, ...programs }, format: "esm", dts: true, clean: true },
  { ...shared, entry: library, format: "cjs", dts: true, shims: true, clean: false },
]);
