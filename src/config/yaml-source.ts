/**
 * A scenario file's YAML, read as plain data with positions kept.
 *
 * YAML here never executes anything: the core schema only (no custom, language or YAML 1.1 tags; an
 * unresolved tag is an error, not a string), no merge keys, duplicate keys refused, and aliases
 * capped (`MAX_ALIAS_COUNT`) so that an alias bomb is refused instead of expanded. Every value
 * can be traced back to its line and column through `locate(path)`.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";
import { parseDuration } from "../sim/duration.js";
import type { Position } from "./problem.js";

/** How many alias expansions a file may make before it is refused as a resource-exhaustion attack. */
export const MAX_ALIAS_COUNT = 100;

/** The largest scenario file read (bytes); scenario files are a page or two. */
export const MAX_FILE_BYTES = 1_000_000;

/** A problem found while reading YAML, at a position. */
export interface YamlProblem {
  pos: Position;
  message: string;
}

/** Safe parsing options shared by files and `--set` values. */
// Duplicate keys are found by `unsafeValues` (the yaml library's own check is quadratic in a mapping's keys).
const SAFE: ParseOptions & DocumentOptions & SchemaOptions = {
  schema: "core",
  merge: false,
  uniqueKeys: false,
  prettyErrors: false,
  customTags: [],
  resolveKnownTags: false,
};

/**
 * Keys refused everywhere (files, `--set`, repro and sweep files): as a key of plain data they can
 * reach `Object.prototype` when the data is later merged.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The message for a forbidden key. */
export function forbiddenKeyMessage(key: string): string {
  return `the key "${key}" is not allowed (it could change every object's prototype); rename it`;
}

/** Parsed YAML: its plain value and where each part of it was written. */
export class YamlSource {
  readonly #doc: Document.Parsed;
  readonly #lines: LineCounter;
  /** Each mapping's pairs by key, built on first lookup (so that locating is linear overall). */
  readonly #pairs = new WeakMap<object, Map<string, unknown>>();
  /** The document as plain data (mappings as objects, sequences as arrays). */
  readonly value: unknown;

  /** @internal use `parseYaml` */
  constructor(doc: Document.Parsed, lines: LineCounter, value: unknown) {
    this.#doc = doc;
    this.#lines = lines;
    this.value = value;
  }

  /**
   * Where the value at `path` was written; with `key: true`, where its key was. A path that goes
   * past what the file wrote points at the deepest part that exists (a missing key's mapping).
   */
  locate(path: readonly (string | number)[], options: { key?: boolean } = {}): Position {
    let node: unknown = this.#doc.contents;
    let at = this.#start(node) ?? { line: 1, col: 1 };
    for (const [i, seg] of path.entries()) {
      node = this.#deref(node);
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = this.#pairOf(node, String(seg)) as { key: unknown; value: unknown } | undefined;
        if (!pair) return at;
        if (last && options.key) return this.#start(pair.key) ?? at;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
      } else {
        return at;
      }
      at = this.#start(this.#deref(node)) ?? at;
    }
    return at;
  }

  #pairOf(map: { items: unknown[] }, key: string): unknown {
    let byKey = this.#pairs.get(map);
    if (!byKey) {
      byKey = new Map();
      for (const p of map.items) if (isPair(p) && isScalar(p.key) && !byKey.has(String(p.key.value))) byKey.set(String(p.key.value), p);
      this.#pairs.set(map, byKey);
    }
    return byKey.get(key);
  }

  #deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  #start(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.#lines.linePos(range[0]) : undefined;
  }
}

/** Parses YAML text into plain data with positions, or the problems that stop it. */
export function parseYaml(text: string): { ok: true; source: YamlSource } | { ok: false; problems: YamlProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { ...SAFE, lineCounter: lines });
  const problems: YamlProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    pos: e.linePos?.[0] ?? lines.linePos(e.pos[0]),
    message: yamlMessage(e.code, e.message, text.slice(e.pos[0], e.pos[1])),
  }));
  if (!problems.length) problems.push(...unsafeValues(doc, lines));
  if (problems.length) return { ok: false, problems: sortByPosition(problems) };
  try {
    return { ok: true, source: new YamlSource(doc, lines, doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })) };
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return {
      ok: false,
      problems: [
        { pos: firstAlias(doc, lines), message: `aliases expand beyond ${MAX_ALIAS_COUNT} copies: refused (an alias bomb?); write the values out instead` },
      ],
    };
  }
}

/**
 * Parses a `--set` value as YAML (a scalar such as `9s`, `42`, `true`, or a flow collection such as
 * `[a, b]` or `{ lognormal: { p50: 1s, p99: 5s } }`), with the same safety rules as files.
 */
export function parseYamlValue(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { ok: false, message: (parsed.problems[0] as YamlProblem).message };
  return { ok: true, value: parsed.source.value };
}

function yamlMessage(code: string, message: string, excerpt: string): string {
  switch (code) {
    case "DUPLICATE_KEY":
      return `duplicate key: each key may appear only once in a mapping`;
    case "TAG_RESOLVE_FAILED":
      return `tag ${excerpt.trim() || "here"} is not allowed: scenario files are plain data (no custom or language tags)`;
    case "MULTIPLE_DOCS":
      return `a scenario file holds one YAML document; remove the extra "---"`;
    default:
      return `invalid YAML: ${message.split("\n")[0]}`;
  }
}

const DURATION_LIKE = /^\s*(\d*\.?\d+\s*(us|ms|s|m|h|d|w)\s*)+$/;

function finiteDuration(text: string): boolean {
  try {
    return Number.isFinite(parseDuration(text));
  } catch {
    return true; // not a duration after all: the schema judges it
  }
}

/**
 * Duplicate keys, forbidden keys and numbers that are not finite (`.inf`, a 400-digit integer),
 * each at its position; one pass, linear in the file.
 */
function unsafeValues(doc: Document.Parsed, lines: LineCounter): YamlProblem[] {
  const found: YamlProblem[] = [];
  const at = (node: Node | null | undefined): Position => (node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 });
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = pair.key;
        if (!isScalar(k)) continue;
        if (seen.has(k.value)) found.push({ pos: at(k), message: yamlMessage("DUPLICATE_KEY", "", "") });
        seen.add(k.value);
        if (FORBIDDEN_KEYS.has(String(k.value))) found.push({ pos: at(k), message: forbiddenKeyMessage(String(k.value)) });
      }
    },
    Scalar(_key, node) {
      if (typeof node.value === "number" && !Number.isFinite(node.value)) {
        found.push({
          pos: at(node),
          message: `${String(node.source ?? node.value).slice(0, 40)} is not a finite number; expected a number JavaScript can hold exactly enough (at most about 1.8e308)`,
        });
      } else if (typeof node.value === "string" && DURATION_LIKE.test(node.value) && !finiteDuration(node.value)) {
        found.push({ pos: at(node), message: `the duration "${node.value.slice(0, 20)}…" is too large to be finite; expected a duration such as 30s or 2h` });
      }
    },
  });
  return found;
}

function firstAlias(doc: Document.Parsed, lines: LineCounter): Position {
  let pos: Position = { line: 1, col: 1 };
  let found = false;
  visit(doc, {
    Alias(_key, node) {
      if (!found && node.range) {
        pos = lines.linePos(node.range[0]);
        found = true;
      }
      return found ? visit.BREAK : undefined;
    },
  });
  return pos;
}

function sortByPosition(ps: YamlProblem[]): YamlProblem[] {
  return ps.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
}
