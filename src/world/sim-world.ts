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
 * - A leak (a fetch to a host no service answers, real I/O or a real timer started from the world)
 *   and an exception thrown by a timer callback fail the run: the kernel ends it as `crashed`, with
 *   the error naming what happened. Leaks are also traced (`world.leak`) and listed in `leaks`.
 */
import type { ProcessHandle, Simulation } from "../sim/simulation.js";
import { LeakDetector } from "./leak-detector.js";
import { SimNetwork, SimulationLeakError, type SimService } from "./sim-fetch.js";
import { installVirtualGlobals } from "./virtual-globals.js";
import { VirtualTimers } from "./virtual-timers.js";
import { withScope, type WorldRuntime } from "./world-context.js";

/** The services a simulated world's fetch reaches. */
export interface SimWorldOptions {
  /** The services the world's fetch reaches, one per host. */
  services?: readonly SimService[];
}

/** How an agent's code ended. */
export type AgentOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A simulated world for user code. */
export class SimWorld implements WorldRuntime {
  readonly sim: Simulation;
  readonly network: SimNetwork;
  readonly timers: VirtualTimers;
  readonly #leaks: string[] = [];
  readonly #detector: LeakDetector;
  #active = false;
  #agentsRunning = 0;

  constructor(sim: Simulation, options: SimWorldOptions = {}) {
    this.sim = sim;
    // Real libraries wait on immediates and I/O callbacks, not only promises: a full turn between timestamps.
    sim.useEventLoopTurns();
    this.network = new SimNetwork(sim, options.services ?? [], { onLeak: (e) => this.#fail(e) });
    this.timers = new VirtualTimers(
      sim,
      (error) => sim.crashed("timer callback", error),
      () => this.#agentsRunning === 0,
    );
    this.#detector = new LeakDetector(this, (what) => {
      sim.trace.instant({ actor: "world", layer: "sim", kind: "world.leak", attrs: { what } });
      this.#fail(new SimulationLeakError(what));
    });
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
  spawnAgent<T>(name: string, body: () => Promise<T>, options: { parent?: number } = {}): ProcessHandle<AgentOutcome<T>> {
    const sim = this.sim;
    this.#agentsRunning++;
    const handle = sim.spawn(name, async (): Promise<AgentOutcome<T>> => {
      const span = sim.trace.begin({ actor: name, layer: "harness", kind: "agent.run", parent: options.parent });
      try {
        const value = await withScope({ world: this, actor: name, parent: span }, body);
        sim.trace.end(span, { ok: true });
        return { ok: true, value };
      } catch (error) {
        sim.trace.end(span, { ok: false, error: describeError(error) });
        return { ok: false, error };
      }
    });
    handle.exited.subscribe(() => this.#agentsRunning--);
    return handle;
  }

  /** Runs `fn` with the world installed; see the file's contract. */
  async enter<T>(fn: () => Promise<T>): Promise<T> {
    const uninstall = installVirtualGlobals(this);
    this.#active = true;
    this.#detector.enable();
    try {
      return await withScope({ world: this, actor: "world" }, fn);
    } finally {
      this.#detector.disable();
      this.#active = false;
      this.timers.clearAll();
      uninstall();
    }
  }

  #fail(error: SimulationLeakError): void {
    this.#leaks.push(error.message);
    this.sim.crashed("world", error);
  }
}

/** An error as one line for the trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
