/**
 * Keeping a cached prefix warm by probabilistic early refresh: XFetch (Vattani et al., PVLDB 2015;
 * FACTS.md "Cache stampede prevention") refreshes when `now - δ·β·ln(rand) >= expiry`, that is at
 * `expiry - δ·β·(-ln u)` for u uniform in (0, 1]: a random moment before expiry, earlier when the
 * recompute is slow (δ) or β is larger (β = 1 by default).
 *
 * For a fleet: every worker runs that rule against the fleet's shared record of the prefix
 * (`PrefixWarmth`), each with its own draw, so their refresh times are spread rather than equal.
 * The earliest worker refreshes; it marks the record before sending, so no other worker refreshes
 * together with it, and once its response begins the record's expiry moves and every worker draws
 * again. The earliest of n such timers fires at `expiry - δ·β·G` with G the largest of n standard
 * exponentials (distribution function (1 - e^-g)^n), so one draw `G = -ln(1 - u^(1/n))` stands
 * for all n timers, and the worker that fires is uniform among them. Between refreshes the fleet
 * holds one timer, not n.
 *
 * A refresh is a request like any other (the caller sends it); a hit refreshes the entry's lifetime
 * at the provider. A refresh that fails before its response begins moves nothing; the fleet then
 * waits for the next response that begins.
 *
 * Random stream: the one passed in (one draw per re-arm, one per worker choice).
 * Trace: `keep-warm.fire` (layer harness) whose parent is the first token that last moved the record.
 */
import type { RandomStream } from "../sim/rng.js";
import type { Simulation, TimerHandle } from "../sim/simulation.js";
import type { PrefixWarmth } from "./prefix-warmth.js";

/** How far before expiry XFetch refreshes for recompute time `deltaMs`, factor `beta` and draw `u` in (0, 1]. */
export function xfetchEarlyMs(deltaMs: number, beta: number, u: number): number {
  return deltaMs * beta * Math.log(1 / u);
}

/** The largest of `n` standard exponential draws, from one uniform `u` in [0, 1). */
export function largestOfExponentials(n: number, u: number): number {
  return -Math.log(1 - Math.pow(u, 1 / n));
}

/** When and why a worker refreshes. */
export interface KeepWarmFire {
  /** Index of the worker that refreshes, in [0, workers). */
  worker: number;
  /** The record's expiry it refreshes ahead of. */
  expiresAt: number;
  /** How long before that expiry it fires. */
  earlyByMs: number;
  /** The `keep-warm.fire` event: the cause of the refresh request. */
  eventId: number;
}

/** A fleet's keep-warm rule: its workers, XFetch's beta, and how a refresh is sent. */
export interface KeepWarmOptions {
  /** The actor name in the trace (default `fleet`). */
  name?: string;
  /** The fleet's record of the prefix. */
  warmth: PrefixWarmth;
  /** Workers running the rule. */
  workers: number;
  /** XFetch's β (1 by default in the paper). */
  beta: number;
  rng: RandomStream;
  /** Sends the refresh request (called from a timer; spawn a process to send). */
  refresh: (fire: KeepWarmFire) => void;
}

/** A fleet's XFetch refresher for one prefix. */
export class KeepWarm {
  readonly name: string;
  readonly #sim: Simulation;
  readonly #o: KeepWarmOptions;
  #timer: TimerHandle | undefined;
  #refreshes = 0;

  constructor(sim: Simulation, options: KeepWarmOptions) {
    if (!(options.workers >= 1)) throw new RangeError(`KeepWarm: workers must be at least 1, got ${options.workers}`);
    if (!(options.beta > 0)) throw new RangeError(`KeepWarm: beta must be positive, got ${options.beta}`);
    this.#sim = sim;
    this.#o = options;
    this.name = options.name ?? "fleet";
    options.warmth.onChange(() => this.#arm());
  }

  /** Refreshes sent so far. */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** Re-draws the fleet's earliest refresh against the record's new expiry. */
  #arm(): void {
    const sim = this.#sim;
    const { warmth, workers, beta, rng } = this.#o;
    if (this.#timer !== undefined) sim.cancel(this.#timer);
    const expiresAt = warmth.expiresAt;
    const earlyByMs = (warmth.deltaMs ?? 0) * beta * largestOfExponentials(workers, rng.next());
    const at = Math.max(sim.now, expiresAt - earlyByMs);
    this.#timer = sim.at(at, () => this.#fire(expiresAt, expiresAt - at));
  }

  #fire(expiresAt: number, earlyByMs: number): void {
    this.#timer = undefined;
    this.#refreshes++;
    const worker = this.#o.rng.int(0, this.#o.workers - 1);
    const eventId = this.#sim.trace.instant({
      actor: this.name,
      layer: "harness",
      kind: "keep-warm.fire",
      parent: this.#o.warmth.eventId,
      attrs: { prefixKey: this.#o.warmth.prefixKey, worker, expiresAt, earlyByMs },
    });
    this.#o.refresh({ worker, expiresAt, earlyByMs, eventId });
  }
}
