import { describe, it, expect } from "vitest";
import { ApprovalQueue, type ApprovalDecision } from "../../src/actors/approval-queue.js";
import { Reviewer, type ReviewerOptions } from "../../src/actors/reviewer.js";
import { utcOfLocalTime } from "../../src/actors/time-zone.js";
import { constant } from "../../src/sim/distributions.js";
import { Simulation } from "../../src/sim/simulation.js";

const NY = "America/New_York";
const MIN = 60_000;
const ny = (date: string, hhmm: string): number => utcOfLocalTime(date, hhmm, NY);

interface Run {
  sim: Simulation;
  decision?: ApprovalDecision;
  seenAt?: number;
}

/**
 * A run that starts at New York wall time `start`, with one reviewer (Priya, office hours in New
 * York) watching a chat queue, and one request filed at the start.
 */
async function oneRequest(start: number, options: Partial<ReviewerOptions> = {}): Promise<Run> {
  const sim = new Simulation({ seed: 7, epochMs: start });
  const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat" });
  new Reviewer(sim, { name: "priya", calendar: { timeZone: NY }, queues: [queue], responseTime: "5m", rejectProbability: 0, ...options }).start();
  const run: Run = { sim };
  sim.spawn("agent-a", async (ctx) => {
    run.decision = await queue.request(ctx, { from: "agent-a", subject: "approve data share" });
  });
  await sim.run();
  run.seenAt = sim.trace.events.find((e) => e.kind === "approval.seen")?.t;
  return run;
}

/** The UTC instant of a virtual time in a run. */
const utc = (run: Run, t: number | undefined): number => run.sim.epochMs + (t as number);

describe("Reviewer", () => {
  it("answers a request that arrives while at lunch only after lunch", async () => {
    const run = await oneRequest(ny("2026-03-09", "12:10"));
    expect(utc(run, run.seenAt)).toBe(ny("2026-03-09", "13:00"));
    expect(utc(run, run.decision?.at)).toBe(ny("2026-03-09", "13:05"));
    const away = run.sim.trace.events.find((e) => e.kind === "reviewer.away");
    expect(away).toMatchObject({ t: 0, actor: "priya", layer: "human", attrs: { reason: "lunch", until: "2026-03-09T17:00:00.000Z" } });
    expect(run.sim.trace.get(away?.parent as number)?.kind).toBe("approval.request");
  });

  it("answers at once (after the response time) while available", async () => {
    const run = await oneRequest(ny("2026-03-09", "10:00"));
    expect(run.seenAt).toBe(0);
    expect(run.decision?.at).toBe(5 * MIN);
    expect(run.sim.trace.events.some((e) => e.kind === "reviewer.away")).toBe(false);
  });

  it("waits until the next morning outside working hours", async () => {
    const run = await oneRequest(ny("2026-03-09", "18:00"));
    expect(utc(run, run.decision?.at)).toBe(ny("2026-03-10", "09:05"));
  });

  it("waits across the weekend (and the DST change in it) until Monday morning", async () => {
    const run = await oneRequest(ny("2026-03-06", "17:45"));
    expect(new Date(utc(run, run.seenAt)).toISOString()).toBe("2026-03-09T13:00:00.000Z");
    expect(utc(run, run.decision?.at)).toBe(ny("2026-03-09", "09:05"));
  });

  it("takes a compiled response-time distribution (a scenario's resolved parameter)", async () => {
    const run = await oneRequest(ny("2026-03-09", "10:00"), { responseTime: constant(7 * MIN) });
    expect(run.decision?.at).toBe(7 * MIN);
  });

  it("stops work at lunch and finishes after it", async () => {
    const run = await oneRequest(ny("2026-03-09", "11:55"), { responseTime: "10m" });
    expect(run.seenAt).toBe(0);
    expect(utc(run, run.decision?.at)).toBe(ny("2026-03-09", "13:05"));
  });

  it("is kept away by a meeting, like a customer call", async () => {
    const run = await oneRequest(ny("2026-03-09", "14:10"), {
      calendar: { timeZone: NY, meetings: [{ title: "customer call", date: "2026-03-09", start: "14:00", end: "15:30" }] },
    });
    expect(utc(run, run.decision?.at)).toBe(ny("2026-03-09", "15:35"));
    const away = run.sim.trace.events.find((e) => e.kind === "reviewer.away");
    expect(away?.attrs).toMatchObject({ reason: "meeting", detail: "customer call" });
  });

  it("rejects with the configured probability", async () => {
    expect((await oneRequest(ny("2026-03-09", "10:00"), { rejectProbability: 1 })).decision?.outcome).toBe("rejected");
    expect((await oneRequest(ny("2026-03-09", "10:00"), { rejectProbability: 0 })).decision?.outcome).toBe("approved");
  });

  it("takes the oldest waiting request across its queues first", async () => {
    const sim = new Simulation({ seed: 1, epochMs: ny("2026-03-09", "12:00") });
    const chat = new ApprovalQueue(sim, { name: "slack", kind: "chat" });
    const tickets = new ApprovalQueue(sim, { name: "jira", kind: "ticket" });
    new Reviewer(sim, { name: "priya", calendar: { timeZone: NY }, queues: [chat, tickets], responseTime: "5m" }).start();
    sim.schedule(10 * MIN, () => tickets.submit({ from: "agent-b", subject: "context" }));
    sim.schedule(20 * MIN, () => chat.submit({ from: "agent-a", subject: "data" }));
    await sim.run();
    const seen = sim.trace.events.filter((e) => e.kind === "approval.seen").map((e) => [e.t, e.attrs?.id]);
    expect(seen).toEqual([
      [60 * MIN, "jira-1"],
      [65 * MIN, "slack-1"],
    ]);
  });

  it("draws response times from its own stream: another reviewer does not change them", async () => {
    const decisionTimes = async (withMarcus: boolean): Promise<number[]> => {
      const sim = new Simulation({ seed: 42, epochMs: ny("2026-03-09", "09:00") });
      const queue = new ApprovalQueue(sim, { name: "slack", kind: "chat" });
      const other = new ApprovalQueue(sim, { name: "jira", kind: "ticket" });
      const spec = { lognormal: { p50: "4m", p99: "45m" } };
      new Reviewer(sim, { name: "priya", calendar: { timeZone: NY }, queues: [queue], responseTime: spec }).start();
      if (withMarcus) {
        new Reviewer(sim, { name: "marcus", calendar: { timeZone: NY }, queues: [other], responseTime: spec }).start();
        for (let i = 0; i < 5; i++) other.submit({ from: "agent-b", subject: `t${i}` });
      }
      for (let i = 0; i < 5; i++) queue.submit({ from: "agent-a", subject: `r${i}` });
      await sim.run();
      return sim.trace.events.filter((e) => e.kind === "approval.decided" && e.actor === "priya").map((e) => e.t);
    };
    const alone = await decisionTimes(false);
    expect(alone).toHaveLength(5);
    expect(new Set(alone.map((t, i) => t - (alone[i - 1] ?? 0))).size).toBeGreaterThan(1);
    expect(await decisionTimes(true)).toEqual(alone);
  });
});
