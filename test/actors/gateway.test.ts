import { describe, it, expect } from "vitest";
import { Gateway, type GatewayOptions } from "../../src/actors/gateway.js";
import { SessionStore, spawnUser, type Session } from "../../src/actors/sessions.js";
import { Simulation } from "../../src/sim/simulation.js";

interface Story {
  sim: Simulation;
  gateway: Gateway;
  store: SessionStore;
}

/**
 * The orphaned-callback story: Alice opens conv-1 and starts a 40 s render, watches the spinner
 * for `alicePatience`, closes the tab; Bob (if he comes) opens a session 10 s in and inherits the
 * freed id. The render's callback carries the id and, unless `withEpoch` is false, Alice's epoch.
 */
async function story(options: GatewayOptions, opts: { bob?: boolean; alicePatience?: string; withEpoch?: boolean } = {}): Promise<Story> {
  const sim = new Simulation({ seed: 1 });
  const store = new SessionStore(sim);
  const gateway = new Gateway(sim, store, options);
  spawnUser(sim, store, {
    name: "alice",
    patience: opts.alicePatience ?? "5s",
    onOpen: (_ctx, session) => {
      sim.spawn("render", async (job) => {
        const span = sim.trace.begin({ actor: "render", layer: "tool", kind: "tool.call", parent: session.openEvent });
        await job.sleep("40s");
        const done = sim.trace.end(span, { ok: true });
        gateway.deliver({
          conversationId: session.conversationId,
          ...(opts.withEpoch === false ? {} : { epoch: session.epoch }),
          payload: { render: "done" },
          parent: done,
        });
      });
    },
  });
  if (opts.bob ?? true) spawnUser(sim, store, { name: "bob", arriveAfter: "10s", patience: "60s" });
  await sim.run();
  return { sim, gateway, store };
}

const bobOf = (s: Story): Session => s.store.sessions.find((x) => x.user === "bob") as Session;

describe("Gateway without epochs (the failure)", () => {
  it("stitches the old callback into the new session that inherited the id", async () => {
    const s = await story({});
    const bob = bobOf(s);
    expect(bob).toMatchObject({ conversationId: "conv-1", epoch: 2 });
    expect(s.gateway.log).toEqual([
      expect.objectContaining({
        t: 40_000,
        callbackId: "cb-1",
        conversationId: "conv-1",
        epochRequested: 1,
        outcome: "delivered",
        deliveredTo: { conversationId: "conv-1", epoch: 2, user: "bob" },
        reason: "id-match",
      }),
    ]);
    expect(bob.inbox.map((m) => m.payload)).toEqual([{ render: "done" }]);
  });

  it("makes the stitched answer readable as one causal chain from Alice's session to Bob's screen", async () => {
    const s = await story({});
    const message = bobOf(s).inbox[0]?.eventId as number;
    const chain = s.sim.trace.causalChain(message).map((e) => `${e.actor}:${e.kind}:${e.phase}`);
    expect(chain).toEqual([
      "alice:session.open:instant",
      "render:tool.call:begin",
      "render:tool.call:end",
      "gateway:callback.delivered:instant",
      "bob:session.message:instant",
    ]);
  });

  it("drops a callback silently (only the log knows) when no session holds the id", async () => {
    const s = await story({}, { bob: false });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "dropped", reason: "no-session", epochRequested: 1 });
    expect(s.gateway.log[0]?.deliveredTo).toBeUndefined();
    expect(s.gateway.deadLetters).toEqual([]);
  });
});

describe("Gateway with session epochs", () => {
  it("never routes a stale epoch to the session that now holds the id", async () => {
    const s = await story({ epochs: true });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "dropped", reason: "stale-epoch", epochRequested: 1 });
    expect(bobOf(s).inbox).toEqual([]);
    expect(s.sim.trace.events.find((e) => e.kind === "callback.dropped")?.attrs).toMatchObject({ heldByEpoch: 2 });
  });

  it("delivers to the session that asked while it is still open", async () => {
    const s = await story({ epochs: true }, { alicePatience: "60s" });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "delivered", reason: "id-and-epoch-match", deliveredTo: { epoch: 1, user: "alice" } });
  });

  it("refuses a callback that carries no epoch", async () => {
    const s = await story({ epochs: true }, { alicePatience: "60s", withEpoch: false });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "dropped", reason: "missing-epoch", epochRequested: null });
  });
});

describe("Gateway with a dead-letter queue", () => {
  it("records an orphan visibly, with its reason and payload, instead of dropping it", async () => {
    const s = await story({ deadLetter: true }, { bob: false });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "dead-lettered", reason: "no-session" });
    expect(s.gateway.deadLetters).toEqual([{ record: s.gateway.log[0], callback: expect.objectContaining({ id: "cb-1", payload: { render: "done" } }) }]);
    expect(s.sim.trace.events.filter((e) => e.layer === "gateway").map((e) => e.kind)).toEqual(["callback.dead-lettered"]);
  });

  it("with epochs too, dead-letters the stale callback and leaves the new session alone", async () => {
    const s = await story({ epochs: true, deadLetter: true });
    expect(s.gateway.log.map((r) => [r.outcome, r.reason])).toEqual([["dead-lettered", "stale-epoch"]]);
    expect(bobOf(s).inbox).toEqual([]);
  });

  it("cannot by itself stop the stitching: a held id still routes without epochs", async () => {
    const s = await story({ deadLetter: true });
    expect(s.gateway.log[0]).toMatchObject({ outcome: "delivered", deliveredTo: { epoch: 2 } });
  });
});
