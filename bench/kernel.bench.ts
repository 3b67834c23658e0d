/**
 * The kernel benchmark (issues 2 and 17): `npm run bench` runs it with tsx against src/.
 *
 * Workloads, each at a stated density of events per virtual timestamp (the catalog's scenarios
 * run at about one): N actors, each taking S = EVENTS / N timer-driven steps; every event
 * schedules its actor's next step at now + latency. Latencies are drawn in advance from a seed
 * into a typed array indexed by (actor, step), so random-number cost stays out of the timing and
 * every actor's path through time is fixed whatever order simultaneous events run in:
 * - `1/ts`: whole-ms latencies spread wide (1..200,000 ms for 1,000 actors, 1..2,000,000 for
 *   10,000), so nearly every event has its own timestamp, as in the catalog;
 * - `~3/ts`: whole-ms latencies in 1..665 ms, 1,000 actors;
 * - `~100/ts`: whole-ms latencies in 1..199 ms, 10,000 actors.
 * The checksum (the sum of every event's virtual time, and the event count) is independent of tie
 * order; each engine must reproduce the one computed arithmetically here, which proves it did the
 * same work.
 *
 * Engines: a binary heap over typed arrays with the work inlined (the heap's ceiling); a timing
 * wheel over typed arrays (1,024 slots, each as wide as the workload needs to span its latencies;
 * a single level: a baseline, not a general queue);
 * agentsim callbacks (trace off; trace on, each event with catalog-like attributes); agentsim
 * async processes (`await ctx.sleep`); the floor under async processes (the kernel's queue and
 * V8's promises and awaits, nothing else); @sinonjs/fake-timers driving the same callbacks (`runAll`)
 * and the same async actors (`runAllAsync`).
 *
 * Honest measurement: each run is in a fresh Node process after a warm-up (no engine inherits
 * another's JIT feedback or heap), with the heap collected first. Rounds interleave the engines
 * (their order rotates each round), so a change of load on the shared machine hits them alike;
 * ratios are paired (computed within each round, then the median taken), beside each engine's
 * min and median time. Ratios use each run's CPU time (its process's, all threads): on a shared
 * machine, time spent preempted inflates wall time, not CPU time; wall medians are shown too. AGENTSIM_BENCH_ROUNDS sets the rounds (default 5), AGENTSIM_BENCH_EVENTS the
 * events per run (default 300,000).
 *
 * Memory: bytes of heap (and array buffers) per live coroutine (10,000 processes blocked in a
 * sleep, against fake-timers' async actors awaiting a timer) and per kernel event of a traced run.
 */
import FakeTimers from "@sinonjs/fake-timers";
import { availableParallelism, loadavg } from "node:os";
import { EventQueue } from "../src/sim/event-queue.js";
import { RngStreams } from "../src/sim/rng.js";
import { Simulation, type ProcessContext } from "../src/sim/simulation.js";
import { inChild } from "./in-child.js";

const EVENTS = Number(process.env.AGENTSIM_BENCH_EVENTS ?? 300_000);
const ROUNDS = Number(process.env.AGENTSIM_BENCH_ROUNDS ?? 5);
const SEED = 20260309;
const LIVE_COROUTINES = 10_000;

/** A workload's shape: actors and how latencies are drawn. */
interface Shape {
  key: string;
  label: string;
  actors: number;
  /** Latencies are whole ms in 1..maxMs (fake-timers rounds to whole ms, so every engine gets whole ms). */
  maxMs: number;
}

const SHAPES: readonly Shape[] = [
  { key: "d1", label: "1 event/timestamp, 1,000 actors", actors: 1_000, maxMs: 200_000 },
  { key: "d1n10k", label: "1 event/timestamp, 10,000 actors", actors: 10_000, maxMs: 2_000_000 },
  { key: "d3", label: "~3 events/timestamp, 1,000 actors", actors: 1_000, maxMs: 665 },
  { key: "d100", label: "~100 events/timestamp, 10,000 actors", actors: 10_000, maxMs: 199 },
];

/** One workload: N actors, S steps each, and the latency of step s of actor a at lat[a * S + s]. */
interface Workload {
  readonly actors: number;
  readonly steps: number;
  readonly lat: Float64Array;
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

function makeWorkload(shape: Shape, events: number): Workload {
  const steps = Math.ceil(events / shape.actors);
  const rng = new RngStreams(SEED).stream("bench:latency");
  const lat = new Float64Array(shape.actors * steps);
  for (let i = 0; i < lat.length; i++) lat[i] = rng.int(1, shape.maxMs);
  let expected = 0;
  for (let a = 0; a < shape.actors; a++) {
    let t = 0;
    for (let s = 0; s < steps; s++) {
      t += lat[a * steps + s] as number;
      expected += t;
    }
  }
  return { actors: shape.actors, steps, lat, expected };
}

/** Events per distinct timestamp of a workload (what its label claims, measured). */
function density(w: Workload): number {
  const times = new Set<number>();
  for (let a = 0; a < w.actors; a++) {
    let t = 0;
    for (let s = 0; s < w.steps; s++) {
      t += w.lat[a * w.steps + s] as number;
      times.add(t);
    }
  }
  return (w.actors * w.steps) / times.size;
}

/** The heap's ceiling: a binary min-heap over typed arrays ordered by (time, sequence), inlined work. */
const heapCeiling: Engine = (w) => {
  const cap = w.actors + 1;
  const times = new Float64Array(cap);
  const seqs = new Float64Array(cap);
  const targets = new Int32Array(cap);
  const step = new Int32Array(w.actors);
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

/**
 * A timing wheel over typed arrays: 1,024 slots of `width` ms (a power of two, so that the wheel
 * spans the largest latency: no overflow list needed here), each slot an unsorted list (head and
 * next links). With 1 ms slots every entry of a slot has the same time and none can join the slot
 * being drained, so a slot drains in insertion order; with wider slots the slot's earliest entry
 * (by time, then insertion) is found by a scan, one event at a time, so an event scheduled into
 * the slot being drained still runs in order.
 */
function timingWheel(maxMs: number): Engine {
  return (w) => {
    const SLOTS = 1024;
    const MASK = SLOTS - 1;
    const width = 2 ** Math.max(0, Math.ceil(Math.log2((maxMs + 1) / SLOTS)));
    const cap = w.actors + 1;
    const head = new Int32Array(SLOTS).fill(-1);
    const tail = new Int32Array(SLOTS).fill(-1);
    const next = new Int32Array(cap);
    const time = new Float64Array(cap);
    const seqOf = new Float64Array(cap);
    const who = new Int32Array(cap);
    const free = new Int32Array(cap);
    let freeTop = 0;
    for (let i = cap - 1; i >= 0; i--) free[freeTop++] = i;
    const step = new Int32Array(w.actors);
    let pending = 0;
    let seq = 0;
    const add = (t: number, a: number): void => {
      const e = free[--freeTop] as number;
      time[e] = t;
      seqOf[e] = seq++;
      who[e] = a;
      next[e] = -1;
      const slot = Math.floor(t / width) & MASK;
      if (tail[slot] === -1) head[slot] = e;
      else next[tail[slot] as number] = e;
      tail[slot] = e;
      pending++;
    };
    for (let a = 0; a < w.actors; a++) add(w.lat[a * w.steps] as number, a);
    const tally = newTally();
    const fire = (e: number): void => {
      const now = time[e] as number;
      const a = who[e] as number;
      free[freeTop++] = e;
      pending--;
      count(tally, now);
      const s = (step[a] as number) + 1;
      step[a] = s;
      if (s < w.steps) add(now + (w.lat[a * w.steps + s] as number), a);
    };
    for (let cursor = 0; pending > 0; cursor++) {
      const slot = cursor & MASK;
      const end = (cursor + 1) * width;
      if (width === 1) {
        let e = head[slot] as number;
        head[slot] = -1;
        tail[slot] = -1;
        while (e !== -1) {
          const n = next[e] as number;
          fire(e);
          e = n;
        }
        continue;
      }
      for (;;) {
        // The earliest entry of this slot due before the slot's end (later laps stay).
        let best = -1;
        let prevBest = -1;
        for (let prev = -1, e = head[slot] as number; e !== -1; prev = e, e = next[e] as number) {
          const t = time[e] as number;
          if (t >= end) continue;
          if (best === -1 || t < (time[best] as number) || (t === time[best] && (seqOf[e] as number) < (seqOf[best] as number))) {
            best = e;
            prevBest = prev;
          }
        }
        if (best === -1) break;
        const n = next[best] as number;
        if (prevBest === -1) head[slot] = n;
        else next[prevBest] = n;
        if (tail[slot] === best) tail[slot] = prevBest;
        fire(best);
      }
    }
    return result(tally);
  };
}

const ATTR_CALLER = "agent";

/** agentsim, one callback per event, `sim.schedule(delay, fn, arg)` with a preallocated arg. */
function agentsimCallbacks(traced: boolean): Engine {
  return async (w) => {
    const sim = new Simulation({ seed: SEED, trace: traced });
    const { lat, steps } = w;
    const tally = newTally();
    const step = new Int32Array(w.actors);
    const last = new Int32Array(w.actors).fill(-1);
    const names = Array.from({ length: w.actors }, (_, a) => `actor:${a}`);
    const onStep = traced
      ? (a: number): void => {
          count(tally, sim.now);
          const s = (step[a] as number) + 1;
          const l = lat[a * steps + s - 1] as number;
          // Attributes shaped like the catalog's tool calls: a short string, a count, a latency.
          last[a] = sim.trace.instant({
            actor: names[a] as string,
            layer: "tool",
            kind: "tool.call",
            parent: last[a] as number,
            attrs: { caller: ATTR_CALLER, step: s, latencyMs: l },
          });
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
    if (traced && sim.trace.length !== out.events) throw new Error("agentsim callbacks: trace lost events");
    if (traced) sim.trace.hash();
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

/**
 * The floor under agentsim's async processes, what V8 itself needs: the kernel's event queue, one
 * promise per sleep whose resolver waits in an array, and the kernel's yield between timestamps (a
 * microtask, then a tick), with nothing else: no process handles, contexts, wait records,
 * cancellation or watching for a process's end. agentsim async can approach it, not beat it; a
 * target it misses too is bounded by V8, not by the kernel.
 */
const asyncFloor: Engine = (w) =>
  new Promise((done) => {
    const { lat, steps } = w;
    const queue = new EventQueue(1024);
    const resolvers: ((v: undefined) => void)[] = new Array(w.actors);
    const tally = newTally();
    let now = 0;
    let seq = 0;
    let captured: (v: undefined) => void = () => {};
    const capture = (resolve: (v: undefined) => void): void => {
      captured = resolve;
    };
    const sleep = (a: number, ms: number): Promise<undefined> => {
      const p = new Promise<undefined>(capture);
      resolvers[a] = captured;
      queue.push(now + ms, seq++, a);
      return p;
    };
    const actor = async (a: number): Promise<void> => {
      for (let s = 0; s < steps; s++) {
        await sleep(a, lat[a * steps + s] as number);
        count(tally, now);
      }
    };
    const resolved = Promise.resolve();
    const tick = (): void => {
      process.nextTick(step);
    };
    const step = (): void => {
      if (queue.size === 0) return done(result(tally));
      now = queue.peekTime();
      do (resolvers[queue.pop()] as (v: undefined) => void)(undefined);
      while (queue.size > 0 && queue.peekTime() === now);
      void resolved.then(tick);
    };
    for (let a = 0; a < w.actors; a++) void actor(a);
    void resolved.then(tick);
  });

/** fake-timers, the same callbacks through `clock.setTimeout` and `runAll`. */
const fakeTimersCallbacks: Engine = (w) => {
  const clock = FakeTimers.createClock(0, 1e9);
  const { lat, steps } = w;
  const tally = newTally();
  const step = new Int32Array(w.actors);
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

const ENGINES: readonly { key: string; label: string; run: (shape: Shape) => Engine }[] = [
  { key: "heap", label: "typed-array binary heap (ceiling)", run: () => heapCeiling },
  { key: "wheel", label: "typed-array timing wheel (baseline)", run: (shape) => timingWheel(shape.maxMs) },
  { key: "cbOff", label: "agentsim callbacks, trace off", run: () => agentsimCallbacks(false) },
  { key: "cbOn", label: "agentsim callbacks, trace on + hash", run: () => agentsimCallbacks(true) },
  { key: "async", label: "agentsim async processes", run: () => agentsimAsync },
  { key: "floor", label: "async floor (queue + V8 promises only)", run: () => asyncFloor },
  { key: "ftCb", label: "fake-timers runAll (callbacks)", run: () => fakeTimersCallbacks },
  { key: "ftAsync", label: "fake-timers runAllAsync (async)", run: () => fakeTimersAsync },
];

/** Wall time and this process's CPU time (all threads, GC helpers included) of one run, in ms. */
interface Timing {
  ms: number;
  cpuMs: number;
}

async function timeOnce(engine: Engine, w: Workload): Promise<Timing> {
  collectGarbage();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await engine(w);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (res.events !== w.actors * w.steps || res.checksum !== w.expected) {
    throw new Error(`checksum mismatch: ${res.events} events, checksum ${res.checksum}, expected ${w.actors * w.steps} / ${w.expected}`);
  }
  return { ms, cpuMs: (c.user + c.system) / 1000 };
}

/** Starts each measurement with a clean heap when node runs with --expose-gc (as `npm run bench` does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapBytes(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Lets pending jobs (and WeakRef targets kept for the job) go before measuring the heap. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve)); // a bench reads real time
}

/** Memory figures, measured in a fresh child. */
interface Memory {
  asyncPerCoroutine: number;
  floorPerCoroutine: number;
  fakePerCoroutine: number;
  tracePerEvent: number;
}

async function measureMemoryHere(): Promise<Memory> {
  const n = LIVE_COROUTINES;
  // Names and bodies are the caller's, made before measuring, and one body serves every coroutine
  // on both sides: what is measured is what each engine adds per live coroutine.
  const names = Array.from({ length: n }, (_, a) => `actor:${a}`);
  const sleeper = async (ctx: ProcessContext): Promise<void> => {
    await ctx.sleep(1e9);
  };
  const clock = FakeTimers.createClock(0, 1e9);
  const fakeSleeper = async (): Promise<void> => {
    await new Promise((r) => clock.setTimeout(r, 1e9));
  };
  // agentsim: n processes, each blocked in a long sleep.
  await settle();
  let before = heapBytes();
  const sim = new Simulation({ seed: SEED, trace: false });
  for (let a = 0; a < n; a++) sim.spawn(names[a] as string, sleeper);
  await sim.run({ horizon: 1 });
  await settle();
  const asyncPerCoroutine = (heapBytes() - before) / n;
  if (sim.waitingProcesses().length !== n) throw new Error("memory: not every process is waiting");
  // The floor: n async functions, each awaiting a promise whose resolver waits in an array.
  before = heapBytes();
  const resolvers: ((v: undefined) => void)[] = new Array(n);
  let captured: (v: undefined) => void = () => {};
  const capture = (resolve: (v: undefined) => void): void => {
    captured = resolve;
  };
  const floorSleeper = async (a: number): Promise<void> => {
    const p = new Promise<undefined>(capture);
    resolvers[a] = captured;
    await p;
  };
  for (let a = 0; a < n; a++) void floorSleeper(a);
  await settle();
  const floorPerCoroutine = (heapBytes() - before) / n;
  // fake-timers: n async actors, each awaiting a timer.
  before = heapBytes();
  const done: Promise<void>[] = [];
  for (let a = 0; a < n; a++) done.push(fakeSleeper());
  await settle();
  const fakePerCoroutine = (heapBytes() - before) / n;
  // The trace: bytes retained per kernel event of a traced run (the trace with catalog-like attributes).
  const w = makeWorkload(SHAPES[0] as Shape, EVENTS);
  before = heapBytes();
  const traced = new Simulation({ seed: SEED });
  const last = new Int32Array(w.actors).fill(-1);
  const step = new Int32Array(w.actors);
  const onStep = (a: number): void => {
    const s = (step[a] as number) + 1;
    last[a] = traced.trace.instant({
      actor: names[a % n] as string,
      layer: "tool",
      kind: "tool.call",
      parent: last[a] as number,
      attrs: { caller: ATTR_CALLER, step: s, latencyMs: w.lat[a * w.steps + s - 1] as number },
    });
    step[a] = s;
    if (s < w.steps) traced.schedule(w.lat[a * w.steps + s] as number, onStep, a);
  };
  for (let a = 0; a < w.actors; a++) traced.schedule(w.lat[a * w.steps] as number, onStep, a);
  const out = await traced.run();
  await settle();
  const tracePerEvent = (heapBytes() - before) / out.events;
  // Keep everything measured alive until measured.
  if (done.length !== n || resolvers.length !== n || traced.trace.length !== out.events) throw new Error("memory: lost work");
  return { asyncPerCoroutine, floorPerCoroutine, fakePerCoroutine, tracePerEvent };
}

/** One timing, in this (child) process: a warm-up on a tenth of the workload, then the timed run. */
async function measureHere(key: string, shapeKey: string): Promise<void> {
  const engine = ENGINES.find((e) => e.key === key);
  const shape = SHAPES.find((s) => s.key === shapeKey);
  if (!engine || !shape) throw new Error(`unknown engine ${key} or workload ${shapeKey}`);
  const run = engine.run(shape);
  await timeOnce(run, makeWorkload(shape, EVENTS / 10));
  const timing = await timeOnce(run, makeWorkload(shape, EVENTS));
  if (process.send) process.send(timing);
  else console.log(JSON.stringify({ engine: key, workload: shapeKey, ...timing })); // run by hand, e.g. under --cpu-prof
}

function loadNote(): string {
  const [one] = loadavg();
  const cores = availableParallelism();
  return `load average ${(one ?? 0).toFixed(1)} on ${cores} cores${(one ?? 0) > cores ? " (busy machine: times are inflated, ratios less reliable)" : ""}`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function fmtRate(eventsPerSec: number): string {
  return eventsPerSec >= 1e6 ? `${(eventsPerSec / 1e6).toFixed(2)}M/s` : `${(eventsPerSec / 1e3).toFixed(0)}K/s`;
}

function verdict(ok: boolean): string {
  return ok ? "met" : "MISSED";
}

async function main(): Promise<void> {
  console.log(`agentsim kernel benchmark: ${EVENTS.toLocaleString("en-US")} events per run, seed ${SEED}, node ${process.version}`);
  console.log(
    `each run in a fresh process after a warm-up; ${ROUNDS} rounds, engines interleaved (order rotated each round); paired ratios: median [min..max] over rounds`,
  );
  console.log(`at start: ${loadNote()}\n`);
  let allMet = true;
  for (const shape of SHAPES) {
    const w = makeWorkload(shape, EVENTS);
    const timings: Record<string, Timing[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < ENGINES.length; k++) {
        const e = ENGINES[(k + r) % ENGINES.length] as (typeof ENGINES)[number];
        (timings[e.key] ??= []).push(await inChild<Timing>(import.meta.url, ["--measure", e.key, shape.key]));
      }
    }
    const n = w.actors * w.steps;
    // Ratios use CPU time: on a shared machine, time spent preempted inflates wall time but not CPU time.
    const times: Record<string, number[]> = Object.fromEntries(Object.entries(timings).map(([k, ts]) => [k, ts.map((t) => t.cpuMs)]));
    const walls: Record<string, number[]> = Object.fromEntries(Object.entries(timings).map(([k, ts]) => [k, ts.map((t) => t.ms)]));
    console.log(`${shape.label}: measured ${density(w).toFixed(2)} events per timestamp, ${w.actors.toLocaleString("en-US")} actors x ${w.steps} steps`);
    console.log(
      `  ${"engine".padEnd(38)} ${"cpu min".padStart(8)} ${"cpu median".padStart(10)} ${"wall median".padStart(11)} ${"events/s".padStart(9)} ${"ns/event".padStart(9)}  (ms; rate and ns from cpu median)`,
    );
    for (const e of ENGINES) {
      const ts = times[e.key] as number[];
      const med = median(ts);
      console.log(
        `  ${e.label.padEnd(38)} ${Math.min(...ts)
          .toFixed(1)
          .padStart(8)} ${med.toFixed(1).padStart(10)} ${median(walls[e.key] as number[])
          .toFixed(1)
          .padStart(11)} ${fmtRate((n * 1000) / med).padStart(9)} ${((med * 1e6) / n).toFixed(0).padStart(9)}`,
      );
    }
    const paired = (num: string, den: string): string => {
      const rs = (times[num] as number[]).map((t, i) => t / (times[den] as number[])[i]!);
      return `${median(rs).toFixed(2)}x [${Math.min(...rs).toFixed(2)}..${Math.max(...rs).toFixed(2)}]`;
    };
    const ratio = (num: string, den: string): number => median((times[num] as number[]).map((t, i) => t / (times[den] as number[])[i]!));
    const vsFake = ratio("ftAsync", "async");
    console.log(`  paired ratios of CPU time (median [min..max] over rounds):`);
    console.log(
      `    fake-timers async / agentsim async       ${paired("ftAsync", "async")}${shape.key === "d1" || shape.key === "d1n10k" ? `  (target >= 5: ${verdict(vsFake >= 5)})` : ""}`,
    );
    console.log(`    fake-timers async / async floor          ${paired("ftAsync", "floor")}  (the most any kernel of promises gets)`);
    console.log(`    agentsim async / async floor             ${paired("async", "floor")}`);
    console.log(`    agentsim callbacks / heap ceiling        ${paired("cbOff", "heap")}`);
    console.log(`    timing wheel / heap ceiling              ${paired("wheel", "heap")}`);
    console.log(`    trace on + hash / trace off              ${paired("cbOn", "cbOff")}`);
    console.log(`    fake-timers callbacks / agentsim callbacks ${paired("ftCb", "cbOff")}\n`);
    if (shape.key === "d1" || shape.key === "d1n10k") allMet &&= vsFake >= 5;
  }
  const mem = await inChild<Memory>(import.meta.url, ["--memory"]);
  console.log(`memory (heap and array buffers retained, after a collection):`);
  console.log(
    `  per live coroutine, ${LIVE_COROUTINES.toLocaleString("en-US")} blocked in a sleep: agentsim ${mem.asyncPerCoroutine.toFixed(0)} B, async floor ${mem.floorPerCoroutine.toFixed(0)} B, fake-timers ${mem.fakePerCoroutine.toFixed(0)} B  (target <= 1024 B: ${verdict(mem.asyncPerCoroutine <= 1024)})`,
  );
  console.log(
    `  per kernel event of a traced run (compact trace, catalog-like attributes): ${mem.tracePerEvent.toFixed(0)} B  (target <= 256 B: ${verdict(mem.tracePerEvent <= 256)})`,
  );
  console.log(`  (whole catalog runs: bench/scenario.bench.ts)\n`);
  allMet &&= mem.asyncPerCoroutine <= 1024 && mem.tracePerEvent <= 256;
  console.log(`at end: ${loadNote()}`);
  console.log(allMet ? "All kernel targets met." : "Some kernel targets missed (see above).");
}

const [mode, key, shapeKey] = process.argv.slice(2);
if (mode === "--measure") await measureHere(key as string, shapeKey as string);
else if (mode === "--memory") {
  const m = await measureMemoryHere();
  if (process.send) process.send(m);
  else console.log(JSON.stringify(m));
} else await main();
