// @ts-check
// A scenario of your own: a module whose default export is `defineScenario({ ... })`, named by
// path in a scenario file (`scenario: ./my-scenario.js`) and run with the same command as the
// catalog's: `npx agentsim run examples/custom-scenario/my-scenario.yaml`.
//
// The story: travellers' booking agents race for the hotel's last rooms. Each agent checks how
// many rooms are free, thinks (an LLM call), then books. The hotel's booking API is a tool of our
// own (`RoomInventory`), and the invariant is ours too: never more bookings than rooms. Agents
// that checked at nearly the same time all saw a free room, so all of them book it.
//
// Plain JavaScript with JSDoc types (`// @ts-check` gives editors the types), so the built
// `agentsim` command loads it under plain Node.js, no TypeScript loader needed.
import { LlmProvider } from "agentsim-kit/actors";
import { verdict } from "agentsim-kit/checks";
import { defineScenario, p } from "agentsim-kit/scenarios";

/** @typedef {import("agentsim-kit/actors").ToolPort} ToolPort */
/** @typedef {import("agentsim-kit/actors").ToolRequest} ToolRequest */
/** @typedef {import("agentsim-kit/actors").ToolResponse} ToolResponse */
/** @typedef {import("agentsim-kit/kernel").ProcessContext} ProcessContext */
/** @typedef {import("agentsim-kit/kernel").Simulation} Simulation */
/** @typedef {import("agentsim-kit/kernel").Distribution} Distribution */
/** @typedef {{ t: number, guest: string, eventId: number }} Booking */

/**
 * The hotel's booking API. `{ op: "check" }` answers how many rooms are free; `{ op: "book",
 * guest }` takes one, whether or not one is left, unless the request says `ifAvailable: true`:
 * then it answers 409 when the hotel is full.
 * @implements {ToolPort}
 */
class RoomInventory {
  /**
   * @param {Simulation} sim
   * @param {{ rooms: number, latency: Distribution }} options
   */
  constructor(sim, options) {
    this.name = "rooms";
    this.sim = sim;
    this.free = options.rooms;
    this.latency = options.latency;
    this.rng = sim.rng("rooms:latency");
    /** @type {Booking[]} every booking taken, in order */
    this.bookings = [];
  }

  /**
   * @param {ProcessContext} ctx
   * @param {ToolRequest} request
   * @returns {Promise<ToolResponse>}
   */
  async call(ctx, request) {
    const trace = this.sim.trace;
    const span = trace.begin({
      actor: this.name,
      layer: "tool",
      kind: "tool.call",
      parent: request.parent,
      attrs: { caller: request.caller ?? ctx.process.name, args: request.args },
    });
    await ctx.sleep(this.latency.sample(this.rng));
    const { op, guest, ifAvailable } = request.args;
    if (op === "check") return { ok: true, result: { free: this.free }, eventId: trace.end(span, { ok: true, free: this.free }) };
    if (ifAvailable === true && this.free <= 0) {
      const message = "409 sold out";
      return { ok: false, error: "conflict", message, eventId: trace.end(span, { ok: false, error: "conflict", message }) };
    }
    this.free -= 1;
    const eventId = trace.end(span, { ok: true, booked: String(guest), free: this.free });
    this.bookings.push({ t: this.sim.now, guest: String(guest), eventId });
    return { ok: true, result: { booked: String(guest) }, eventId };
  }
}

/**
 * The invariant: never more bookings than rooms. It reads the tool's own log of bookings
 * (evidence); it breaks at the first booking past the last room, and its evidence is the bookings
 * up to that one (the last is where it broke).
 * @param {readonly Booking[]} bookings
 * @param {number} rooms
 */
function noOverbooking(bookings, rooms) {
  const over = bookings.slice(rooms);
  const first = over[0];
  if (!first) return verdict("no-overbooking", []);
  const message = `${bookings.length} bookings for ${rooms} rooms: ${over.map((b) => b.guest).join(", ")} booked a room already taken`;
  return verdict("no-overbooking", [{ at: first.t, message, evidence: bookings.slice(0, rooms + 1).map((b) => b.eventId) }]);
}

export default defineScenario({
  name: "last-rooms",
  title: "Booking agents race for the last rooms",
  summary: "agents that checked availability at nearly the same time all book the last room",
  params: {
    rooms: p.int(2, { min: 0, max: 1_000, explore: [1, 5], doc: "rooms still free when the first traveller asks", source: "assumption" }),
    travellers: p.int(5, { min: 1, max: 1_000, explore: [1, 10], doc: "travellers whose agents try to book", source: "assumption" }),
    arrivalWindow: p.duration("10s", {
      min: "0ms",
      max: "1h",
      explore: ["1s", "1m"],
      doc: "travellers arrive at uniformly random times in this window",
      source: "assumption",
    }),
    latency: p.distribution({ lognormal: { p50: "300ms", p99: "2s" } }, { doc: "the booking API's latency per call", source: "assumption: a typical web API" }),
  },
  invariants: [{ name: "no-overbooking", description: "never more bookings than rooms" }],
  mitigations: [{ name: "conditional-booking", description: "agents book with ifAvailable: the API refuses (409) when the hotel is full" }],
  defaults: { seed: 3, horizon: "10m" },
  build({ sim, params, mitigations }) {
    const rooms = new RoomInventory(sim, { rooms: params.rooms, latency: params.latency });
    const llm = new LlmProvider(sim, { name: "llm" });
    const conditional = mitigations.has("conditional-booking");
    const arrivals = sim.rng("travellers:arrivals");
    for (let i = 1; i <= params.travellers; i++) {
      const guest = `guest-${i}`;
      const at = arrivals.next() * params.arrivalWindow;
      sim.spawn(`${guest}'s agent`, async (ctx) => {
        await ctx.sleep(at);
        const asked = sim.trace.instant({ actor: guest, layer: "user", kind: "booking.requested" });
        const check = await rooms.call(ctx, { args: { op: "check" }, caller: guest, parent: asked });
        if (!check.ok || typeof check.result !== "object" || check.result === null || !("free" in check.result) || Number(check.result.free) <= 0) return;
        const thought = await llm.complete(ctx, { caller: guest, inputTokens: 1_500, outputTokens: 200, parent: check.eventId });
        await rooms.call(ctx, { args: { op: "book", guest, ifAvailable: conditional }, caller: guest, parent: thought.eventId });
      });
    }
    return {
      check: () => [noOverbooking(rooms.bookings, params.rooms)],
      metrics: () => [
        { name: "rooms", value: params.rooms, unit: "count" },
        { name: "bookings", value: rooms.bookings.length, unit: "count" },
        { name: "overbooked", value: Math.max(0, rooms.bookings.length - params.rooms), unit: "count", note: "guests with a booking but no room" },
        { name: "model cost", value: Math.round(llm.totals.costUsd * 1e4) / 1e4, unit: "usd" },
      ],
    };
  },
});
