/**
 * Points a problem found at a path of the (overridden) file tree at where the user wrote the bad
 * value: the `--set` that set it, or the line and column in the file.
 */
import type { ConfigProblem } from "./problem.js";
import type { YamlSource } from "./yaml-source.js";

/** A value set from the command line, with the option as the user wrote it. */
export interface AppliedOverride {
  path: (string | number)[];
  /** `--set params.workers=20`, `--seed 7`. */
  source: string;
}

/** Builds located problems for one file. */
export class ProblemLocator {
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    readonly yaml: YamlSource,
    readonly overrides: readonly AppliedOverride[],
  ) {}

  /** Records a problem with the value (or, with `key`, the key) at `path`. */
  at(path: readonly (string | number)[], message: string, options: { key?: boolean } = {}): void {
    const set = this.#overrideFor(path);
    if (set) this.problems.push({ file: this.file, source: set.source, message });
    else this.problems.push({ file: this.file, pos: this.yaml.locate(path, options), message });
  }

  /** Records a problem with a command-line option. */
  option(source: string, message: string): void {
    this.problems.push({ file: this.file, source, message });
  }

  /** The problems, file ones first in file order, then the command line's. */
  sorted(): ConfigProblem[] {
    return [...this.problems].sort((a, b) => {
      if (a.pos && b.pos) return a.pos.line - b.pos.line || a.pos.col - b.pos.col;
      return a.pos ? -1 : b.pos ? 1 : 0;
    });
  }

  /**
   * The override responsible for the value at `path`: the last one that set it or a mapping
   * holding it; failing that, when the file never wrote the value, the last one that set a
   * sibling of it (a distribution's p50 making its p99 invalid).
   */
  #overrideFor(path: readonly (string | number)[]): AppliedOverride | undefined {
    const covering = this.overrides.filter((o) => isPrefix(o.path, path));
    if (covering.length) return covering.at(-1);
    if (valueAt(this.yaml.value, path) !== undefined) return undefined;
    return this.overrides.filter((o) => commonPrefix(o.path, path) >= Math.max(2, path.length - 1)).at(-1);
  }
}

function isPrefix(prefix: readonly (string | number)[], path: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));
}

function commonPrefix(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  let n = 0;
  while (n < a.length && n < b.length && String(a[n]) === String(b[n])) n++;
  return n;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let cur = value;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
