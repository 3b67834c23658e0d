import { describe, expect, it } from "vitest";
import { localDate, localParts } from "../../src/actors/time-zone.js";
import { runScenario, type RunConfig, type RunResult } from "../../src/run/run-scenario.js";
import { fourClocks } from "../../src/scenarios/four-clocks.js";
import { DEFAULT_EPOCH_MS } from "../../src/sim/simulation.js";
import type { TraceEvent } from "../../src/sim/trace.js";

const SEED = fourClocks.defaults.seed;
const LA = "America/Los_Angeles";
const TEAM = "America/Anchorage";
/** The Los Angeles setting of the earlier catalog: spring, 09:00 UTC at 01:00/02:00 PDT, clocks in sync. */
const SPRING_LA = {
  team: { timeZone: LA },
  schedule: { startsOn: "2026-03-01T00:00:00Z" },
  scheduler: { clockOffsetSeconds: 0 },
  worker: { timeZone: "UTC", driftPpm: 20 },
  post: { clockOffsetSeconds: 0.4 },
};
const DAYS = fourClocks.params.schedule.days.defaultValue;
const run = (mitigations: string[] = [], params: Record<string, unknown> = {}, extra: Partial<RunConfig> = {}): Promise<RunResult> =>
  runScenario({ scenario: fourClocks, seed: SEED, mitigations, params, ...extra });
const metric = (r: RunResult, name: string): number => r.metrics.find((m) => m.name === name)?.value as number;
const ev = (r: RunResult, id: number): TraceEvent => r.trace.get(id) as TraceEvent;
const of = (r: RunResult, kind: string): TraceEvent[] => r.trace.events.filter((e) => e.kind === kind);
const posts = (r: RunResult): TraceEvent[] => r.trace.events.filter((e) => e.actor === "slack" && e.phase === "begin");

describe("four-clocks at its default seed", () => {
  it("breaks dates-agree on every day of the month: the model, told no date, names a day in the weeks before its training cutoff", async () => {
    const r = await run();
    expect(r.verdict).toBe("violated");
    expect(r.violations).toHaveLength(DAYS);
    for (const v of r.violations) {
      expect(v.message).toMatch(
        /^the digest of run #\d+ \(scheduled 2026-1\d-\d\dT09:00:00\.000Z, 0[01]:00 America\/Anchorage\) should be about 2026-1\d-\d\d .*, but .*the message names 2025-0[12]-\d\d \(the model's belief of now: it believes now is 2025-0[12]-/,
      );
    }
  });

  it("the four clocks disagree by mechanism: once 09:00 UTC is the team's midnight, the scheduler fires 3 s early, the worker's slow clock picks the day before yesterday, and the 45 s slow posting clock stamps some posts the day before", async () => {
    const r = await run();
    const fires = of(r, "cron.fire");
    const midnight = fires.filter((f) => localParts(f.attrs?.scheduledMs as number, TEAM).hour === 0);
    const oneAm = fires.filter((f) => localParts(f.attrs?.scheduledMs as number, TEAM).hour === 1);
    // Daylight time ends on Nov 1: both kinds of day are in the month.
    expect(midnight.length).toBeGreaterThan(10);
    expect(oneAm.length).toBeGreaterThan(10);
    const byRun = (f: TraceEvent) => r.violations.find((v) => v.message.startsWith(`the digest of run #${String(f.attrs?.index)} `))!.message;
    for (const f of oneAm) {
      expect(byRun(f)).not.toContain("the data window covers");
      expect(byRun(f)).not.toContain("the post's timestamp implies");
    }
    for (const f of midnight) {
      expect(localDate(DEFAULT_EPOCH_MS + f.t, TEAM)).not.toBe(localDate(f.attrs?.scheduledMs as number, TEAM));
      expect(byRun(f)).toContain("the data window covers");
    }
    expect(metric(r, "fired on the team's previous day")).toBe(midnight.length);
    expect(metric(r, "wrong by the worker's clock")).toBe(midnight.length);
    expect(metric(r, "wrong by the posting tool's clock")).toBeGreaterThan(0);
    expect(metric(r, "wrong by the posting tool's clock")).toBeLessThan(midnight.length);
  });

  it("the evidence is the fire, the model's belief and the post, linked cause to effect across clock, harness, tool and model", async () => {
    const r = await run();
    const [v] = r.violations;
    const [fire, belief, posted] = v!.evidence.map((id) => ev(r, id));
    expect([fire?.kind, belief?.kind, posted?.kind]).toEqual(["cron.fire", "llm.believed-now", "tool.call"]);
    expect(posted).toMatchObject({ actor: "slack", phase: "end" });
    const chain = r.trace.causalChain(posted!.id);
    expect(chain[0]?.id).toBe(fire?.id);
    expect(new Set(chain.map((e) => e.layer))).toEqual(new Set(["clock", "harness", "tool", "model"]));
    // Fire at 09:00Z, worker two seconds later, a model call of tens of seconds, then the post.
    const start = chain.find((e) => e.kind === "worker.start") as TraceEvent;
    expect(start.t - fire!.t).toBe(2_000);
    expect(belief!.t - start.t).toBeGreaterThan(10_000);
    expect(posted!.t).toBeGreaterThanOrEqual(belief!.t);
  });

  it("the believed date lies in the weeks before the training cutoff, and the named day is the day before it", async () => {
    const r = await run();
    const cutoff = Date.parse("2025-03-01T00:00:00Z");
    for (const b of of(r, "llm.believed-now")) {
      const believed = Date.parse(String(b.attrs?.believedNow));
      expect(believed).toBeLessThan(cutoff);
      expect(cutoff - believed).toBeLessThanOrEqual(29 * 86_400_000);
    }
    for (const p of posts(r)) {
      const args = p.attrs?.args as { namesDate: string; text: string };
      const belief = ev(r, p.parent as number);
      expect(args.namesDate).toBe(new Date(Date.parse(localDate(Date.parse(String(belief.attrs?.believedNow)), TEAM)) - 86_400_000).toISOString().slice(0, 10));
      expect(args.text).toBe(`Standup digest for ${args.namesDate}`);
    }
  });

  it("the worker's clock is 3 s slow when the schedule is switched on, and loses 20 ppm from then", async () => {
    const r = await run();
    const starts = of(r, "worker.start");
    const error = (e: TraceEvent): number => Date.parse(String(e.attrs?.now)) - (DEFAULT_EPOCH_MS + e.t);
    const startsOn = Date.parse("2026-10-20T00:00:00Z") - DEFAULT_EPOCH_MS;
    for (const e of [starts[0]!, starts.at(-1)!]) expect(error(e)).toBeCloseTo(-3_000 - 20e-6 * (e.t - startsOn), -1);
  });

  it("its metrics count the days and blame each clock for its own days", async () => {
    const r = await run();
    expect(metric(r, "days posted")).toBe(DAYS);
    expect(metric(r, "days with disagreeing dates")).toBe(DAYS);
    expect(metric(r, "wrong by the model's belief of now")).toBe(DAYS);
    const count = (what: string) => r.violations.filter((v) => v.message.includes(what)).length;
    expect(metric(r, "wrong by the worker's clock")).toBe(count("the data window covers"));
    expect(metric(r, "wrong by the posting tool's clock")).toBe(count("the post's timestamp implies"));
    expect(metric(r, "scheduler clock error")).toBe(3_000);
    const calls = r.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "end").map((e) => e.attrs?.latencyMs as number);
    expect(metric(r, "model call p50")).toBeGreaterThan(25_000);
    expect(metric(r, "model call p50")).toBeLessThan(60_000);
    expect(calls).toContain(metric(r, "model call p50"));
  });
});

describe("four-clocks with authoritative-now", () => {
  it("holds: the worker, the model and the posting tool all use the fire time", async () => {
    const r = await run(["authoritative-now"]);
    expect(r.verdict).toBe("held");
    const fires = of(r, "cron.fire");
    expect(fires).toHaveLength(DAYS);
    for (const b of of(r, "llm.believed-now")) {
      const fire = r.trace.causalChain(b.id)[0] as TraceEvent;
      expect(b.attrs?.believedNow).toBe(fire.attrs?.scheduled);
    }
    for (const start of of(r, "worker.start")) expect(start.attrs).toMatchObject({ nowFrom: "the fire time", timeZone: TEAM });
  });

  it("holds across the US daylight-saving change, when 09:00 UTC moves from 01:00 to 02:00 in Los Angeles", async () => {
    const extra = { epochMs: Date.parse("2026-02-23T08:00:00Z") };
    const spring = { ...SPRING_LA, schedule: { startsOn: "2026-02-23T08:00:00Z" } };
    const fixed = await run(["authoritative-now"], spring, extra);
    expect(fixed.verdict).toBe("held");
    const localHours = new Set(of(fixed, "cron.fire").map((f) => localParts(f.attrs?.scheduledMs as number, LA).hour));
    expect(localHours).toEqual(new Set([1, 2]));
    expect((await run([], spring, extra)).violations).toHaveLength(DAYS);
  });

  it("a model that ignores the date it is told defeats it: the mitigation relies on the model using a stated date", async () => {
    const r = await run(["authoritative-now"], { model: { pCutoffBelief: 0.2 } });
    expect(r.verdict).toBe("violated");
    expect(r.violations.length).toBeLessThan(DAYS);
    for (const v of r.violations) expect(v.message).toContain("the message names 2025-");
  });
});

describe("four-clocks: the other clocks, where the team's day turns over near the fire time", () => {
  it("a 06:00 UTC schedule is 23:00 the evening before in Los Angeles: the worker's UTC 'yesterday' is the team's today", async () => {
    const params = { ...SPRING_LA, schedule: { ...SPRING_LA.schedule, cron: "0 6 * * *" } };
    const r = await run([], params);
    expect(metric(r, "wrong by the worker's clock")).toBe(DAYS);
    expect(r.violations[0]?.message).toContain("the data window covers");
    expect((await run(["authoritative-now"], params)).verdict).toBe("held");
  });

  it("at a fire on the team's midnight, seconds of skew move the worker's and the posting tool's day", async () => {
    // 07:00 UTC is 00:00 PDT: a worker clock 3 s slow reads 23:59:59 the day before; a posting clock
    // a minute slow stamps the post before midnight whenever the post went out within that minute.
    const params = {
      ...SPRING_LA,
      schedule: { ...SPRING_LA.schedule, cron: "0 7 * * *" },
      worker: { timeZone: LA, driftPpm: 0 },
      post: { clockOffsetSeconds: -60 },
    };
    const r = await run([], params);
    expect(metric(r, "wrong by the worker's clock")).toBe(DAYS);
    const postedAt = r.trace.events.filter((e) => e.actor === "slack" && e.phase === "end").map((e) => DEFAULT_EPOCH_MS + e.t);
    const beforeMidnight = postedAt.filter((t) => localDate(t - 60_000, LA) !== localDate(t, LA)).length;
    expect(beforeMidnight).toBeGreaterThan(0);
    expect(metric(r, "wrong by the posting tool's clock")).toBe(beforeMidnight);
    expect((await run(["authoritative-now"], params)).verdict).toBe("held");
  });
});

describe("four-clocks: each clock alone can break the date (before: at the defaults only the model's could)", () => {
  /** Every clock exact, the model's aside (it needs authoritative-now to be told the date). */
  const exact = { scheduler: { clockOffsetSeconds: 0 }, worker: { clockOffsetSeconds: 0, driftPpm: 0 }, post: { clockOffsetSeconds: 0 } };
  const wrongWitnesses = (r: RunResult): Set<string> =>
    new Set(r.violations.flatMap((v) => ["the data window covers", "the message names", "the post's timestamp implies"].filter((w) => v.message.includes(w))));

  it("with every physical clock exact, only the model's belief is wrong", async () => {
    expect(wrongWitnesses(await run([], exact))).toEqual(new Set(["the message names"]));
  });

  it.each([
    ["the scheduler (3 s fast: fires before the team's midnight)", { scheduler: { clockOffsetSeconds: 3 } }, "the data window covers"],
    ["the worker (3 s slow: reads the previous day)", { worker: { clockOffsetSeconds: -3, driftPpm: 0 } }, "the data window covers"],
    ["the posting tool (90 s slow: stamps the post before midnight)", { post: { clockOffsetSeconds: -90 } }, "the post's timestamp implies"],
  ])("%s alone moves a date", async (_name, wrong, witness) => {
    const r = await run([], { ...exact, ...wrong });
    expect(wrongWitnesses(r)).toEqual(new Set(["the message names", witness]));
    expect((await run(["authoritative-now"], { ...exact, ...wrong })).verdict).toBe("held");
  });
});
