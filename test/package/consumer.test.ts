/**
 * The package as a team installs it. This packs the tarball (`npm pack`, from the dist/ that the
 * test set-up keeps fresh), installs it into two fresh projects made with `npm init -y`, one
 * CommonJS (what npm writes) and one ES module (`"type": "module"`), and there:
 * - runs the README's "Test your own agent" file verbatim with vitest: it fails with the README's
 *   counterexample, and passes with the README's one-line fix;
 * - type-checks it with `tsc --noEmit` (module NodeNext, strict), with one copy of fast-check;
 * - `require()`s and `import`s every entry point, and type-checks a file that imports them all;
 * - runs a Jest test (CommonJS) in the CommonJS project;
 * - runs the installed `agentsim` command on a `.js` scenario module written with `import`: in the
 *   CommonJS project it fails saying to rename it to `.mjs`, and runs once renamed; and on the same
 *   module written as CommonJS (`.cjs`), whose objects come from the package's CommonJS build.
 *
 * The package and its dependencies are installed for real (`npm install <tarball> fast-check`,
 * from npm's cache when it has them: `--prefer-offline`). The test tools (vitest, jest, typescript)
 * are this repository's own, linked into each project's node_modules, which keeps the test well
 * under a minute and needs no download. When the registry is unreachable and the cache lacks a
 * dependency, the tests are skipped with a warning. Consumer commands run on this Node.js, or on
 * the one `AGENTSIM_TEST_NODE` names (to test the lowest version `engines` declares).
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeSection, withFixLine } from "../examples/readme-section.js";

const REPO = resolve(".");
const PKG = JSON.parse(readFileSync("package.json", "utf8")) as { name: string; exports: Record<string, unknown> };
const NODE = process.env.AGENTSIM_TEST_NODE ?? process.execPath;
/** Every entry point users can import: the root and each subpath of `exports`. */
const SPECIFIERS = Object.keys(PKG.exports)
  .filter((k) => k !== "./package.json")
  .map((k) => (k === "." ? PKG.name : `${PKG.name}/${k.slice(2)}`));
/** The test tools, from this repository's node_modules. */
const TOOLS = ["vitest", "jest", "typescript"];

interface Result {
  code: number | null;
  output: string;
}

/** Runs a command to completion without blocking the event loop (so two installs can overlap). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv(), ...env } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => done({ code, output }));
  });
}

/** This process's environment less vitest's own variables, and without colour. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_OPTIONS"));
  return { ...env, NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" };
}

/** Runs `node` (this one or AGENTSIM_TEST_NODE) with `args` in `cwd`. */
const node = (args: string[], cwd: string) => run(NODE, args, cwd);

const OFFLINE_SIGNS = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|network/i;

let scratch = "";
let tarball = "";
let unreachable = "";
const projects = { cjs: "", esm: "" };

/** Makes a project with `npm init -y`, installs the tarball and fast-check, and links the test tools. */
async function makeProject(dir: string, type: "commonjs" | "module"): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const init = await run("npm", ["init", "-y"], dir);
  if (init.code !== 0) throw new Error(`npm init -y failed:\n${init.output}`);
  if (type === "module") await run("npm", ["pkg", "set", "type=module"], dir);
  const install = await run("npm", ["install", tarball, "fast-check@^4", "--prefer-offline", "--no-audit", "--no-fund"], dir);
  if (install.code !== 0) {
    if (OFFLINE_SIGNS.test(install.output)) {
      unreachable = install.output.split("\n").find((l) => OFFLINE_SIGNS.test(l)) ?? "registry unreachable";
      return;
    }
    throw new Error(`npm install of the tarball failed:\n${install.output}`);
  }
  for (const tool of TOOLS) symlinkSync(join(REPO, "node_modules", tool), join(dir, "node_modules", tool), "dir");
  writeFileSync(
    join(dir, "tsconfig.json"),
    `${JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: [] } }, null, 2)}\n`,
  );
}

beforeAll(async () => {
  mkdirSync("tmp", { recursive: true });
  scratch = mkdtempSync(join(resolve("tmp"), "package-"));
  // dist/ is fresh (the test set-up rebuilds it when stale), so pack without running prepack's build again.
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], { encoding: "utf8" });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout) as { filename: string }[];
  tarball = join(scratch, packed?.filename ?? "");
  projects.cjs = join(scratch, "cjs");
  projects.esm = join(scratch, "esm");
  await Promise.all([makeProject(projects.cjs, "commonjs"), makeProject(projects.esm, "module")]);
  if (unreachable) console.warn(`test/package: skipped, the npm registry is unreachable and the cache lacks a dependency (${unreachable})`);
}, 170_000);

afterAll(() => {
  if (scratch && !process.env.AGENTSIM_KEEP_PACKAGE_TEST) rmSync(scratch, { recursive: true, force: true });
});

describe("the projects npm init -y makes", () => {
  it("are CommonJS by default and ES modules when told", (ctx) => {
    if (unreachable) ctx.skip();
    expect(JSON.parse(readFileSync(join(projects.cjs, "package.json"), "utf8")).type ?? "commonjs").toBe("commonjs");
    expect(JSON.parse(readFileSync(join(projects.esm, "package.json"), "utf8")).type).toBe("module");
  });

  it("hold one copy of fast-check: the user's, which the package uses as its peer", (ctx) => {
    if (unreachable) ctx.skip();
    for (const dir of Object.values(projects)) {
      expect(existsSync(join(dir, "node_modules", "fast-check"))).toBe(true);
      expect(existsSync(join(dir, "node_modules", PKG.name, "node_modules", "fast-check"))).toBe(false);
    }
  });
});

describe.each(["cjs", "esm"] as const)("installed in a fresh %s project", (kind) => {
  const dir = () => projects[kind];

  it("require()s and imports every entry point", async (ctx) => {
    if (unreachable) ctx.skip();
    const list = JSON.stringify(SPECIFIERS);
    const required = await node(
      [
        "-e",
        `for (const s of ${list}) { const m = require(s); if (Object.keys(m).length === 0) throw new Error(s + " is empty"); } console.log("required", ${list}.length)`,
      ],
      dir(),
    );
    expect(required.output).toContain(`required ${SPECIFIERS.length}`);
    const imported = await node(
      [
        "--input-type=module",
        "-e",
        `for (const s of ${list}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + " is empty"); } console.log("imported", ${list}.length)`,
      ],
      dir(),
    );
    expect(imported.output).toContain(`imported ${SPECIFIERS.length}`);
  });

  it("type-checks the README's test and a file that imports every entry point (tsc --noEmit, NodeNext, strict): one copy of fast-check's types", async (ctx) => {
    if (unreachable) ctx.skip();
    const imports = SPECIFIERS.map((s, i) => `import * as entry${i} from "${s}";`).join("\n");
    const uses = `export const names: number = ${SPECIFIERS.map((_, i) => `Object.keys(entry${i}).length`).join(" + ")};\n`;
    const check = `import { simulate, type AgentRun } from "${PKG.name}";\nimport { Simulation } from "${PKG.name}/kernel";\nexport const run: Promise<AgentRun<number>> = simulate(async () => 1, { seed: 1 });\nexport const sim = new Simulation({ seed: 1 });\n`;
    writeFileSync(join(dir(), "entries.ts"), `${imports}\n${uses}${check}`);
    writeFileSync(join(dir(), "refund.test.ts"), readmeSection().testFile);
    const r = await node([join(REPO, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "tsconfig.json"], dir());
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  describe("the README's test, verbatim", () => {
    const { testFile, fixLine, report } = readmeSection();

    /** Writes the test (and a set-up file fixing fast-check's seed, as the README's report used) and runs vitest. */
    const vitest = async (source: string): Promise<Result> => {
      writeFileSync(join(dir(), "refund.test.ts"), source);
      writeFileSync(join(dir(), "seed.mjs"), `import fc from "fast-check";\nfc.configureGlobal({ seed: 1 });\n`);
      writeFileSync(join(dir(), "vitest.config.mjs"), `export default { test: { include: ["refund.test.ts"], setupFiles: ["./seed.mjs"] } };\n`);
      return node([join(dir(), "node_modules/vitest/vitest.mjs"), "run"], dir());
    };

    it("fails with the counterexample the README shows", async (ctx) => {
      if (unreachable) ctx.skip();
      const r = await vitest(testFile);
      expect(r.code, r.output).toBe(1);
      for (const line of report) expect(r.output, r.output).toContain(line);
    });

    it("passes with the README's one-line fix", async (ctx) => {
      if (unreachable) ctx.skip();
      const r = await vitest(withFixLine(testFile, fixLine));
      expect(r.code, r.output).toBe(0);
    });
  });
});

describe("in the ES module project, with both builds loaded (an import and a dependency's require)", () => {
  it("runs one simulated world at a time across the two builds, and restores the real globals", async (ctx) => {
    if (unreachable) ctx.skip();
    const script = `
import { createRequire } from "node:module";
const esm = { ...(await import("${PKG.name}")), ...(await import("${PKG.name}/kernel")) };
const cjs = { ...createRequire(import.meta.url)("${PKG.name}"), ...createRequire(import.meta.url)("${PKG.name}/kernel") };
if (esm.runInWorld === cjs.runInWorld) throw new Error("expected two builds");
const realTimeout = globalThis.setTimeout;
const first = esm.runInWorld(new esm.Simulation({ seed: 1 }), async () => new Promise((r) => setTimeout(r, 1000)));
const second = await cjs.runInWorld(new cjs.Simulation({ seed: 2 }), async () => 1).then(() => "ran", (e) => e.message);
await first;
const third = await cjs.runInWorld(new cjs.Simulation({ seed: 3 }), async () => Date.now());
console.log(JSON.stringify({ second, third: third.agent, virtualNow: cjs.DEFAULT_EPOCH_MS, restored: globalThis.setTimeout === realTimeout }));
`;
    const r = await node(["--input-type=module", "-e", script], projects.esm);
    expect(r.code, r.output).toBe(0);
    const out = JSON.parse(r.output.trim().split("\n").pop() ?? "{}") as { second: string; third: unknown; virtualNow: number; restored: boolean };
    expect(out.second).toMatch(/already running on this thread/);
    // The CommonJS build's world, after the ES build's: Date.now() reads the simulation's clock.
    expect(out.third).toMatchObject({ value: out.virtualNow });
    expect(out.restored).toBe(true);
  });
});

describe("in the CommonJS project", () => {
  it("runs a Jest test that require()s the package", async (ctx) => {
    if (unreachable) ctx.skip();
    writeFileSync(
      join(projects.cjs, "refund.jest.test.js"),
      `const { atMostOnce, simulate } = require("${PKG.name}");

const setup = {
  tools: { payments: { latency: { constant: "2s" }, idempotency: true, effect: { name: "refund", key: (args) => String(args.orderId) } } },
  invariants: [atMostOnce("refund")],
  horizon: "1m",
};
// The README's counterexample: a slowdown of the payments API over the first refund call.
const faults = [{ kind: "tool-slowdown", at: 0, for: 1694, target: "payments" }];

function refundAgent(withKey) {
  return async ({ clock, tools }) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const refund = tools.payments.invoke({ orderId: "R-1", amountUsd: 40 }, withKey ? { idempotencyKey: "refund-R-1" } : {});
      const timeout = clock.sleep(5000).then(() => Promise.reject(new Error("timed out")));
      try {
        await Promise.race([refund, timeout]);
        return;
      } catch {
        await clock.sleep(1000 * attempt);
      }
    }
  };
}

test("a retry without a key refunds twice", async () => {
  const run = await simulate(refundAgent(false), { ...setup, seed: 1, faults });
  expect(run.verdict).toBe("violated");
  expect(run.violations[0].message).toContain("committed 2 times");
});

test("one key per refund refunds once", async () => {
  const run = await simulate(refundAgent(true), { ...setup, seed: 1, faults });
  expect(run.verdict).toBe("held");
});
`,
    );
    const r = await node([join(projects.cjs, "node_modules/jest/bin/jest.js"), "--rootDir", projects.cjs, "refund.jest.test.js"], projects.cjs);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("2 passed");
  });

  it("says what to rename a .js scenario module written with import to, and runs it once renamed", async (ctx) => {
    if (unreachable) ctx.skip();
    const dir = projects.cjs;
    cpSync("examples/custom-scenario/my-scenario.js", join(dir, "my-scenario.js"));
    const yaml = readFileSync("examples/custom-scenario/my-scenario.yaml", "utf8");
    writeFileSync(join(dir, "my-scenario.yaml"), yaml);
    const cli = join(dir, "node_modules", ".bin", "agentsim");
    const before = await node([cli, "run", "my-scenario.yaml"], dir);
    expect(before.code, before.output).toBe(2);
    expect(before.output).toContain("rename it to my-scenario.mjs");

    renameSync(join(dir, "my-scenario.js"), join(dir, "my-scenario.mjs"));
    writeFileSync(join(dir, "my-scenario.yaml"), yaml.replace("scenario: ./my-scenario.js", "scenario: ./my-scenario.mjs"));
    const after = await node([cli, "run", "my-scenario.yaml"], dir);
    expect(after.code, after.output).toBe(1);
    expect(after.output).toContain("no-overbooking");
  });

  it("runs a CommonJS scenario module (require, module.exports) with the ES-module command: one package, two formats", async (ctx) => {
    if (unreachable) ctx.skip();
    const dir = projects.cjs;
    const source = readFileSync("examples/custom-scenario/my-scenario.js", "utf8")
      .replace(/^import \{ (.*) \} from "(.*)";$/gm, 'const { $1 } = require("$2");')
      .replace("export default defineScenario(", "module.exports = defineScenario(");
    expect(source).not.toMatch(/^(import|export) /m);
    writeFileSync(join(dir, "my-scenario.cjs"), source);
    const yaml = readFileSync("examples/custom-scenario/my-scenario.yaml", "utf8").replace("scenario: ./my-scenario.js", "scenario: ./my-scenario.cjs");
    writeFileSync(join(dir, "my-cjs-scenario.yaml"), yaml);
    const cli = join(dir, "node_modules", ".bin", "agentsim");
    // Its parameters are made by the CommonJS build's `p` and read by the command's ES build: `--set` must still find them.
    const crowded = await node([cli, "run", "my-cjs-scenario.yaml"], dir);
    expect(crowded.code, crowded.output).toBe(1);
    expect(crowded.output).toContain("no-overbooking");
    const roomy = await node([cli, "run", "my-cjs-scenario.yaml", "--set", "params.rooms=5"], dir);
    expect(roomy.code, roomy.output).toBe(0);
  });
});
