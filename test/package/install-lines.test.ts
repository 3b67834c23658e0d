/**
 * The name users install must be this package's own: `agentsim` on the registry belongs to an
 * unrelated package, so an install line naming it installs a stranger's code. Every install line
 * in the README and the docs (`npm install`, `npm i`, `npm add`, `yarn add`, `pnpm add`,
 * `npx -p`) must name package.json's `name` for agentsim itself; dev-tool installs (`-D`) may
 * name only other packages (the test runner, fast-check), never another agentsim.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const NAME = (JSON.parse(readFileSync("package.json", "utf8")) as { name: string }).name;
const FILES = ["README.md", "docs/API.md", "examples/README.md"];

interface InstallCommand {
  file: string;
  command: string;
  dev: boolean;
  packages: string[];
}

/** Every install command in `text`: one per `&&`-separated part of a line. */
function installCommands(file: string, text: string): InstallCommand[] {
  const out: InstallCommand[] = [];
  for (const line of text.split("\n")) {
    for (const part of line.replace(/#.*$/, "").split(/&&|;|`/)) {
      const words = part.trim().split(/\s+/);
      const at = words.findIndex(
        (w, i) => (w === "npm" && ["install", "i", "add"].includes(words[i + 1] ?? "")) || ((w === "yarn" || w === "pnpm") && words[i + 1] === "add"),
      );
      if (at >= 0) {
        const args = words.slice(at + 2);
        out.push({
          file,
          command: part.trim(),
          dev: args.some((a) => a === "-D" || a === "--save-dev"),
          packages: args.filter((a) => a !== "" && !a.startsWith("-")),
        });
      }
      const npx = words.indexOf("npx");
      if (npx >= 0 && (words[npx + 1] === "-p" || words[npx + 1] === "--package")) {
        out.push({ file, command: part.trim(), dev: false, packages: [words[npx + 2] ?? ""] });
      }
    }
  }
  return out;
}

const commands = FILES.flatMap((file) => installCommands(file, readFileSync(file, "utf8")));
const bare = (spec: string) => spec.replace(/(.)@.*$/, "$1");

describe(`install lines name the package "${NAME}"`, () => {
  it("finds the README's install line and its npx line", () => {
    expect(commands.filter((c) => c.file === "README.md" && !c.dev && c.packages.includes(NAME)).length).toBeGreaterThan(0);
    expect(commands.some((c) => c.file === "README.md" && c.command.startsWith("npx") && c.packages[0] === NAME)).toBe(true);
  });

  it("installs agentsim only by package.json's name", () => {
    const wrong = commands.filter((c) =>
      c.dev ? c.packages.some((p) => bare(p).startsWith("agentsim") && bare(p) !== NAME) : c.packages.some((p) => bare(p) !== NAME),
    );
    expect(wrong.map((c) => `${c.file}: ${c.command}`)).toEqual([]);
  });

  it("catches a line that names anything else", () => {
    const found = installCommands("x.md", "npm install agentsim && npm install -D vitest fast-check\nnpx -p agentsim agentsim run x.yaml");
    expect(found.map((c) => [c.dev, c.packages])).toEqual([
      [false, ["agentsim"]],
      [true, ["vitest", "fast-check"]],
      [false, ["agentsim"]],
    ]);
  });
});
