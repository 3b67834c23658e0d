/** agentsim's own version (from its package.json), recorded in sweep reports and repros. */
import { readFileSync } from "node:fs";

let version: string | undefined;

/** The package version, e.g. `0.1.0` (`unknown` when package.json cannot be read). */
export function agentsimVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      version = "unknown";
    }
  }
  return version;
}
