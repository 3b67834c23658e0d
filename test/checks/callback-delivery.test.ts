import { describe, expect, it } from "vitest";
import { Gateway } from "../../src/actors/gateway.js";
import { SessionStore } from "../../src/actors/sessions.js";
import { noCrossSessionDelivery, noSilentDrop, requestingSession } from "../../src/checks/callback-delivery.js";
import { Simulation } from "../../src/sim/simulation.js";

/**
 * Alice opens conv-1 and starts a job, then closes; Bob opens and inherits conv-1. A job event
 * caused by Alice's session, and a `job.callback` for it, stand in for the job service.
 */
function aliceLeavesBobInherits(gatewayOptions: { epochs?: boolean; deadLetter?: boolean } = {}) {
  const sim = new Simulation({ seed: 1 });
  const store = new SessionStore(sim);
  const gateway = new Gateway(sim, store, gatewayOptions);
  const alice = store.open("alice");
  const job = sim.trace.instant({ actor: "render", layer: "tool", kind: "job.succeeded", parent: alice.openEvent, attrs: { jobId: "job-1" } });
  sim.trace.instant({ actor: "render", layer: "tool", kind: "job.callback", parent: job, attrs: { jobId: "job-1" } });
  store.close(alice, "gave-up");
  const bob = store.open("bob");
  const record = gateway.deliver({ id: "job-1", conversationId: alice.conversationId, epoch: alice.epoch, payload: "video", parent: job });
  return { sim, store, gateway, alice, bob, record };
}

describe("requestingSession", () => {
  it("finds the session whose open event caused the delivery, not the one that holds the id now", () => {
    const { sim, alice, record } = aliceLeavesBobInherits();
    expect(requestingSession(sim.trace.events, record.eventId)).toEqual({ conversationId: "conv-1", epoch: 1, user: "alice", eventId: alice.openEvent });
  });
});

describe("noCrossSessionDelivery", () => {
  it("flags a result routed by id alone into the session that reused the id", () => {
    const { sim, gateway, alice, bob } = aliceLeavesBobInherits();
    const v = noCrossSessionDelivery(gateway.log, sim.trace.events);
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toContain("started by alice in conv-1 #1, was delivered to bob's session conv-1 #2");
    const kinds = v.violations[0]?.evidence.map((id) => sim.trace.get(id)?.kind);
    expect(kinds).toEqual(["session.open", "session.close", "session.open", "callback.delivered", "session.message"]);
    expect(v.violations[0]?.evidence[0]).toBe(alice.openEvent);
    expect(v.violations[0]?.evidence[2]).toBe(bob.openEvent);
  });

  it("holds when the gateway checks epochs, and when the asker still holds the session", () => {
    const epochs = aliceLeavesBobInherits({ epochs: true });
    expect(noCrossSessionDelivery(epochs.gateway.log, epochs.sim.trace.events).held).toBe(true);
    const sim = new Simulation({ seed: 1 });
    const store = new SessionStore(sim);
    const gateway = new Gateway(sim, store);
    const alice = store.open("alice");
    gateway.deliver({ conversationId: alice.conversationId, payload: 1, parent: alice.openEvent });
    expect(noCrossSessionDelivery(gateway.log, sim.trace.events).held).toBe(true);
  });
});

describe("noSilentDrop", () => {
  it("flags a callback the gateway dropped, naming the session that asked and why", () => {
    const { sim, gateway } = aliceLeavesBobInherits({ epochs: true });
    const v = noSilentDrop(gateway.log, sim.trace.events);
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toMatch(/^the result of job-1 for alice \(conv-1 #1\) was dropped at \S+ \(conv-1 now belongs to a newer session\)/);
    expect(v.violations[0]?.evidence.map((id) => sim.trace.get(id)?.kind)).toEqual(["session.open", "job.callback", "callback.dropped"]);
  });

  it("holds when what cannot be routed is dead-lettered with a reason", () => {
    const { sim, gateway } = aliceLeavesBobInherits({ epochs: true, deadLetter: true });
    expect(gateway.deadLetters.map((d) => d.record.reason)).toEqual(["stale-epoch"]);
    expect(noSilentDrop(gateway.log, sim.trace.events).held).toBe(true);
  });

  it("flags a callback that never reached the gateway at all", () => {
    const sim = new Simulation({ seed: 1 });
    sim.trace.instant({ actor: "render", layer: "tool", kind: "job.callback", attrs: { jobId: "job-9" } });
    const v = noSilentDrop([], sim.trace.events);
    expect(v.violations[0]?.message).toContain("the result of job-9 never reached the gateway");
  });
});
