import { describe, it, expect } from "vitest";
import { CancelledError, isCancelled } from "../../src/sim/process.js";
import { Simulation, type ProcessHandle } from "../../src/sim/simulation.js";

function newSim(): Simulation {
  return new Simulation({ seed: 11 });
}

describe("processes: sleep", () => {
  it("sleeps in virtual time, by duration string or ms, and returns its value", async () => {
    const sim = newSim();
    const seen: number[] = [];
    const p = sim.spawn("sleeper", async (ctx) => {
      seen.push(ctx.now);
      await ctx.sleep("2s");
      seen.push(ctx.now);
      await ctx.sleep(500);
      seen.push(ctx.now);
      await ctx.sleep("0ms");
      seen.push(ctx.now);
      return "rested";
    });
    const out = await sim.run();
    expect(seen).toEqual([0, 2_000, 2_500, 2_500]);
    expect(out).toMatchObject({ status: "completed", now: 2_500, waiting: [] });
    expect(p.status).toBe("done");
    expect(p.outcome).toEqual({ status: "done", value: "rested" });
  });

  it("interleaves processes by virtual time, not by spawn order", async () => {
    const sim = newSim();
    const log: string[] = [];
    const worker = (name: string, naps: number[]) => async (ctx: { sleep(ms: number): Promise<void>; now: number }) => {
      for (const n of naps) {
        await ctx.sleep(n);
        log.push(`${name}@${ctx.now}`);
      }
    };
    sim.spawn("a", worker("a", [30, 30]));
    sim.spawn("b", worker("b", [10, 10, 100]));
    await sim.run();
    expect(log).toEqual(["b@10", "b@20", "a@30", "a@60", "b@120"]);
  });

  it("rejects a malformed or negative sleep with the duration's message", async () => {
    const sim = newSim();
    const errors: string[] = [];
    sim.spawn("bad", async (ctx) => {
      for (const d of ["soon", -5]) {
        try {
          await ctx.sleep(d);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    });
    await sim.run();
    expect(errors).toEqual([expect.stringMatching(/malformed duration "soon"/), expect.stringMatching(/non-negative number of milliseconds, got -5/)]);
  });
});

describe("processes: signals and mailboxes", () => {
  it("wakes every waiter of a signal with its value, at the time it fires", async () => {
    const sim = newSim();
    const ready = sim.signal<string>("config loaded");
    const got: string[] = [];
    for (const name of ["w1", "w2"]) {
      sim.spawn(name, async (ctx) => {
        const v = await ctx.wait(ready);
        got.push(`${name}:${v}@${ctx.now}`);
      });
    }
    sim.schedule(30, () => ready.fire("v2"));
    await sim.run();
    expect(got).toEqual(["w1:v2@30", "w2:v2@30"]);
  });

  it("returns at once from a signal that already fired, and refuses to fire twice", async () => {
    const sim = newSim();
    const s = sim.signal<number>("done");
    s.fire(7);
    let got = -1;
    sim.spawn("late", async (ctx) => {
      got = await ctx.wait(s);
    });
    await sim.run();
    expect(got).toBe(7);
    expect(() => s.fire(8)).toThrow(`signal "done" fired twice`);
  });

  it("delivers mailbox messages in FIFO order, queued or awaited, one receiver per message", async () => {
    const sim = newSim();
    const inbox = sim.mailbox<string>("inbox");
    inbox.send("early-1");
    inbox.send("early-2");
    const got: string[] = [];
    for (const name of ["r1", "r2"]) {
      sim.spawn(name, async (ctx) => {
        for (let i = 0; i < 3; i++) got.push(`${name}:${await ctx.receive(inbox)}@${ctx.now}`);
      });
    }
    sim.schedule(10, () => {
      for (const m of ["m1", "m2", "m3", "m4"]) inbox.send(m);
    });
    const out = await sim.run();
    expect(out.status).toBe("completed");
    expect(got).toEqual(["r1:early-1@0", "r2:early-2@0", "r1:m1@10", "r2:m2@10", "r1:m3@10", "r2:m4@10"]);
    expect(inbox.size).toBe(0);
  });
});

describe("processes: deadline", () => {
  it("when the deadline wins, the caller goes on at the deadline and the work still runs to its end", async () => {
    const sim = newSim();
    const log: string[] = [];
    const parent = sim.spawn("client", async (ctx) => {
      const call = ctx.spawn("slow-call", async (c) => {
        await c.sleep(300);
        log.push(`call finished@${c.now}`);
        return 42;
      });
      const r = await ctx.deadline("100ms", ctx.join(call));
      log.push(`client timed out=${!r.ok}@${ctx.now}`);
      return r;
    });
    const out = await sim.run();
    expect(parent.outcome).toEqual({ status: "done", value: { ok: false, elapsed: 100 } });
    expect(log).toEqual(["client timed out=true@100", "call finished@300"]);
    expect(out.now).toBe(300);
  });

  it("when the work wins, its value comes back and the deadline timer is cancelled", async () => {
    const sim = newSim();
    let result: unknown;
    sim.spawn("client", async (ctx) => {
      result = await ctx.deadline(
        "1h",
        ctx.sleep(40).then(() => "fast"),
      );
    });
    const out = await sim.run();
    expect(result).toEqual({ ok: true, value: "fast" });
    expect(out).toMatchObject({ status: "completed", now: 40, events: 2 }); // start + the sleep; no 1h timer
  });
});

describe("processes: cancellation", () => {
  it("rejects the waits with CancelledError carrying the reason, and cascades to children", async () => {
    const sim = newSim();
    const caught: string[] = [];
    let child: ProcessHandle<void> | undefined;
    const parent = sim.spawn("parent", async (ctx) => {
      child = ctx.spawn("child", async (c) => {
        await c.sleep("1h");
      });
      try {
        await ctx.sleep("1h");
      } catch (e) {
        caught.push(`${(e as Error).name}:${(e as CancelledError).reason}@${ctx.now}`);
        throw e;
      }
    });
    sim.schedule(10, () => parent.cancel("operator shutdown"));
    const out = await sim.run();
    expect(caught).toEqual(["CancelledError:operator shutdown@10"]);
    expect(parent.outcome).toEqual({ status: "unfinished", reason: "operator shutdown" });
    expect(child?.outcome).toEqual({ status: "unfinished", reason: "operator shutdown" });
    // The two 1h sleeps were cancelled with their processes: the run ends at 10ms, completed.
    expect(out).toMatchObject({ status: "completed", now: 10, waiting: [] });
  });

  it("after cancellation every wait rejects, even one that could complete at once", async () => {
    const sim = newSim();
    const fired = sim.signal<number>("fired");
    fired.fire(1);
    const box = sim.mailbox<string>("box");
    box.send("queued");
    const results: string[] = [];
    const p = sim.spawn("p", async (ctx) => {
      await ctx.sleep(5);
      ctx.process.cancel("stop");
      for (const attempt of [() => ctx.sleep(0), () => ctx.wait(fired), () => ctx.receive(box)]) {
        try {
          await attempt();
          results.push("resolved");
        } catch (e) {
          results.push(isCancelled(e) ? `cancelled:${e.reason}` : "other");
        }
      }
      expect(() => ctx.throwIfCancelled()).toThrow(CancelledError);
      return "cleaned up";
    });
    await sim.run();
    expect(results).toEqual(["cancelled:stop", "cancelled:stop", "cancelled:stop"]);
    expect(box.size).toBe(1); // the message was not consumed
    expect(p.outcome).toEqual({ status: "done", value: "cleaned up" });
  });

  it("unsubscribes a cancelled receiver: the next message goes to a live one", async () => {
    const sim = newSim();
    const box = sim.mailbox<string>("jobs");
    const got: string[] = [];
    const first = sim.spawn("first", async (ctx) => {
      got.push(`first:${await ctx.receive(box)}`);
    });
    sim.spawn("second", async (ctx) => {
      got.push(`second:${await ctx.receive(box)}`);
    });
    sim.schedule(5, () => first.cancel("scaled down"));
    sim.schedule(10, () => box.send("job-1"));
    const out = await sim.run();
    expect(got).toEqual(["second:job-1"]);
    expect(out.status).toBe("completed");
  });

  it("runs onCancel callbacks with the reason, at once when already cancelled, and lets them unregister", async () => {
    const sim = newSim();
    const calls: string[] = [];
    const p = sim.spawn("p", async (ctx) => {
      ctx.signal.onCancel((r) => calls.push(`a:${r}`));
      const off = ctx.signal.onCancel((r) => calls.push(`b:${r}`));
      off();
      try {
        await ctx.sleep(100);
      } catch {
        expect(ctx.signal.cancelled).toBe(true);
        ctx.signal.onCancel((r) => calls.push(`late:${r}`));
      }
    });
    sim.schedule(1, () => p.cancel("why"));
    await sim.run();
    expect(calls).toEqual(["a:why", "late:why"]);
  });

  it("a child spawned by an already-cancelled process is cancelled too", async () => {
    const sim = newSim();
    let childRan = false;
    let late: ProcessHandle<void> | undefined;
    const p = sim.spawn("p", async (ctx) => {
      try {
        await ctx.sleep(100);
      } catch {
        late = ctx.spawn("cleanup-helper", async () => {
          childRan = true;
        });
      }
    });
    sim.schedule(1, () => p.cancel("abort"));
    await sim.run();
    expect(childRan).toBe(false);
    expect(late?.outcome).toEqual({ status: "unfinished", reason: "abort" });
  });

  it("a process cancelled before it starts never runs its body", async () => {
    const sim = newSim();
    let ran = false;
    const p = sim.spawn("never", async () => {
      ran = true;
    });
    p.cancel("changed my mind");
    await sim.run();
    expect(ran).toBe(false);
    expect(p.outcome).toEqual({ status: "unfinished", reason: "changed my mind" });
  });
});

describe("processes: join and crashes", () => {
  it("join returns how a child ended: done with its value, or cancelled with the reason", async () => {
    const sim = newSim();
    const outcomes: unknown[] = [];
    sim.spawn("parent", async (ctx) => {
      const ok = ctx.spawn("ok", async (c) => {
        await c.sleep(5);
        return { answer: 42 };
      });
      const stopped = ctx.spawn("stopped", async (c) => {
        await c.sleep(50);
      });
      sim.schedule(10, () => stopped.cancel("timeout"));
      outcomes.push(await ctx.join(ok));
      outcomes.push(await ctx.join(stopped));
      outcomes.push(await ctx.join(ok)); // joining a finished process returns at once
    });
    await sim.run();
    expect(outcomes).toEqual([
      { status: "done", value: { answer: 42 } },
      { status: "unfinished", reason: "timeout" },
      { status: "done", value: { answer: 42 } },
    ]);
  });

  it("a process that throws ends the run as crashed, naming it and its error; later events do not run", async () => {
    const sim = newSim();
    let later = false;
    let joined: unknown;
    sim.spawn("supervisor", async (ctx) => {
      const w = ctx.spawn("worker", async (c) => {
        await c.sleep(20);
        throw new Error("boom");
      });
      joined = await ctx.join(w);
    });
    sim.schedule(50, () => {
      later = true;
    });
    const out = await sim.run();
    expect(out.status).toBe("crashed");
    expect(out.crash?.process).toBe("worker");
    expect((out.crash?.error as Error).message).toBe("boom");
    expect(out.now).toBe(20);
    expect(later).toBe(false);
    expect(sim.processes.find((p) => p.name === "worker")?.status).toBe("failed");
    expect(joined).toMatchObject({ status: "failed", error: expect.objectContaining({ message: "boom" }) });
  });

  it("a synchronous throw before the first await is a crash too", async () => {
    const sim = newSim();
    sim.spawn("eager", () => {
      throw new TypeError("bad config");
    });
    const out = await sim.run();
    expect(out).toMatchObject({ status: "crashed", crash: { process: "eager" } });
  });
});

describe("processes: stalls", () => {
  it("a stalled run names each waiting process and what it waits on (two processes waiting on each other)", async () => {
    const sim = newSim();
    const aReady = sim.signal("a ready");
    const bReady = sim.signal("b ready");
    sim.spawn("alice", async (ctx) => {
      await ctx.sleep(5);
      await ctx.wait(bReady);
      aReady.fire();
    });
    sim.spawn("bob", async (ctx) => {
      await ctx.sleep(8);
      await ctx.wait(aReady, "alice to be ready");
      bReady.fire();
    });
    const inbox = sim.mailbox<string>("inbox");
    sim.spawn("carol", (ctx) => ctx.receive(inbox));
    const out = await sim.run();
    expect(out.status).toBe("stalled");
    expect(out.now).toBe(8);
    expect(out.waiting).toEqual([
      { process: "alice", waitingOn: ["b ready"], since: 5 },
      { process: "bob", waitingOn: ["alice to be ready"], since: 8 },
      { process: "carol", waitingOn: ["receive from inbox"], since: 0 },
    ]);
  });

  it("lists every wait of a process racing a deadline, and a process waiting on something outside the simulation", async () => {
    const sim = newSim();
    const never = sim.signal<string>("reply");
    sim.spawn("caller", async (ctx) => {
      await ctx.deadline("1h", ctx.wait(never));
    });
    sim.spawn("lost", async () => {
      await new Promise(() => {}); // not a simulation wait
    });
    const out = await sim.run({ horizon: "30m" });
    expect(out.status).toBe("horizon");
    expect(out.waiting).toEqual([
      { process: "caller", waitingOn: ["reply", "deadline 3600000ms"], since: 0 },
      { process: "lost", waitingOn: ["(not waiting on anything the simulation controls)"], since: 0 },
    ]);
  });

  it("keeps a process's waits in order as the first, a middle or the last of them ends, and cancels the rest", async () => {
    const sim = newSim();
    const [a, b, c, d] = [sim.signal("a"), sim.signal("b"), sim.signal("c"), sim.signal("d")];
    const p = sim.spawn("p", async (ctx) => {
      const first = Promise.all([ctx.wait(a), ctx.wait(b), ctx.sleep(20, "nap")]);
      await ctx.wait(c);
      await Promise.all([first, ctx.wait(d)]);
    });
    const seen: string[][] = [];
    const look = (): void => {
      seen.push([p.status, ...(sim.waitingProcesses()[0]?.waitingOn ?? [])]);
    };
    sim.schedule(1, look);
    sim.schedule(2, () => b.fire()); // a middle one
    sim.schedule(3, look);
    sim.schedule(4, () => c.fire()); // the last; then one more is added
    sim.schedule(5, look);
    sim.schedule(6, () => a.fire()); // the first
    sim.schedule(7, look);
    const out = await sim.run({ horizon: 8 });
    expect(seen).toEqual([
      ["waiting", "a", "b", "nap", "c"],
      ["waiting", "a", "nap", "c"],
      ["waiting", "a", "nap", "d"],
      ["waiting", "nap", "d"],
    ]);
    expect(out.status).toBe("horizon");
    p.cancel("enough");
    await sim.run();
    expect(p.outcome).toEqual({ status: "unfinished", reason: "enough" });
    expect(sim.waitingProcesses()).toEqual([]);
  });

  it("reports a sleeping process at the horizon with its sleep", async () => {
    const sim = newSim();
    sim.spawn("napper", (ctx) => ctx.sleep("2h"));
    const out = await sim.run({ horizon: "1h" });
    expect(out.waiting).toEqual([{ process: "napper", waitingOn: ["sleep 7200000ms"], since: 0 }]);
  });

  it("daemons may wait forever: a server loop does not make the run stalled", async () => {
    const run = async (daemon: boolean) => {
      const sim = newSim();
      const requests = sim.mailbox<number>("requests");
      const served: number[] = [];
      sim.spawn(
        "server",
        async (ctx) => {
          for (;;) served.push(await ctx.receive(requests));
        },
        { daemon },
      );
      sim.spawn("client", async (ctx) => {
        for (let i = 1; i <= 3; i++) {
          await ctx.sleep(10);
          requests.send(i);
        }
      });
      return { out: await sim.run(), served };
    };
    const asDaemon = await run(true);
    expect(asDaemon.served).toEqual([1, 2, 3]);
    expect(asDaemon.out).toMatchObject({ status: "completed", waiting: [] });
    const asWorker = await run(false);
    expect(asWorker.out.status).toBe("stalled");
    expect(asWorker.out.waiting).toEqual([{ process: "server", waitingOn: ["receive from requests"], since: 30 }]);
  });
});
