import { describe, it, expect } from "vitest";
import { ConversationIdAllocator, SessionStore, spawnUser, type Session } from "../../src/actors/sessions.js";
import { constant, mixture } from "../../src/sim/distributions.js";
import { Simulation } from "../../src/sim/simulation.js";

describe("ConversationIdAllocator", () => {
  /** Allocates three ids, frees the first then the second, and allocates once more. */
  function reuseAfterFreeing(policy: "lowest-free" | "lifo" | "never"): string {
    const ids = new ConversationIdAllocator({ policy });
    const [a, b] = [ids.allocate(), ids.allocate(), ids.allocate()];
    ids.release(a?.conversationId as string);
    ids.release(b?.conversationId as string);
    return ids.allocate().conversationId;
  }

  it("reuses the lowest free id, the most recently freed one, or never, by policy", () => {
    expect(reuseAfterFreeing("lowest-free")).toBe("conv-1");
    expect(reuseAfterFreeing("lifo")).toBe("conv-2");
    expect(reuseAfterFreeing("never")).toBe("conv-4");
  });

  it("bumps an id's epoch every time it is handed out again", () => {
    const ids = new ConversationIdAllocator();
    const first = ids.allocate();
    ids.release(first.conversationId);
    const second = ids.allocate();
    expect(first).toEqual({ conversationId: "conv-1", epoch: 1 });
    expect(second).toEqual({ conversationId: "conv-1", epoch: 2 });
    expect(ids.epochOf("conv-1")).toBe(2);
    expect(ids.allocate()).toEqual({ conversationId: "conv-2", epoch: 1 });
  });

  it("refuses to free an id that is not in use or not its own", () => {
    const ids = new ConversationIdAllocator();
    expect(() => ids.release("conv-1")).toThrow(/not in use/);
    expect(() => ids.release("chat-1")).toThrow(/expected conv-<n>/);
  });
});

describe("SessionStore", () => {
  it("gives a closed session's id to the next session, which the id now names", () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SessionStore(sim);
    const alice = store.open("alice");
    store.close(alice, "tab closed");
    const bob = store.open("bob");
    expect(bob.conversationId).toBe(alice.conversationId);
    expect([alice.epoch, bob.epoch]).toEqual([1, 2]);
    expect(store.current(alice.conversationId)).toBe(bob);
    expect(store.sessions).toEqual([alice, bob]);
    const opens = sim.trace.events.filter((e) => e.kind === "session.open");
    expect(opens.map((e) => [e.actor, e.layer, e.attrs?.epoch])).toEqual([
      ["alice", "user", 1],
      ["bob", "user", 2],
    ]);
  });

  it("refuses to close a session twice", () => {
    const store = new SessionStore(new Simulation({ seed: 1 }));
    const s = store.open("alice");
    store.close(s, "done");
    expect(() => store.close(s, "again")).toThrow(/is not open/);
  });
});

describe("spawnUser", () => {
  it("closes the tab when patience runs out", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SessionStore(sim);
    const user = spawnUser(sim, store, { name: "alice", arriveAfter: "1s", patience: "5s" });
    await sim.run();
    const session = (user.outcome as { value: Session }).value;
    expect([session.openedAt, session.closedAt]).toEqual([1000, 6000]);
    expect(sim.trace.events.find((e) => e.kind === "session.close")?.attrs).toMatchObject({ reason: "gave-up" });
  });

  it("leaves as soon as an answer lands, with the answer as the close's cause", async () => {
    const sim = new Simulation({ seed: 1 });
    const store = new SessionStore(sim);
    const user = spawnUser(sim, store, {
      name: "alice",
      patience: "30s",
      onOpen: (_ctx, session) => {
        sim.schedule(2000, () => store.receive(session, "cb-1", { answer: 42 }));
      },
    });
    await sim.run();
    const session = (user.outcome as { value: Session }).value;
    expect(session.closedAt).toBe(2000);
    expect(session.inbox.map((m) => m.payload)).toEqual([{ answer: 42 }]);
    const close = sim.trace.events.find((e) => e.kind === "session.close");
    expect(close?.attrs).toMatchObject({ reason: "answered" });
    expect(sim.trace.get(close?.parent as number)?.kind).toBe("session.message");
  });

  it("takes a compiled patience distribution too (a mixture of quick and patient users)", async () => {
    const sim = new Simulation({ seed: 3 });
    const store = new SessionStore(sim);
    const quickOrPatient = mixture([
      { weight: 1, dist: constant(4_000) },
      { weight: 1, dist: constant(600_000) },
    ]);
    const users = Array.from({ length: 40 }, (_, i) => spawnUser(sim, store, { name: `u${i}`, patience: quickOrPatient }));
    await sim.run();
    const closed = users.map((u) => (u.outcome as { value: Session }).value.closedAt);
    expect(new Set(closed)).toEqual(new Set([4_000, 600_000]));
  });

  it("draws patience from the user's own seeded stream", async () => {
    const closeTimes = async (seed: number): Promise<number[]> => {
      const sim = new Simulation({ seed });
      const store = new SessionStore(sim);
      const users = ["a", "b", "c"].map((name) => spawnUser(sim, store, { name, patience: { uniform: { min: "3s", max: "15s" } } }));
      await sim.run();
      return users.map((u) => (u.outcome as { value: Session }).value.closedAt as number);
    };
    const first = await closeTimes(5);
    expect(await closeTimes(5)).toEqual(first);
    expect(await closeTimes(6)).not.toEqual(first);
    for (const t of first) {
      expect(t).toBeGreaterThanOrEqual(3000);
      expect(t).toBeLessThanOrEqual(15000);
    }
  });
});
