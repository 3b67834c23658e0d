/**
 * Single flight in front of a provider's prompt cache: a `ModelPort` that a fleet's requests go
 * through (FACTS.md "Cache stampede prevention"). The provider does not say whether a prefix is
 * cached, so the fleet keeps its own record of each prefix (`PrefixWarmth`), fed by every response
 * that begins.
 *
 * With single flight on, a request whose prefix the record cannot vouch for joins that prefix's
 * flight (`SingleFlight`): the first leads and sends at once (`single-flight.lead`, layer
 * `harness`); the others wait until the leader's response begins, when its write of the prefix is
 * visible, and then send, naming the leader's first token as their cause, and read what it wrote.
 * A leader whose call fails lands the flight with its error, and the followers send anyway.
 * With it off, requests pass straight through and only feed the record.
 *
 * Requests without a prefix always pass straight through.
 */
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { Attrs } from "../sim/trace.js";
import type { LlmRequest, LlmResponse, ModelPort } from "./contracts.js";
import type { PrefixWarmth } from "./prefix-warmth.js";
import { SingleFlight } from "./single-flight.js";

/** How the fleet coordinates its requests for cached prefixes. */
export interface SingleFlightModelOptions {
  /** The fleet's record of a prefix (the same one for the same key). */
  warmth: (prefixKey: string) => PrefixWarmth;
  /** Whether requests for a prefix that may be cold single-flight (false: they only feed the record). */
  enabled: boolean;
  /** The flights (default: a new group). */
  flights?: SingleFlight<number>;
}

/** What a caller may add to one request: attributes of its lead event, and how long it waited as a follower. */
export interface SingleFlightSend {
  leadAttrs?: Attrs;
  onWaited?: (ms: number) => void;
}

/** A model port that single-flights requests for prefixes that may be cold. */
export class SingleFlightModel implements ModelPort {
  readonly name: string;
  readonly flights: SingleFlight<number>;
  readonly #sim: Simulation;
  readonly #model: ModelPort;
  readonly #o: SingleFlightModelOptions;

  constructor(sim: Simulation, model: ModelPort, options: SingleFlightModelOptions) {
    this.#sim = sim;
    this.#model = model;
    this.#o = options;
    this.name = model.name;
    this.flights = options.flights ?? new SingleFlight<number>(sim);
  }

  /** Sends `request` through the flight of its prefix when single flight is on and the prefix may be cold. */
  async complete(ctx: ProcessContext, request: LlmRequest, send: SingleFlightSend = {}): Promise<LlmResponse> {
    const key = request.prefixKey;
    if (key === undefined) return this.#model.complete(ctx, request);
    const sim = this.#sim;
    const warmth = this.#o.warmth(key);
    const actor = request.caller;
    let parent = request.parent;
    let land: ((eventId: number) => void) | undefined;
    if (this.#o.enabled && !warmth.warmAt(ctx.now)) {
      const flight = this.flights.join(key);
      if (flight.leader) {
        land = flight.land;
        parent = sim.trace.instant({ actor, layer: "harness", kind: "single-flight.lead", parent, attrs: { prefixKey: key, ...send.leadAttrs } });
      } else {
        const since = ctx.now;
        parent = await ctx.wait(flight.landed, `${actor}: the re-warm of ${key} to begin`);
        send.onWaited?.(ctx.now - since);
      }
    }
    const arrivedAt = ctx.now;
    const response = await this.#model.complete(ctx, {
      ...request,
      parent,
      onFirstToken: (eventId, timing) => {
        warmth.observe({ arrivedAt, firstTokenAt: sim.now, eventId });
        land?.(eventId);
        land = undefined;
        request.onFirstToken?.(eventId, timing);
      },
    });
    if (!response.ok) land?.(response.eventId);
    return response;
  }
}
