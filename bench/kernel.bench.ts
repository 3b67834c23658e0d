/**
 * The kernel benchmark (issue 2): `npm run bench` (runs this file with tsx against src/).
 *
 * Workload: N actors (N = 1,000 and 10,000), each taking S = 1,000,000 / N timer-driven steps.
 * Every event schedules its actor's next step at now + latency; latencies are whole ms in 1..100,
 * drawn in advance from a seed into a typed array indexed by (actor, step), so random-number cost
 * stays out of the timing and every actor's path through time is fixed whatever order simultaneous
 * events run in. The checksum (the sum of every event's virtual time, and the event count) is
 * therefore independent of tie order; each engine must reproduce the one computed arithmetically
 * here, which proves it did the same work.
 *
 * Engines: agentsim callbacks (trace off, trace on), agentsim async processes, a plain binary heap
 * over typed arrays (the ceiling), and @sinonjs/fake-timers driving the same callbacks (`runAll`)
 * and the same async actors (`runAllAsync`). Each measurement runs in a fresh Node process after a
 * warm-up (so no engine inherits another's JIT feedback or heap), three rounds with the engines
 * interleaved (so load on a shared machine hits them alike); the best of the three counts.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { fork } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { RngStreams } from "../src/sim/rng.js";
import { Simulation, type ProcessContext } from "../src/sim/simulation.js";

/** Total events per measurement. */
const EVENTS = 1_000_000;
const ACTOR_COUNTS = [1_000, 10_000] as const;
const REPEATS = 3;
const SEED = 20260309;

/** One workload: N actors, S steps each, and the latency of step s of actor a at lat[a * S + s]. */
interface Workload {
  readonly actors: number;
  readonly steps: number;
  readonly lat: Uint8Array;
  /** The checksum every engine must reproduce: sum over all events of their virtual time. */
  readonly expected: number;
}

/** What one engine run produced. */
interface Result {
  events: number;
  checksum: number;
}

type Engine = (w: Workload) => Result | Promise<Result>;

/**
 * Every engine counts its events the same way: into a typed array, because a closure variable
 * holding a sum beyond 2^31 would allocate a heap number per event and time the harness instead.
 */
type Tally = Float64Array;

function newTally(): Tally {
  return new Float64Array(2);
}

function count(tally: Tally, now: number): void {
  tally[0] = (tally[0] as number) + now;
  tally[1] = (tally[1] as number) + 1;
}

function result(tally: Tally): Result {
  return { checksum: tally[0] as number, events: tally[1] as number };
}

function makeWorkload(actors: number, events: number): Workload {
  const steps = Math.ceil(events / actors);
  const rng = new RngStreams(SEED).stream("bench:latency");
  const lat = new Uint8Array(actors * steps);
  for (let i = 0; i < lat.length; i++) lat[i] = rng.int(1, 100);
  let expected = 0;
  for (let a = 0; a < actors; a++) {
    let t = 0;
    for (let s = 0; s < steps; s++) {
      t += lat[a * steps + s] as number;
      expected += t;
    }
  }
  return { actors, steps, lat, expected };
}

/**
 * Per-actor state, in typed arrays as in the ceiling, so that every engine does the same work per
 * event and they differ only in how they schedule. A callback's preallocated argument is the
 * actor's index: a small integer, so nothing is allocated per event.
 */
interface Actors {
  /** Steps taken so far. */
  readonly step: Int32Array;
  /** The id of each actor's previous trace event (its causal parent), for the trace-on run. */
  readonly last: Int32Array;
  readonly names: readonly string[];
}

function makeActors(w: Workload): Actors {
  return {
    step: new Int32Array(w.actors),
    last: new Int32Array(w.actors).fill(-1),
    names: Array.from({ length: w.actors }, (_, a) => `actor:${a}`),
  };
}

/** The ceiling: a binary min-heap over typed arrays ordered by (time, sequence), inlined work. */
const ceiling: Engine = (w) => {
  const cap = w.actors + 1;
  const times = new Float64Array(cap);
  const seqs = new Float64Array(cap);
  const targets = new Int32Array(cap);
  const { step } = makeActors(w);
  let size = 0;
  let seq = 0;
  const push = (time: number, target: number): void => {
    const k = seq++;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p] as number;
      if (pt < time || (pt === time && (seqs[p] as number) < k)) break;
      times[i] = pt;
      seqs[i] = seqs[p] as number;
      targets[i] = targets[p] as number;
      i = p;
    }
    times[i] = time;
    seqs[i] = k;
    targets[i] = target;
  };
  const pop = (): number => {
    const top = targets[0] as number;
    const n = --size;
    if (n > 0) {
      const t = times[n] as number;
      const k = seqs[n] as number;
      const s = targets[n] as number;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ct = times[c] as number;
        let ck = seqs[c] as number;
        const r = c + 1;
        if (r < n) {
          const rt = times[r] as number;
          const rk = seqs[r] as number;
          if (rt < ct || (rt === ct && rk < ck)) {
            c = r;
            ct = rt;
            ck = rk;
          }
        }
        if (t < ct || (t === ct && k < ck)) break;
        times[i] = ct;
        seqs[i] = ck;
        targets[i] = targets[c] as number;
        i = c;
      }
      times[i] = t;
      seqs[i] = k;
      targets[i] = s;
    }
    return top;
  };
  for (let a = 0; a < w.actors; a++) push(w.lat[a * w.steps] as number, a);
  const tally = newTally();
  while (size > 0) {
    const now = times[0] as number;
    const a = pop();
    count(tally, now);
    const s = (step[a] as number) + 1;
    step[a] = s;
    if (s < w.steps) push(now + (w.lat[a * w.steps + s] as number), a);
  }
  return result(tally);
};

/** agentsim, one callback per event, `sim.schedule(delay, fn, arg)` with a preallocated arg. */
function agentsimCallbacks(traced: boolean): Engine {
  return async (w) => {
    const sim = new Simulation({ seed: SEED, trace: traced });
    const { lat, steps } = w;
    const tally = newTally();
    const { step, last, names } = makeActors(w);
    const onStep = traced
      ? (a: number): void => {
          count(tally, sim.now);
          last[a] = sim.trace.instant({ actor: names[a] as string, layer: "sim", kind: "step", parent: last[a] as number });
          const s = (step[a] as number) + 1;
          step[a] = s;
          if (s < steps) sim.schedule(lat[a * steps + s] as number, onStep, a);
        }
      : (a: number): void => {
          count(tally, sim.now);
          const s = (step[a] as number) + 1;
          step[a] = s;
          if (s < steps) sim.schedule(lat[a * steps + s] as number, onStep, a);
        };
    for (let a = 0; a < w.actors; a++) sim.schedule(lat[a * steps] as number, onStep, a);
    const out = await sim.run();
    if (out.status !== "completed") throw new Error(`agentsim callbacks: run ended ${out.status}`);
    if (out.events !== tally[1]) throw new Error("agentsim callbacks: event count differs from the kernel's");
    if (traced && sim.trace.events.length !== out.events) throw new Error("agentsim callbacks: trace lost events");
    return result(tally);
  };
}

/** agentsim, one async process per actor: `await ctx.sleep(ms)` in a loop. */
const agentsimAsync: Engine = async (w) => {
  const sim = new Simulation({ seed: SEED, trace: false });
  const { lat, steps } = w;
  const tally = newTally();
  const body = (base: number) => async (ctx: ProcessContext) => {
    for (let s = 0; s < steps; s++) {
      await ctx.sleep(lat[base + s] as number);
      count(tally, ctx.now);
    }
  };
  for (let a = 0; a < w.actors; a++) sim.spawn(`actor:${a}`, body(a * steps));
  const out = await sim.run();
  if (out.status !== "completed") throw new Error(`agentsim async: run ended ${out.status}`);
  return result(tally);
};

/** fake-timers, the same callbacks through `clock.setTimeout` and `runAll`. */
const fakeTimersCallbacks: Engine = (w) => {
  const clock = FakeTimers.createClock(0, 1e9);
  const { lat, steps } = w;
  const tally = newTally();
  const { step } = makeActors(w);
  const onStep = (a: number): void => {
    count(tally, clock.now);
    const s = (step[a] as number) + 1;
    step[a] = s;
    if (s < steps) clock.setTimeout(timerFn, lat[a * steps + s] as number, a);
  };
  const timerFn = onStep as (...args: unknown[]) => void;
  for (let a = 0; a < w.actors; a++) clock.setTimeout(timerFn, lat[a * steps] as number, a);
  clock.runAll();
  return result(tally);
};

/** fake-timers, the same async actors (`await new Promise(r => clock.setTimeout(r, ms))`) through `runAllAsync`. */
const fakeTimersAsync: Engine = async (w) => {
  const clock = FakeTimers.createClock(0, 1e9);
  const { lat, steps } = w;
  const tally = newTally();
  const actor = async (base: number): Promise<void> => {
    for (let s = 0; s < steps; s++) {
      await new Promise((r) => clock.setTimeout(r, lat[base + s] as number));
      count(tally, clock.now);
    }
  };
  const done: Promise<void>[] = [];
  for (let a = 0; a < w.actors; a++) done.push(actor(a * steps));
  await clock.runAllAsync();
  await Promise.all(done);
  return result(tally);
};

const ENGINES: readonly { key: string; label: string; run: Engine }[] = [
  { key: "ceiling", label: "ceiling: typed-array binary heap", run: ceiling },
  { key: "cbOff", label: "agentsim callbacks, trace off", run: agentsimCallbacks(false) },
  { key: "cbOn", label: "agentsim callbacks, trace on", run: agentsimCallbacks(true) },
  { key: "async", label: "agentsim async processes", run: agentsimAsync },
  { key: "ftCb", label: "fake-timers runAll (callbacks)", run: fakeTimersCallbacks },
  { key: "ftAsync", label: "fake-timers runAllAsync (async)", run: fakeTimersAsync },
];

/** Wall time and this process's CPU time (all threads, GC helpers included) of one run, in ms. */
interface Timing {
  ms: number;
  cpuMs: number;
}

/** Runs an engine once on a workload, checks its work, and returns its timing. */
async function timeOnce(engine: Engine, w: Workload): Promise<Timing> {
  collectGarbage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await engine(w);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (res.events !== w.actors * w.steps || res.checksum !== w.expected) {
    throw new Error(`checksum mismatch: ${res.events} events, checksum ${res.checksum}, expected ${w.actors * w.steps} / ${w.expected}`);
  }
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Starts each measurement with a clean heap when node runs with --expose-gc (as `npm run bench` does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * One measurement, in this (child) process: a warm-up on a tenth of the workload so that the
 * engine's code is optimized, then the timed run. Reports the time to the parent.
 */
async function measureHere(key: string, actors: number): Promise<void> {
  const engine = ENGINES.find((e) => e.key === key);
  if (!engine) throw new Error(`unknown engine ${key}`);
  await timeOnce(engine.run, makeWorkload(actors, EVENTS / 10));
  const timing = await timeOnce(engine.run, makeWorkload(actors, EVENTS));
  if (process.send) process.send(timing);
  else console.log(JSON.stringify({ engine: key, actors, ...timing })); // run by hand, e.g. under --cpu-prof
}

/**
 * Runs one measurement in a fresh Node process (same flags, so tsx and --expose-gc carry over):
 * no engine inherits another's JIT feedback, call-site polymorphism or heap.
 */
function measureInChild(key: string, actors: number): Promise<Timing> {
  return new Promise((resolve, reject) => {
    let timing: Timing | undefined;
    const child = fork(fileURLToPath(import.meta.url), ["--measure", key, String(actors)], { execArgv: process.execArgv });
    child.on("message", (m) => {
      timing = m as Timing;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 && timing ? resolve(timing) : reject(new Error(`${key} (N=${actors}) failed with exit code ${code}`))));
  });
}

function loadNote(): string {
  const [one] = loadavg();
  const cores = availableParallelism();
  return `load average ${(one ?? 0).toFixed(1)} on ${cores} cores${(one ?? 0) > cores ? " (busy machine: times are inflated, ratios less reliable)" : ""}`;
}

function fmtRate(eventsPerSec: number): string {
  return eventsPerSec >= 1e6 ? `${(eventsPerSec / 1e6).toFixed(2)}M/s` : `${(eventsPerSec / 1e3).toFixed(0)}K/s`;
}

function verdict(ok: boolean): string {
  return ok ? "met" : "MISSED";
}

async function main(): Promise<void> {
  const gc = typeof (globalThis as { gc?: unknown }).gc === "function" ? "heap collected before each run" : "no --expose-gc";
  console.log(`agentsim kernel benchmark: ${EVENTS.toLocaleString("en-US")} events per run, seed ${SEED}, node ${process.version}`);
  console.log(`each run in a fresh process after a warm-up, ${gc}; best of ${REPEATS} rounds, engines interleaved in each round`);
  console.log(`at start: ${loadNote()}\n`);
  let allMet = true;
  for (const n of ACTOR_COUNTS) {
    const w = makeWorkload(n, EVENTS);
    const best: Record<string, Timing> = {};
    // Rounds interleave the engines, so that a change in machine load hits them all alike.
    for (let r = 0; r < REPEATS; r++) {
      for (const e of ENGINES) {
        const t = await measureInChild(e.key, n);
        if (t.ms < (best[e.key]?.ms ?? Infinity)) best[e.key] = t;
      }
    }
    console.log(`N = ${n.toLocaleString("en-US")} actors x ${w.steps} steps (checksum ${w.expected}, reproduced by every engine)`);
    console.log(`  ${"engine".padEnd(36)} ${"best ms".padStart(9)} ${"events/s".padStart(10)} ${"its cpu ms".padStart(11)}`);
    for (const e of ENGINES) {
      const t = best[e.key] as Timing;
      const rate = fmtRate((w.actors * w.steps * 1000) / t.ms);
      console.log(`  ${e.label.padEnd(36)} ${t.ms.toFixed(1).padStart(9)} ${rate.padStart(10)} ${t.cpuMs.toFixed(0).padStart(11)}`);
    }
    const get = (k: string): number => (best[k] as Timing).ms;
    const vsCeiling = get("ceiling") / get("cbOff");
    const vsFake = get("ftAsync") / get("async");
    const traceCost = get("cbOn") / get("cbOff");
    const vsFakeCb = get("ftCb") / get("cbOff");
    allMet &&= vsCeiling >= 0.5 && vsFake >= 5 && traceCost <= 3;
    console.log(`  ratios:`);
    console.log(`    callbacks trace off / ceiling         ${vsCeiling.toFixed(2).padStart(6)}  (target >= 0.5: ${verdict(vsCeiling >= 0.5)})`);
    console.log(`    async / fake-timers runAllAsync       ${vsFake.toFixed(2).padStart(6)}x (target >= 5: ${verdict(vsFake >= 5)})`);
    console.log(`    trace-on cost (on time / off time)    ${traceCost.toFixed(2).padStart(6)}x (target <= 3: ${verdict(traceCost <= 3)})`);
    console.log(`    callbacks / fake-timers runAll        ${vsFakeCb.toFixed(2).padStart(6)}x (for reference)\n`);
  }
  console.log(`at end: ${loadNote()}`);
  console.log(allMet ? "All targets met." : "Some targets missed (see above).");
}

const [mode, key, actors] = process.argv.slice(2);
if (mode === "--measure") await measureHere(key as string, Number(actors));
else await main();
