import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../../src/run/run-scenario.js";
import { orphanedCallback } from "../../src/scenarios/orphaned-callback.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = orphanedCallback.defaults.seed;
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}): Promise<RunResult> =>
  runScenario({ scenario: orphanedCallback, seed: SEED, mitigations, params });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const of = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind);
const violations = (r: RunResult, invariant: string) => r.violations.filter((v) => v.invariant === invariant);

describe("orphaned-callback at its default seed", () => {
  it("breaks both invariants", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(new Set(r.violations.map((v) => v.invariant))).toEqual(new Set(["no-cross-session-delivery", "no-silent-drop"]));
  });

  it("a render lands in a stranger's session: the asker gave up, the id was handed on, the callback routed by id alone", async () => {
    const r = await run();
    const [first] = violations(r, "no-cross-session-delivery");
    expect(first?.message).toMatch(
      /^the result of render:job-\d+, started by user-\d+ in conv-\d+ #\d+, was delivered to user-\d+'s session conv-\d+ #\d+, an answer user-\d+ never asked for/,
    );
    const [askerOpen, askerClose, receiverOpen, delivered, landed] = first!.evidence.map((id) => ev(r, id)) as TraceEvent[];
    expect([askerOpen, askerClose, receiverOpen, delivered, landed].map((e) => e?.kind)).toEqual([
      "session.open",
      "session.close",
      "session.open",
      "callback.delivered",
      "session.message",
    ]);
    expect(askerClose?.attrs?.reason).toBe("gave-up");
    // Same id, a later generation, opened after the asker left and before the render came back.
    expect(receiverOpen?.attrs?.conversationId).toBe(askerOpen?.attrs?.conversationId);
    expect(receiverOpen?.attrs?.epoch as number).toBeGreaterThan(askerOpen?.attrs?.epoch as number);
    expect(askerClose!.t).toBeLessThanOrEqual(receiverOpen!.t);
    expect(receiverOpen!.t).toBeLessThan(delivered!.t);
    expect(delivered?.attrs).toMatchObject({ reason: "id-match", epochRequested: askerOpen?.attrs?.epoch, deliveredEpoch: receiverOpen?.attrs?.epoch });
    expect(landed?.actor).toBe(receiverOpen?.actor);
    // The causal chain of the stray message runs from the asker's tab through the agent and the render to the gateway.
    const chain = r.trace.causalChain(landed!.id);
    expect(chain[0]?.id).toBe(askerOpen?.id);
    expect(chain.map((e) => e.layer)).toEqual(["user", "harness", "tool", "tool", "gateway", "user"]);
    expect(chain.map((e) => e.kind)).toEqual(["session.open", "render.requested", "job.submit", "job.succeeded", "callback.delivered", "session.message"]);
  });

  it("a render whose asker left, with nobody holding its id, is dropped with nothing to show for it", async () => {
    const r = await run();
    const drops = violations(r, "no-silent-drop");
    expect(drops.length).toBeGreaterThan(0);
    for (const v of drops) {
      const [open, callback, dropped] = v.evidence.map((id) => ev(r, id));
      expect([open?.kind, callback?.kind, dropped?.kind]).toEqual(["session.open", "job.callback", "callback.dropped"]);
      expect(dropped?.attrs?.reason).toBe("no-session");
      // Nothing downstream of the drop: no message, no dead letter.
      expect(r.trace.events.some((e) => e.parent === dropped?.id)).toBe(false);
    }
  });

  it("its metrics agree with the trace", async () => {
    const r = await run();
    expect(metric(r, "callbacks")).toBe(of(r, "job.callback").length);
    expect(metric(r, "cross-session")).toBe(violations(r, "no-cross-session-delivery").length);
    expect(metric(r, "dropped")).toBe(of(r, "callback.dropped").length);
    expect(metric(r, "dropped")).toBe(violations(r, "no-silent-drop").length);
    expect(metric(r, "delivered to the asker") + metric(r, "cross-session") + metric(r, "dropped") + metric(r, "dead-lettered")).toBe(metric(r, "callbacks"));
    expect(metric(r, "ids reused")).toBe(of(r, "session.open").filter((e) => (e.attrs?.epoch as number) > 1).length);
    expect(metric(r, "users who gave up")).toBe(of(r, "session.close").filter((e) => e.attrs?.reason === "gave-up").length);
    expect(metric(r, "sessions opened")).toBe(orphanedCallback.params.users.count.defaultValue);
  });
});

describe("orphaned-callback mitigations", () => {
  it("session-epochs alone stops cross delivery, but the callbacks it refuses are then dropped silently", async () => {
    const r = await run(["session-epochs"]);
    expect(violations(r, "no-cross-session-delivery")).toEqual([]);
    const drops = violations(r, "no-silent-drop");
    expect(drops.some((v) => v.message.includes("now belongs to a newer session"))).toBe(true);
    expect(of(r, "callback.dropped").some((e) => e.attrs?.reason === "stale-epoch")).toBe(true);
  });

  it("dead-letter alone makes every orphan visible, with its reason, but a reused id still routes a stranger's result", async () => {
    const r = await run(["dead-letter"]);
    expect(violations(r, "no-silent-drop")).toEqual([]);
    expect(violations(r, "no-cross-session-delivery").length).toBeGreaterThan(0);
    expect(of(r, "callback.dead-lettered").every((e) => e.attrs?.reason === "no-session")).toBe(true);
  });

  it("both together hold: every callback reaches its asker or the dead-letter queue", async () => {
    const r = await run(["session-epochs", "dead-letter"]);
    expect(r.verdict).toBe("held");
    expect(metric(r, "delivered to the asker") + metric(r, "dead-lettered")).toBe(metric(r, "callbacks"));
    const reasons = new Set(of(r, "callback.dead-lettered").map((e) => e.attrs?.reason));
    expect(reasons).toEqual(new Set(["stale-epoch", "no-session"]));
    expect(metric(r, "users who gave up")).toBeGreaterThan(0);
  });

  it("with ids never reused nothing crosses sessions, yet the orphans still drop: the reuse is what crosses them", async () => {
    const r = await run([], { ids: { reuse: "never" } });
    expect(metric(r, "ids reused")).toBe(0);
    expect(violations(r, "no-cross-session-delivery")).toEqual([]);
    expect(violations(r, "no-silent-drop").length).toBeGreaterThan(0);
  });

  it("users who all wait for their render break nothing: the failure needs someone to leave", async () => {
    const r = await run([], { users: { abandonProbability: 0, patientWait: { constant: "1h" } } });
    expect(r.verdict).toBe("held");
    expect(metric(r, "delivered to the asker")).toBe(metric(r, "callbacks"));
  });
});
