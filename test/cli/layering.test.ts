/**
 * The command line's imports go one way: `src/cli.ts` loads the command modules in `src/cli/`;
 * they share `cli/shared.ts` and never import `src/cli.ts`; nothing below the faces imports
 * either (ARCHITECTURE.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const importsOf = (file: string): string[] => [...readFileSync(file, "utf8").matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((m) => m[1] as string);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

describe("the command line's imports", () => {
  it("cli/*.ts never import src/cli.ts", () => {
    for (const file of sources("src/cli"))
      expect(
        importsOf(file).filter((s) => /(^|\/)\.\.\/cli(\.js)?$/.test(s)),
        file,
      ).toEqual([]);
  });

  it("cli.ts reaches each command module by a dynamic import only (so each loads on demand)", () => {
    const text = readFileSync("src/cli.ts", "utf8");
    const staticImports = [...text.matchAll(/^import .* from "(\.\/cli\/[^"]+)";$/gm)].map((m) => m[1]);
    // Besides what the commands share, only the stdout guard, which main() sets up before any command loads.
    expect(staticImports.filter((s) => s !== "./cli/shared.js" && s !== "./cli/stdout-guard.js")).toEqual([]);
    const helpers = ["shared.ts", "progress.ts", "sweep-text.ts", "budget.ts", "stdout-guard.ts", "run-file.ts"];
    for (const file of readdirSync("src/cli").filter((f) => f.endsWith(".ts") && !helpers.includes(f))) {
      expect(text, file).toContain(`import("./cli/${file.replace(/\.ts$/, ".js")}")`);
    }
  });

  it("nothing below the faces imports the command line", () => {
    const below = sources("src").filter((f) => !f.startsWith(join("src", "cli")) && f !== join("src", "index.ts") && !f.startsWith(join("src", "api")));
    for (const file of below)
      expect(
        importsOf(file).filter((s) => /(^|\/)cli(\.js|\/)/.test(s)),
        file,
      ).toEqual([]);
  });
});
