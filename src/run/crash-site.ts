/**
 * Where a scenario's own code threw: the phase (build, run, check, metrics), the process (actor)
 * when it was one, and the first stack frame in the user's code, as `file:line:col`. agentsim's
 * own frames (its kernel, runner, loaders), Node's and node_modules' are skipped; a catalog
 * scenario's module counts as the user's code.
 */
import { fileURLToPath } from "node:url";
import { PHASE_TEXT, RunPhaseError } from "./run-phase.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The first frame of `error`'s stack in the user's code, as `file:line:col` (relative to the working directory when under it). */
export function userFrame(error: unknown): string | undefined {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return undefined;
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    let file = m[1] as string;
    if (file.startsWith("file://")) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (file.startsWith("node:") || file.includes("/node_modules/") || !file.startsWith("/")) continue;
    if (file.startsWith(ROOT) && /^(src|dist)\//.test(file.slice(ROOT.length)) && !/^(src|dist)\/scenarios\//.test(file.slice(ROOT.length))) continue;
    const cwd = process.cwd() + "/"; // nondeterminism-ok: only shortens a path in a message
    return `${file.startsWith(cwd) ? file.slice(cwd.length) : file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** One line naming what threw, in which phase, and where: `the scenario threw while being built: TypeError: x (at my-scenario.mjs:12:5)`. */
export function describeThrow(e: unknown): string {
  const cause = e instanceof RunPhaseError ? e.cause : e;
  const head = e instanceof RunPhaseError ? e.message : `${PHASE_TEXT.build}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
  const where = userFrame(cause);
  return `${head.split("\n")[0]}${where ? ` (at ${where})` : ""}`;
}

/** A process that threw during the run: `process "worker-3" threw Error: x (at my-scenario.mjs:40:11), during the run`. */
export function describeProcessCrash(crash: { process: string; error: unknown }): string {
  const e = crash.error;
  const text = e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}` : String(e);
  const where = userFrame(e);
  return `${PHASE_TEXT.run}: process (actor) "${crash.process}" threw ${text}${where ? ` (at ${where})` : ""}`;
}
