/**
 * The examples import the package by its name (`from "agentsim-kit"`), as users do; Node resolves
 * that to this package's own build (dist/). So the example tests need `npm run build` first: they
 * are skipped, with a note, when dist/ is missing.
 */
import { existsSync } from "node:fs";

/** Whether dist/ has been built. */
export const built = existsSync("dist/index.mjs");

if (!built) console.warn("test/examples: dist/index.mjs is missing; run `npm run build` to run the examples");
