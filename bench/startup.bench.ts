/**
 * The start-up benchmark (issue 17): how long `agentsim run scenarios/four-clocks.yaml` takes
 * against a bare `node -e ''`, the floor any Node.js command pays. A short run is mostly start-up,
 * so this is what a user feels on every command.
 *
 * Method: paired, interleaved rounds. Each round runs the bare node, then the command (then, to
 * cancel any order effect, alternates which goes first), each as a fresh process, timed by wall
 * clock from spawn to exit. A change in machine load hits both sides of a round alike, so the
 * per-round ratio is the honest number; the report gives min and median of each side, the ratio of
 * the medians, of the mins, and the median of the per-round ratios. On a busy machine wall time
 * mostly measures waiting for a core, so each process also reports the CPU time it used (user +
 * system, from a preloaded exit hook that both sides carry), and the same statistics are given
 * for CPU time. It also counts the modules the command loads (through a resolve hook, in one extra
 * run) and which packages they come from.
 *
 * Runs the built CLI (`bin/agentsim.js` over `dist/`): run `npm run build` first.
 * AGENTSIM_BENCH_ROUNDS sets the rounds (default 21); AGENTSIM_STARTUP_BIN another CLI entry (a
 * bundled build, say). Target: the median per-round ratio at most 3.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const ROUNDS = Number(process.env.AGENTSIM_BENCH_ROUNDS ?? 21);
const BIN = process.env.AGENTSIM_STARTUP_BIN ?? "bin/agentsim.js";
const ARGS = [BIN, "run", "scenarios/four-clocks.yaml"];
const TARGET = 3;

const hooks = mkdtempSync(join(tmpdir(), "agentsim-startup-"));
/** Preloaded into both sides: writes the process's CPU time (ms) to fd 3 as it exits. */
const CPU_HOOK = join(hooks, "cpu.cjs");
writeFileSync(
  CPU_HOOK,
  `process.on("exit", () => { const u = process.cpuUsage(); try { require("fs").writeSync(3, String((u.user + u.system) / 1000)); } catch {} });\n`,
);

/** Wall time and CPU time (ms) of one fresh process. */
function timeOnce(args: readonly string[]): { wall: number; cpu: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--require", CPU_HOOK, ...args], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  const wall = performance.now() - start;
  // `run` exits 1 when an invariant is violated (four-clocks at its defaults is); anything else is a failure.
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  return { wall, cpu: Number(r.output[3]?.toString()) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The modules the command loads, by package (node_modules) or project folder. */
function modulesLoaded(): { total: number; byOrigin: [string, number][] } {
  const hook = join(hooks, "hook.mjs");
  const register = join(hooks, "register.mjs");
  writeFileSync(
    hook,
    `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith("file:")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n`,
  );
  writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, ...ARGS], { stdio: ["ignore", "ignore", "pipe"] });
  const urls = new Set(
    r.stderr
      .toString()
      .split("\n")
      .filter((l) => l.startsWith("LOADED "))
      .map((l) => l.slice(7)),
  );
  const counts = new Map<string, number>();
  for (const u of urls) {
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? (/\/dist\/([^/]+)\//.exec(u)?.[1] ? `dist/${/\/dist\/([^/]+)\//.exec(u)?.[1]}` : "project");
    counts.set(pkg, (counts.get(pkg) ?? 0) + 1);
  }
  return { total: urls.size, byOrigin: [...counts].sort((a, b) => b[1] - a[1]) };
}

interface Side {
  wall: number[];
  cpu: number[];
}
const bare: Side = { wall: [], cpu: [] };
const cli: Side = { wall: [], cpu: [] };
timeOnce(["-e", ""]);
timeOnce(ARGS); // warm the file system cache
for (let i = 0; i < ROUNDS; i++) {
  // Alternate which side goes first, so neither always runs on a cache the other warmed.
  const c0 = i % 2 === 1 ? timeOnce(ARGS) : undefined;
  const b = timeOnce(["-e", ""]);
  const c = c0 ?? timeOnce(ARGS);
  bare.wall.push(b.wall);
  bare.cpu.push(b.cpu);
  cli.wall.push(c.wall);
  cli.cpu.push(c.cpu);
}

const f = (ms: number): string => `${ms.toFixed(1)} ms`;
const perRound = (a: number[], b: number[]): number => median(a.map((x, i) => x / (b[i] as number)));
const mods = modulesLoaded();
console.log(
  `start-up: node ${ARGS.join(" ")} against node -e '' (${ROUNDS} paired, interleaved rounds; load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`,
);
for (const kind of ["wall", "cpu"] as const) {
  console.log(
    `  ${kind === "wall" ? "wall time" : "CPU time "}  node -e '' min ${f(Math.min(...bare[kind]))} median ${f(median(bare[kind]))}; agentsim run min ${f(Math.min(...cli[kind]))} median ${f(median(cli[kind]))}`,
  );
  const ratio = perRound(cli[kind], bare[kind]);
  console.log(
    `             ratio of medians ${(median(cli[kind]) / median(bare[kind])).toFixed(2)}x, of mins ${(Math.min(...cli[kind]) / Math.min(...bare[kind])).toFixed(2)}x, median per round ${ratio.toFixed(2)}x (target ≤ ${TARGET}x: ${ratio <= TARGET ? "met" : "missed"})`,
  );
}
console.log(`  modules loaded ${mods.total}: ${mods.byOrigin.map(([k, n]) => `${k} ${n}`).join(", ")}`);
rmSync(hooks, { recursive: true, force: true });
