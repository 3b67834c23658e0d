/**
 * JSON read as plain data from files people pass around (repro files, sweep reports and streams):
 * `__proto__`, `constructor` and `prototype` are refused as keys, with their position, so that
 * nothing read can reach `Object.prototype` when it is later merged into other objects. Syntax
 * errors carry a position too.
 */
import { FORBIDDEN_KEYS, forbiddenKeyMessage } from "../config/yaml-source.js";

/** Parsed data, or what is wrong and where (line and column from 1). */
export type JsonData = { ok: true; value: unknown } | { ok: false; message: string; line: number; col: number };

/** Parses JSON text, refusing forbidden keys. */
export function parseJsonData(text: string): JsonData {
  let value: unknown;
  let bad: string | undefined;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (bad === undefined && FORBIDDEN_KEYS.has(key)) bad = key;
      return v;
    });
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const { line, col } = lineCol(text, at ? Number(at[1]) : 0);
    return { ok: false, message: `not JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`, line, col };
  }
  if (bad !== undefined) {
    const first = firstForbiddenKey(text) ?? { name: bad, offset: 0 };
    const { line, col } = lineCol(text, first.offset);
    return { ok: false, message: forbiddenKeyMessage(first.name), line, col };
  }
  return { ok: true, value };
}

/** The first forbidden key in the text (escapes decoded) and where it is, by scanning the string tokens once. */
function firstForbiddenKey(text: string): { name: string; offset: number } | undefined {
  const token = /"(?:[^"\\]|\\.)*"\s*:/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    try {
      const name = JSON.parse(m[0].slice(0, m[0].lastIndexOf(":")).trim()) as string;
      if (FORBIDDEN_KEYS.has(name)) return { name, offset: m.index };
    } catch {
      // not a whole string token: go on
    }
  }
  return undefined;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}
