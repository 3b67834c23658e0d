/**
 * Fuzzing the loader: 320 scenario files mutated from the catalog's, deterministically (a seeded
 * generator; the same files on every run), each validated: exit 0 or 2, never a stack trace, and
 * every problem of an exit 2 at a position (`file:line:col:`). A sample of the valid ones is run
 * too: exit 0, 1 or 2 (3 would be a crash of the catalog itself).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../cli/capture.js";

const FILES = 320;
const dir = mkdtempSync(join(tmpdir(), "agentsim-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** mulberry32: a small seeded generator, so that the corpus is the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD_VALUES = [
  ".inf",
  "-.inf",
  ".nan",
  `${"9".repeat(309)}s`,
  "1e400",
  "2026-02-31T00:00:00Z",
  "2026-13-01T00:00:00Z",
  '"\\e[31mred\\e[0m"',
  "[1, 2",
  "{",
  "!!js/function x",
  "*nope",
  "&a [*a, *a]",
  "-1",
  "0",
  '""',
  "null",
  "~",
  "yes",
  "0x10",
  "99999999999999999999999",
  "x".repeat(500),
  "{ __proto__: { polluted: 1 } }",
  "[]",
  "{}",
  "1h30",
  "-5s",
  "3.5",
];
const WEIRD_KEYS = ["__proto__", "constructor", "prototype", '"ke\\u0000y"', "seed", "params", "'quoted'", "? complex", "<<"];

function mutate(text: string, rnd: () => number): string {
  const lines = text.split("\n");
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const at = Math.floor(rnd() * lines.length);
  const line = lines[at] ?? "";
  switch (Math.floor(rnd() * 9)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, line);
      break;
    case 2:
      lines[at] = line.replace(/:\s.*$/, `: ${pick(WEIRD_VALUES)}`);
      break;
    case 3:
      lines[at] = line.replace(/^(\s*)[^\s:#-][^:]*:/, `$1${pick(WEIRD_KEYS)}:`);
      break;
    case 4:
      lines[at] = (rnd() < 0.5 ? " " : "   ") + line;
      break;
    case 5: {
      const chars = ["\t", "\u0000", "\u001b", "'", '"', "&", "*", "!", "%", "@", "`", "|", ">", "\u00ff"];
      const i = Math.floor(rnd() * (line.length + 1));
      lines[at] = line.slice(0, i) + pick(chars) + line.slice(i);
      break;
    }
    case 6:
      return text.slice(0, Math.floor(rnd() * text.length));
    case 7: {
      const other = Math.floor(rnd() * lines.length);
      lines[at] = lines[other] ?? "";
      lines[other] = line;
      break;
    }
    default:
      lines.splice(at, 0, `${line.match(/^\s*/)?.[0] ?? ""}${pick(WEIRD_KEYS)}: ${pick(WEIRD_VALUES)}`);
  }
  return lines.join("\n");
}

describe("mutated scenario files", () => {
  const sources = readdirSync("scenarios")
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => readFileSync(join("scenarios", f), "utf8"));
  const rnd = generator(14);
  const corpus = Array.from({ length: FILES }, (_, i) => {
    let text = sources[i % sources.length] as string;
    const rounds = 1 + Math.floor(rnd() * 3);
    for (let r = 0; r < rounds; r++) text = mutate(text, rnd);
    const path = join(dir, `mutant-${String(i).padStart(3, "0")}.yaml`);
    writeFileSync(path, text);
    return path;
  });

  it(`validate gives exit 0 or 2 for each of ${FILES} files, never a stack trace, and a position for every problem`, async () => {
    const codes = new Map<number, number>();
    const valid: string[] = [];
    for (const path of corpus) {
      const r = await cli(["validate", path]);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      expect([0, 2], `${path}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(r.stderr).not.toContain("internal error");
      if (r.code === 2) {
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(l, path).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: \\S`));
      } else valid.push(path);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    // The mutations leave some files valid and break most.
    expect(codes.get(2) ?? 0).toBeGreaterThan(FILES / 2);
    expect(valid.length).toBeGreaterThan(10);
    // Run a sample of the valid ones (the small scenarios: a few seconds in all).
    const small = valid.filter((p) => /seed|four-clocks|clock-race|double-refund|fire-and-forget|orphaned|null-rat/.test(readFileSync(p, "utf8"))).slice(0, 6);
    for (const path of small) {
      const r = await cli(["run", path, "--quiet"]);
      expect([0, 1, 2], `${path}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  }, 60_000);
});
