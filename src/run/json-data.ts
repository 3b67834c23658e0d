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
    const { line, col } = lineCol(text, keyOffset(text, bad));
    return { ok: false, message: forbiddenKeyMessage(bad), line, col };
  }
  return { ok: true, value };
}

/** Where the key `name` is first written (escapes decoded), by scanning the string tokens once. */
function keyOffset(text: string, name: string): number {
  const token = /"(?:[^"\\]|\\.)*"\s*:/g;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    try {
      if (JSON.parse(m[0].slice(0, m[0].lastIndexOf(":")).trim()) === name) return m.index;
    } catch {
      // not a whole string token: go on
    }
  }
  return 0;
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
