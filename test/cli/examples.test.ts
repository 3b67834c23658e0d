/**
 * Every example a user is shown is run: the `$ agentsim ...` lines of `agentsim --help` and of
 * each command's `--help`, and the commands of README.md's ```sh blocks, through the built command
 * (`bin/agentsim.js`; run `npm run build` first) under bash, so pipes, globs and redirections work
 * as they do for a user. Examples of one help page (or one README block) run in order in one
 * fresh folder, so one that writes a file (`--out repro.json`) feeds the next (`replay repro.json`).
 *
 * `agentsim`, `npx agentsim` and `npx -p <package> agentsim` all run the built command. An
 * example passes when it exits as its comment says (`# exits 1`) or, without one, 0 or 1 (held or
 * violated; never 2 bad input, 3 crashed or 4 nondeterministic). README lines that are not
 * agentsim commands (installing, the test suite) are listed here and skipped; any other command
 * fails the test.
 *
 * Cost: seed ranges above 1..300 and `--runs` above 100 are cut to those sizes (the same command
 * otherwise); AGENTSIM_EXAMPLES_FULL=1 runs them as written.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(".");
const built = existsSync("dist/cli.mjs");
const FULL = process.env.AGENTSIM_EXAMPLES_FULL === "1";
const PACKAGE = (JSON.parse(readFileSync("package.json", "utf8")) as { name: string }).name;
/** README commands that are not agentsim examples, and why they are not run here. */
const NOT_RUN: Readonly<Record<string, string>> = {
  "npm ci": "installs the project (CI does it)",
  "npm run build": "builds the project (the test set-up does it)",
  "npm test": "the test suite itself",
  [`npm install ${PACKAGE}`]: "installs the published package (the packing test covers it)",
  "npm install -D vitest fast-check": "installs the user's test runner",
};

interface Example {
  command: string;
  /** The exit code its comment states, if it states one. */
  exits?: number;
}

const work = mkdtempSync(join(tmpdir(), "agentsim-examples-"));
const bin = join(work, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "agentsim"), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin/agentsim.js")}" "$@"\n`);
writeFileSync(
  join(bin, "npx"),
  `#!/bin/sh\nif [ "$1" = "-p" ]; then\n  if [ "$2" != "${PACKAGE}" ]; then echo "npx -p $2: expected the package's name ${PACKAGE}" >&2; exit 127; fi\n  shift 2\nfi\nif [ "$1" = "agentsim" ]; then shift; exec "${join(bin, "agentsim")}" "$@"; fi\necho "npx $*: not an agentsim example" >&2\nexit 127\n`,
);
// The package, installed where the examples run: the modules `agentsim import` writes import it by name.
mkdirSync(join(work, "node_modules"));
symlinkSync(ROOT, join(work, "node_modules", PACKAGE));
chmodSync(join(bin, "agentsim"), 0o755);
chmodSync(join(bin, "npx"), 0o755);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An example as it will be run: big seed ranges and run counts cut unless AGENTSIM_EXAMPLES_FULL. */
function sized(command: string): string {
  if (FULL) return command;
  return command
    .replace(/--seeds 1\.\.(\d+)/g, (m, n: string) => (Number(n) > 300 ? "--seeds 1..300" : m))
    .replace(/--runs (\d+)/g, (m, n: string) => (Number(n) > 100 ? "--runs 100" : m));
}

/** Runs examples in order in a fresh folder that has the project's scenarios and examples. */
function runAll(name: string, examples: readonly Example[]): void {
  const dir = mkdtempSync(join(work, `${name.replace(/\W+/g, "-")}-`));
  symlinkSync(join(ROOT, "scenarios"), join(dir, "scenarios"));
  symlinkSync(join(ROOT, "examples"), join(dir, "examples"));
  for (const ex of examples) {
    const r = spawnSync("bash", ["-o", "pipefail", "-c", sized(ex.command)], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, NO_COLOR: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    const detail = `${ex.command}\n${r.stderr.slice(0, 2000)}`;
    if (ex.exits !== undefined) expect(r.status, detail).toBe(ex.exits);
    else expect([0, 1], detail).toContain(r.status);
  }
}

/** The `$ agentsim ...` lines of a help page. */
function helpExamples(args: readonly string[]): Example[] {
  const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args, "--help"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  return [...r.stdout.matchAll(/^ +\$ (agentsim .*)$/gm)].map((m) => ({ command: m[1] as string }));
}

/** README.md's ```sh blocks, one list of commands each (comments kept for `exits N`). */
export function readmeBlocks(markdown: string): { block: number; examples: Example[]; skipped: string[] }[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  return blocks.map((text, block) => {
    const examples: Example[] = [];
    const skipped: string[] = [];
    for (const raw of text.split("\n")) {
      const hash = raw.search(/\s#\s/);
      const comment = hash < 0 ? "" : raw.slice(hash);
      const line = (hash < 0 ? raw : raw.slice(0, hash)).trim();
      if (!line) continue;
      const exits = /\bexits (\d)\b/.exec(comment)?.[1];
      const agentsim: string[] = [];
      for (const part of line.split("&&").map((s) => s.trim())) {
        if (/^(npx (-p \S+ )?)?agentsim( |$)/.test(part)) agentsim.push(part);
        else if (part in NOT_RUN) skipped.push(part);
        else throw new Error(`README.md: a sh block runs "${part}", which is neither an agentsim command nor listed in NOT_RUN`);
      }
      if (agentsim.length) examples.push({ command: agentsim.join(" && "), ...(exits !== undefined ? { exits: Number(exits) } : {}) });
    }
    return { block, examples, skipped };
  });
}

const PAGES: readonly (readonly string[])[] = [
  [],
  ["run"],
  ["list"],
  ["explain"],
  ["validate"],
  ["sweep"],
  ["merge"],
  ["check"],
  ["replay"],
  ["report"],
  ["import"],
];

describe.skipIf(!built)("every example a user is shown", () => {
  for (const page of PAGES) {
    it(`agentsim ${page.join(" ")} --help: every example runs`, () => {
      const examples = helpExamples(page);
      if (page.length) expect(examples.length, "a command's help shows at least one example").toBeGreaterThan(0);
      runAll(`help-${page.join("-") || "main"}`, examples);
    }, 600_000);
  }

  for (const args of [
    ["run", "scenarios/double-refund.yaml"],
    ["run", "scenarios/double-refund.yaml", "--mitigate", "idempotency-keys"],
  ]) {
    it(`the commands the Next footer of \`agentsim ${args.join(" ")}\` prints all run`, () => {
      const r = spawnSync(process.execPath, ["bin/agentsim.js", ...args], { encoding: "utf8", env: { ...process.env, COLUMNS: "400" } });
      const next = r.stdout.slice(r.stdout.indexOf("\nNext\n"), r.stdout.indexOf("\nTrace hash"));
      const commands = [...next.matchAll(/^ +\$ (npx agentsim .*)$/gm)].map((m) => ({ command: m[1] as string }));
      expect(commands.length).toBeGreaterThan(0);
      runAll(`next-${args.length}`, commands);
    }, 600_000);
  }

  const blocks = readmeBlocks(readFileSync("README.md", "utf8"));
  for (const { block, examples, skipped } of blocks) {
    it(`README.md sh block ${block + 1}: every agentsim command runs as its comment says${skipped.length ? ` (not run: ${skipped.join("; ")})` : ""}`, () => {
      runAll(`readme-${block + 1}`, examples);
    }, 600_000);
  }
});

describe("the README's sh blocks", () => {
  it("are found, and hold agentsim commands", () => {
    const blocks = readmeBlocks(readFileSync("README.md", "utf8"));
    expect(blocks.length).toBeGreaterThan(2);
    expect(blocks.flatMap((b) => b.examples).length).toBeGreaterThan(5);
  });

  it("refuse a command that is not an agentsim example, and read `exits N` comments", () => {
    expect(() => readmeBlocks("```sh\nrm -rf build\n```\n")).toThrow(/neither an agentsim command/);
    expect(readmeBlocks("```sh\nnpx agentsim run a.yaml   # exits 1: the failure\n```\n")[0]?.examples).toEqual([
      { command: "npx agentsim run a.yaml", exits: 1 },
    ]);
  });
});
