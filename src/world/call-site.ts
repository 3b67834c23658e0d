/**
 * Where user code called from: the frame a refusal, a leak or a leftover timer is reported at.
 *
 * A stack captured inside agentsim's interception runs through agentsim's own files, Node's
 * internals and the libraries between the user and the wire (axios, got, undici). The user's call
 * site is the first frame outside all three; when a library broke the async chain (a callback or a
 * `.then` chain V8 cannot follow), the first frame outside agentsim and Node stands in for it.
 * agentsim's frames are those under this package's `src/` or `dist/` folder, wherever it is
 * installed, so a report never names `dist/world/leak-detector.js`.
 */
import { fileURLToPath } from "node:url";

/** This package's root folder (two up from this file, in `src/world/` or `dist/world/`). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const OWN = [`${ROOT}src/`, `${ROOT}dist/`, `${ROOT}src\\`, `${ROOT}dist\\`];

/** A stack captured now, deep enough to reach past the libraries between the user and the wire. */
export function captureStack(depth = 60): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = depth;
  const e = new Error("call site");
  Error.stackTraceLimit = limit;
  return e;
}

/** The user's frame in `stack` (see the file's contract), as `function (file:line:col)`, or `""`. */
export function userFrame(stack: Error | string | undefined): string {
  const text = typeof stack === "string" ? stack : (stack?.stack ?? "");
  const frames = text
    .split("\n")
    .slice(1)
    .map((l) => l.trim().replace(/^at /, ""))
    .filter((l) => l !== "" && !isOwnOrNode(l));
  const user = frames.find((l) => !l.includes("node_modules"));
  return user ?? frames[0] ?? "";
}

/** `, from FRAME` for a message, or `""` when no frame is outside agentsim and Node. */
export function fromUser(stack: Error | string | undefined): string {
  const frame = userFrame(stack);
  return frame === "" ? "" : `, from ${frame}`;
}

function isOwnOrNode(frame: string): boolean {
  if (frame.includes("(node:") || frame.startsWith("node:") || frame.includes("<anonymous>") || frame === "new Promise (<anonymous>)") return true;
  const file = frame
    .replace(/^.*\(/, "")
    .replace(/^async /, "")
    .replace(/^file:\/\//, "");
  return OWN.some((own) => file.startsWith(own) || frame.includes(own) || frame.includes(`file://${own}`));
}
