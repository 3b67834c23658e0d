/**
 * README.md's "Test your own agent" section, read as its tests use it: the test file it shows,
 * the one-line fix, and the failure report it promises. Shared by test/examples/readme.test.ts
 * (inside this package) and test/package/consumer.test.ts (in fresh projects that install the
 * packed tarball).
 */
import { readFileSync } from "node:fs";

/** The README section's test file, its fix line, and the failure report it shows (less the FAIL line). */
export function readmeSection(): { testFile: string; fixLine: string; report: string[] } {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Test your own agent");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 3));
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const report = (/```\nFAIL .*\n([\s\S]*?)```/.exec(section)?.[1] ?? "").split("\n").filter((l) => l.trim() !== "");
  const fixLine = blocks[1]?.trim();
  if (!blocks[0] || !fixLine || report.length === 0)
    throw new Error("README.md: the Test your own agent section lost its test file, fix line or failure report");
  return { testFile: blocks[0], fixLine, report };
}

/** The test file with the agent's refund call replaced by the README's fix line (same indentation). */
export function withFixLine(testFile: string, fixLine: string): string {
  return testFile.replace(/^ *const refund = tools\.payments\.invoke\(.*$/m, (line) => `${line.match(/^ */)?.[0] ?? ""}${fixLine}`);
}
