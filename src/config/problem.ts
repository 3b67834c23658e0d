/**
 * A problem with a scenario file or a command-line override, reported to users as one line:
 * `file:line:col: what is wrong, what was expected` (or `file: --set path=value: ...` when the
 * bad value came from the command line rather than the file).
 */

/** A line and column in a file, both counted from 1. */
export interface Position {
  line: number;
  col: number;
}

/** One problem, pointing at where it is. */
export interface ConfigProblem {
  /** The file as the user named it. */
  file: string;
  /** Where in the file, when the problem is in the file. */
  pos?: Position;
  /** The command-line option the bad value came from (`--set params.workers=x`, `--mitigate`). */
  source?: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** The one-line form users read: `file:line:col: message`. */
export function formatProblem(p: ConfigProblem): string {
  if (p.source !== undefined) return `${p.file}: ${p.source}: ${p.message}`;
  if (p.pos) return `${p.file}:${p.pos.line}:${p.pos.col}: ${p.message}`;
  return `${p.file}: ${p.message}`;
}

/** Describes a value as a message shows it: `"abc"`, `42`, `a list`, `a mapping`, `nothing`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}
