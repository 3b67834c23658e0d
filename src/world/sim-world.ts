/**
 * A simulated world: a simulation, the services its network answers for, and the virtual globals
 * that user code sees while it runs there.
 *
 * Contract:
 * - `spawnAgent(name, body)` runs user code (a plain async function that knows nothing of
 *   agentsim) as a simulation process in the world's scope. It is traced as an `agent.run` span
 *   (layer `harness`) whose id is the causal parent of the agent's fetches; it ends with the
 *   agent's value or the error it threw. A thrown error is the agent's outcome, not a crash of the
 *   run: the run goes on, and the scenario judges what the world's services recorded.
 * - `enter(fn)` runs `fn` (typically the kernel's run) with the world installed: the virtual
 *   globals swapped, the leak detector on, and the world's scope set. It restores everything in a
 *   `finally`, whatever `fn` does. One world at a time per thread.
 * - Timers: an unref'd timer that comes due once every agent has finished and no referenced timer
 *   is pending is dropped (see `virtual-timers.ts`), so housekeeping cannot keep a run alive.
 * - A leak (a request to a host no service answers, by fetch, node:http, undici, net, tls, dns,
 *   dgram or a child process, refused before anything leaves: `intercept.ts`; real I/O or a real
 *   timer started from the world) and an exception thrown by a timer callback fail the run: the
 *   kernel ends it as `crashed`, with the error naming what happened and the user's call site.
 *   Leaks are also traced (`world.leak`) and listed in `leaks`. Code that outlives the world is
 *   refused the same way (its refusals are listed in `leaks`, not traced: the run is over).
 * - Real thread-pool work started in the world (zlib, crypto's pbkdf2 and friends) holds virtual
 *   time until it completes, so what follows it happens at the same virtual time on every run.
 * - A bounded drain: once every agent has settled, the world's timers may run for `drain` more
 *   virtual time (default 60 s) and `drainFirings` firings (default 1,000); then those still
 *   pending are cleared and listed in `leftovers` with the user's code that created them (so are
 *   those pending when a run ends otherwise: crashed, horizon, budget). The services' own work (a
 *   tool call still committing) runs to its end.
 * - A wall-clock bound (`timeout`, default 4 s of real time, under vitest's and Jest's default test
 *   timeout; under vitest with a longer test timeout, 1 s under it): a world still running then is
 *   ended as `crashed` and torn down (real work it waits for is abandoned), so the next world on
 *   the thread, in the next test, starts clean.
 */
import { parseDuration, type DurationInput } from "../sim/duration.js";
import type { ProcessHandle, Simulation, TimerHandle } from "../sim/simulation.js";
import { closeWorldConnections, guardUndici, installNetworkGuards } from "./intercept.js";
import { LeakDetector } from "./leak-detector.js";
import { SimNetwork, SimulationLeakError, type SimService } from "./sim-fetch.js";
import { installVirtualGlobals } from "./virtual-globals.js";
import { VirtualTimers } from "./virtual-timers.js";
import { anyScope, outsideWorld, withScope, type WorldRuntime } from "./world-context.js";
import type { Ended } from "../sim/process.js";

/** The services a simulated world's fetch reaches. */
export interface SimWorldOptions {
  /** The services the world's fetch reaches, one per host. */
  services?: readonly SimService[];
  /** Virtual time the world's timers may still run once every agent has settled (default 60 s). */
  drain?: DurationInput;
  /** Timer firings allowed in the drain (default 1,000). */
  drainFirings?: number;
  /** Real time, in ms, the world may run before it is ended as timed out (default: 4,000, or 1,000 under vitest's test timeout when that is longer). */
  timeout?: number;
}

/** The real `setTimeout`, for the world's wall-clock bound (captured before any world swaps it). */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** How an agent's code ended. */

/** A simulated world for user code. */
export class SimWorld implements WorldRuntime {
  readonly sim: Simulation;
  readonly network: SimNetwork;
  readonly timers: VirtualTimers;
  readonly #leaks: string[] = [];
  readonly #leftovers: string[] = [];
  readonly #detector: LeakDetector;
  readonly #drainMs: number;
  readonly #drainFirings: number;
  readonly #timeoutMs: number;
  #active = false;
  #agentsRunning = 0;
  /** Resolves when the world gives up waiting (its wall-clock bound): releases every hold. */
  #abandon: (() => void) | undefined;
  #abandoned: Promise<void> = new Promise((resolve) => {
    this.#abandon = resolve;
  });
  /** While draining: the kernel timer that ends the drain (armed once a timer is pending), and the firings left. */
  #drain: { until: number; end: TimerHandle | undefined; firingsLeft: number } | undefined;

  constructor(sim: Simulation, options: SimWorldOptions = {}) {
    installNetworkGuards();
    this.sim = sim;
    // Real libraries wait on immediates and I/O callbacks, not only promises: a full turn between timestamps.
    sim.useEventLoopTurns();
    this.#drainMs = parseDuration(options.drain ?? "60s");
    this.#drainFirings = options.drainFirings ?? 1_000;
    this.#timeoutMs = options.timeout ?? defaultTimeoutMs();
    this.network = new SimNetwork(sim, options.services ?? [], { onLeak: (e) => this.#fail(e), isOpen: () => this.#active });
    this.timers = new VirtualTimers(
      sim,
      (error) => sim.crashed("timer callback", error),
      () => this.#agentsRunning === 0,
      (what) => this.#onTimerActivity(what),
    );
    this.#detector = new LeakDetector(this, (what) => {
      sim.trace.instant({ actor: "world", layer: "sim", kind: "world.leak", attrs: { what } });
      this.#fail(new SimulationLeakError(what));
    });
  }

  /** Timers still pending when the drain ended (cleared then), each with where user code created it. */
  get leftovers(): readonly string[] {
    return this.#leftovers;
  }

  /** Whether a simulated service answers for `host`. */
  hasService(host: string): boolean {
    return this.network.hosts.includes(host.toLowerCase());
  }

  /** Records a refusal (`intercept.ts`); while the world runs, traces it and fails the run. */
  refuse(error: Error): void {
    if (!this.#active) {
      this.#leaks.push(error.message);
      return;
    }
    const what = (error as { what?: string }).what ?? error.message;
    const scope = anyScope();
    this.sim.trace.instant({ actor: scope?.actor ?? "world", layer: "sim", kind: "world.leak", parent: scope?.parent, attrs: { what } });
    this.#fail(error);
  }

  /** Holds virtual time until real work started in the world settles (see the file's contract). */
  hold(work: Promise<unknown>): void {
    if (this.#active) this.sim.hold(Promise.race([work, this.#abandoned]));
  }

  /** Agents spawned and not yet finished. */
  get agentsRunning(): number {
    return this.#agentsRunning;
  }

  /** Whether the world is installed (inside `enter`). */
  get active(): boolean {
    return this.#active;
  }

  /** What leaked, in order. */
  get leaks(): readonly string[] {
    return this.#leaks;
  }

  /** The world's fetch: pass it to a client (`new Anthropic({ fetch: world.fetch })`) or use the global. */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => this.network.fetch(input, init);

  /** Spawns user code as an agent process of this world; see the file's contract. */
  spawnAgent<T>(name: string, body: () => Promise<T>, options: { parent?: number } = {}): ProcessHandle<Ended<T>> {
    const sim = this.sim;
    this.#agentsRunning++;
    const handle = sim.spawn(name, async (): Promise<Ended<T>> => {
      const span = sim.trace.begin({ actor: name, layer: "harness", kind: "agent.run", parent: options.parent });
      try {
        const value = await withScope({ world: this, actor: name, parent: span }, body);
        sim.trace.end(span, { ok: true });
        return { status: "done", value };
      } catch (error) {
        sim.trace.end(span, { ok: false, error: describeError(error) });
        return { status: "failed", error };
      }
    });
    if (this.#drain) {
      if (this.#drain.end !== undefined) this.sim.cancel(this.#drain.end);
      this.#drain = undefined;
    }
    handle.exited.subscribe(() => {
      this.#agentsRunning--;
      if (this.#agentsRunning === 0 && this.#active) this.#startDrain();
    });
    return handle;
  }

  /** Runs `fn` with the world installed; see the file's contract. */
  async enter<T>(fn: () => Promise<T>): Promise<T> {
    const uninstall = installVirtualGlobals(this);
    guardUndici();
    this.#active = true;
    this.#detector.enable();
    const sim = this.sim;
    const limit = this.#timeoutMs;
    const wall = outsideWorld(() =>
      realSetTimeout(() => {
        // nondeterminism-ok: a wall-clock bound on a stuck run; reaching it ends the run as crashed
        sim.crashed(
          "world",
          new Error(
            `agentsim: the world was still running after ${limit} ms of real time (at virtual ${sim.now} ms); it was ended and torn down (raise \`timeout\` if the run is meant to take this long)`,
          ),
        );
        this.#abandon?.();
      }, limit),
    );
    wall.unref();
    try {
      return await withScope({ world: this, actor: "world" }, fn);
    } finally {
      realClearTimeout(wall);
      this.#detector.disable();
      this.#active = false;
      this.#drain = undefined;
      for (const t of this.timers.referenced()) this.#leftovers.push(`agentsim: ${t.describe()} was still pending when the run ended; it was cleared`);
      this.timers.clearAll();
      closeWorldConnections(this);
      uninstall();
    }
  }

  #startDrain(): void {
    this.#drain = { until: this.sim.now + this.#drainMs, end: undefined, firingsLeft: this.#drainFirings };
    this.#armDrainEnd();
  }

  /** Arms the drain's end once a referenced timer is pending (so a drain with none adds no virtual time). */
  #armDrainEnd(): void {
    const drain = this.#drain;
    if (!drain || drain.end !== undefined || this.timers.referenced().length === 0) return;
    drain.end = this.sim.at(Math.max(drain.until, this.sim.now), () => this.#endDrain());
  }

  #onTimerActivity(what: "start" | "fire" | "stop"): void {
    const drain = this.#drain;
    if (!drain) return;
    if (what === "start") this.#armDrainEnd();
    else if (what === "fire") {
      if (--drain.firingsLeft <= 0) this.#endDrain();
    } else if (drain.end !== undefined && this.timers.referenced().length === 0) {
      this.sim.cancel(drain.end);
      drain.end = undefined;
    }
  }

  /** Ends the drain: clears the world's timers, listing those that were keeping it alive. */
  #endDrain(): void {
    const drain = this.#drain;
    if (!drain) return;
    this.#drain = undefined;
    if (drain.end !== undefined) this.sim.cancel(drain.end);
    for (const t of this.timers.referenced()) {
      this.#leftovers.push(`agentsim: ${t.describe()} was still pending when the drain after the last agent ended; it was cleared`);
    }
    this.timers.clearAll();
  }

  #fail(error: Error): void {
    this.#leaks.push(error.message);
    this.sim.crashed("world", error);
  }
}

/** The default wall-clock bound: 4 s, or 1 s under the running vitest test timeout when that is longer. */
function defaultTimeoutMs(): number {
  const worker = (globalThis as { __vitest_worker__?: { config?: { testTimeout?: unknown } } }).__vitest_worker__;
  const testTimeout = worker?.config?.testTimeout;
  return typeof testTimeout === "number" && testTimeout > 5_000 ? testTimeout - 1_000 : 4_000;
}

/** An error as one line for the trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
