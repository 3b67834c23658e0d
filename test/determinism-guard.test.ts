/**
 * The determinism guard: nothing under src/ may read real time, real timers or Math.random.
 * Every .ts file under src/ is scanned, except the CLI (src/cli.ts and src/cli/, whose progress
 * display may read the wall clock) and lines marked with the comment `nondeterminism-ok`.
 */
import { describe, it, expect } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** A forbidden construct and why it is forbidden. */
const FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\bDate\.now\s*\(/, what: "Date.now() reads the wall clock; use sim.now or ctx.now" },
  { pattern: /\bnew\s+Date\s*\(\s*\)/, what: "new Date() reads the wall clock; use new Date(sim.epochMs + sim.now)" },
  { pattern: /\bMath\.random\b/, what: 'Math.random is unseeded; use sim.rng("<actor>:<purpose>")' },
  { pattern: /\bperformance\.now\b/, what: "performance.now reads real time; use sim.now" },
  { pattern: /\bprocess\.hrtime\b/, what: "process.hrtime reads real time; use sim.now" },
  { pattern: /\bsetTimeout\s*\(/, what: "setTimeout is a real timer; use sim.schedule or ctx.sleep" },
  { pattern: /\bsetInterval\s*\(/, what: "setInterval is a real timer; use sim.schedule" },
];

const ESCAPE = "nondeterminism-ok";

interface Violation {
  file: string;
  line: number;
  text: string;
  what: string;
}

/** The forbidden constructs in one file's text, one violation per offending line and construct. */
function findNondeterminism(text: string, file: string): Violation[] {
  const out: Violation[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.includes(ESCAPE)) return;
    for (const f of FORBIDDEN) if (f.pattern.test(line)) out.push({ file, line: i + 1, text: line.trim(), what: f.what });
  });
  return out;
}

/** True for files the guard exempts: the CLI's own files. `rel` is relative to src/, with `/`. */
function exempt(rel: string): boolean {
  return rel === "cli.ts" || rel.startsWith("cli/");
}

/** Scans every .ts file under `srcRoot` (the exempt CLI files aside); paths are reported relative to `reportFrom`. */
function scanTree(srcRoot: string, reportFrom: string): Violation[] {
  const out: Violation[] = [];
  const entries = readdirSync(srcRoot, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.[mc]?ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const path of files) {
    if (exempt(relative(srcRoot, path).split(sep).join("/"))) continue;
    out.push(...findNondeterminism(readFileSync(path, "utf8"), relative(reportFrom, path).split(sep).join("/")));
  }
  return out;
}

function format(v: Violation): string {
  return `${v.file}:${v.line}: ${v.text}  (${v.what})`;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("determinism guard", () => {
  it("finds no real time, real timers or Math.random under src/", () => {
    const violations = scanTree(join(REPO, "src"), REPO);
    expect(violations.map(format), "mark a line `// nondeterminism-ok: why` only if it truly reads no time").toEqual([]);
    // The scan really covered the kernel.
    expect(readdirSync(join(REPO, "src", "sim")).length).toBeGreaterThan(5);
  });

  it("flags each forbidden construct on its own line, with the line number", () => {
    const sample = [
      "const a = Date.now();",
      "const b = new Date();",
      "const c = Math.random() * 10;",
      "const d = performance.now();",
      "const e = process.hrtime.bigint();",
      "setTimeout(() => done(), 10);",
      "const f = globalThis.setInterval (tick, 5);",
      "const g = new Date( );",
    ].join("\n");
    const found = findNondeterminism(sample, "src/sample.ts");
    expect(found.map((v) => `${v.file}:${v.line}`)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `src/sample.ts:${n}`));
    expect(found[0]?.what).toMatch(/use sim\.now/);
  });

  it("lets through what reads no time, and lines marked nondeterminism-ok", () => {
    const sample = [
      "const epoch = Date.UTC(2026, 2, 9);",
      "const then = new Date(sim.epochMs + sim.now);",
      "const parsed = Date.parse(iso);",
      "clearTimeout(handle);",
      "const u = rng.next(); // Math-free",
      "const nowish = sim.now;",
      "return new Promise((r) => setImmediate(r)); // nondeterminism-ok: a yield, reads no time",
      "const t = Date.now(); // nondeterminism-ok: progress display",
    ].join("\n");
    expect(findNondeterminism(sample, "x.ts")).toEqual([]);
  });

  it("fails when such a line is added to a file under src/, and exempts only the CLI", () => {
    const root = mkdtempSync(join(tmpdir(), "agentsim-guard-"));
    try {
      const src = join(root, "src");
      mkdirSync(join(src, "actors"), { recursive: true });
      mkdirSync(join(src, "cli"), { recursive: true });
      writeFileSync(join(src, "actors", "clean.ts"), "export const x = 1;\n");
      writeFileSync(join(src, "cli.ts"), "const started = Date.now();\n");
      writeFileSync(join(src, "cli", "progress.ts"), "setInterval(draw, 100);\n");
      writeFileSync(join(src, "cliff.ts"), "export const y = 2;\n");
      expect(scanTree(src, root)).toEqual([]);

      writeFileSync(join(src, "actors", "clean.ts"), "export const x = 1;\nexport const jitter = () => Math.random();\n");
      writeFileSync(join(src, "cliff.ts"), "export const y = performance.now();\n");
      const found = scanTree(src, root).map(format);
      expect(found).toEqual([
        expect.stringMatching(/^src\/actors\/clean\.ts:2: export const jitter = \(\) => Math\.random\(\);/),
        expect.stringMatching(/^src\/cliff\.ts:1: export const y = performance\.now\(\);/),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
