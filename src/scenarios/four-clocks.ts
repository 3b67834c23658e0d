/**
 * four-clocks (SCENARIOS.md #6): "Your Scheduled Agent Has Four Clocks, and You Are Trusting the
 * Wrong One".
 *
 * A daily standup digest is scheduled for 09:00 UTC. The job's contract: each run posts the digest
 * of the team's previous day, in the team's time zone. The team is in Anchorage: 09:00 UTC is
 * 01:00 there in daylight time and exactly midnight once daylight time ends (Nov 1), so the run
 * fires on the team's day boundary, where seconds of clock error move a date. The schedule is
 * switched on in late October, so the month spans the change. Four clocks take part and, without
 * a contract between them, each layer guesses "now" from its own, and each alone can break the date:
 * 1. the scheduler's clock fires the job (cron, `cron.fire`): 3 s fast at the defaults, so at
 *    midnight it fires in the last seconds of the team's previous day, and every layer that reads
 *    a clock afterwards starts from the wrong side of midnight;
 * 2. a worker pod starts about two seconds later and reads its own clock (slow, and losing time),
 *    in its container's zone, to choose the notes to summarize (`notes` `tool.call`, the data
 *    window): a clock still before midnight picks the day before yesterday;
 * 3. the model call takes about forty seconds, and the model, told no date, believes "now" is a
 *    day near its training cutoff and names that day's yesterday in the message (`llm.believed-now`);
 * 4. the posting tool stamps the message with its own wall clock (`slack` `tool.call`, result
 *    `ts`), 45 s slow at the defaults: a post that went out within 45 s of midnight is stamped
 *    the day before.
 *
 * - Invariant `dates-agree` (checks/dates-agree.ts, from the trace): the day the data window
 *   covers, the day the message names and the day its timestamp implies all equal the day the
 *   schedule says, in the team's time zone.
 * - Mitigation `authoritative-now`: the scheduler's fire time is passed explicitly to the worker,
 *   the model and the posting tool, with the team's zone; no layer reads a clock of its own.
 *   It holds as long as the model uses a date its prompt states (`model.pCutoffBelief` 0, the
 *   actor's default); a model that ignores a stated date defeats it (see the scenario test).
 */
import { datesAgree, disagreementsByClock, type DatedRun } from "../checks/dates-agree.js";
import { spawnCron, CronSchedule, type CronFire } from "../actors/cron.js";
import { LlmProvider } from "../actors/llm-provider.js";
import { addDays, assertTimeZone, localDate, localParts } from "../actors/time-zone.js";
import { SimTool } from "../actors/tool.js";
import type { ActorClock } from "../sim/clock.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import { p, type ParamValues } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

const params = {
  team: {
    timeZone: p.string("America/Anchorage", {
      doc: "the team's IANA time zone: it decides which day 'yesterday' is",
      source:
        "assumption: a team in Alaska, where 09:00 UTC is 01:00 in daylight time (AKDT) and midnight in standard time (AKST): the fire lands on the team's day boundary",
    }),
  },
  schedule: {
    cron: p.string("0 9 * * *", { doc: "when the digest runs (five-field cron)", source: 'the post ("scheduled for 09:00 UTC")' }),
    timeZone: p.string("UTC", { doc: "the zone the cron expression is read in", source: "the post (09:00 UTC)" }),
    startsOn: p.instant("2026-10-20T00:00:00Z", {
      doc: "when the schedule is switched on: the first run is the first fire after it",
      source: "assumption: late October, so the month of runs spans the end of US daylight time (Nov 1)",
    }),
    days: p.int(30, {
      min: 1,
      max: 366,
      explore: [7, 45],
      doc: "how many daily runs to simulate",
      source: 'the post ("nobody notices for three weeks"): a month of runs',
    }),
  },
  scheduler: {
    clockOffsetSeconds: p.number(3, {
      min: -3600,
      max: 3600,
      explore: [-5, 5],
      doc: "the scheduler's clock error in seconds (positive: ahead, so it fires early in true time)",
      source: "assumption: a scheduler host a few seconds fast (an NTP step missed after a VM pause)",
    }),
  },
  worker: {
    startDelay: p.distribution("2s", {
      doc: "from the cron firing to the worker pod running",
      source: 'CRON_DEFAULTS.startDelay (defaults.ts): the post\'s "two seconds later"',
    }),
    clockOffsetSeconds: p.number(-3, {
      min: -86_400,
      max: 86_400,
      explore: [-120, 120],
      doc: "the worker node's clock error when the schedule is switched on, in seconds (negative: behind)",
      source: "assumption: a node whose clock is a few seconds off; unsynced nodes drift to minutes",
    }),
    driftPpm: p.number(-20, {
      min: -1000,
      max: 1000,
      explore: [-50, 50],
      doc: "how fast the worker's clock gains (positive) or loses, in parts per million",
      source: "assumption: a quartz clock without NTP drifts 10-50 ppm (20 ppm is 1.7 s a day); this one loses time",
    }),
    timeZone: p.string("America/Anchorage", {
      doc: "the zone the worker's code reads dates in (its container's TZ); UTC would pick the right day at 09:00 UTC whatever its clock says",
      source: "assumption: the container's TZ is set to the team's zone",
    }),
  },
  notes: {
    latency: p.distribution(
      { lognormal: { p50: "150ms", p99: "1s" } },
      { doc: "the notes store's query latency", source: "TOOL_DEFAULTS.latency (defaults.ts), a little faster: a keyed read" },
    ),
  },
  model: {
    ttft: p.distribution(
      { lognormal: { p50: "600ms", p99: "3.3s" } },
      { doc: "time to the first token", source: 'LLM_DEFAULTS.ttft (defaults.ts): FACTS.md "Latency"' },
    ),
    tokensPerSecond: p.distribution(
      { lognormal: { p50: 80, p99: 160 } },
      { unit: "number", doc: "output speed, tokens per second", source: 'LLM_DEFAULTS.tokensPerSecond (defaults.ts): FACTS.md "Latency"' },
    ),
    inputTokens: p.int(2000, {
      min: 1,
      max: 1_000_000,
      doc: "tokens of the prompt: instructions and the day's standup notes",
      source: "assumption: a team's notes for one day, a couple of thousand tokens",
    }),
    outputTokens: p.int(3000, {
      min: 1,
      max: 100_000,
      explore: [500, 4000],
      doc: "tokens in the digest the model writes",
      source: 'the post ("The LLM call takes another forty seconds"): 3,000 tokens at 80 tokens/s is about 38 s',
    }),
    trainingCutoff: p.instant("2025-03-01T00:00:00Z", {
      doc: "the model's training cutoff; told no date, it believes now is in the weeks before it",
      source: 'MODEL_BEHAVIOUR_DEFAULTS.trainingCutoffMs (defaults.ts): the post\'s "February of last year"',
    }),
    cutoffJitterDays: p.int(28, {
      min: 1,
      max: 365,
      explore: [1, 60],
      doc: "the believed date is 1 to this many days before the cutoff",
      source: "MODEL_BEHAVIOUR_DEFAULTS.cutoffJitterDays (defaults.ts)",
    }),
    pCutoffBelief: p.probability(0, {
      doc: "chance the model ignores a date its prompt states and believes its cutoff anyway (not explored: above 0, authoritative-now cannot hold)",
      source: "MODEL_BEHAVIOUR_DEFAULTS.pCutoffBelief (defaults.ts): a stated date is used",
    }),
  },
  post: {
    latency: p.distribution(
      { lognormal: { p50: "300ms", p99: "2s" } },
      { doc: "the chat API's latency for posting a message", source: "assumption: a chat API call, a few hundred ms" },
    ),
    clockOffsetSeconds: p.number(-45, {
      min: -86_400,
      max: 86_400,
      explore: [-90, 5],
      doc: "the posting tool's clock error in seconds (the tool layer stamps the message with its host's wall clock)",
      source: "assumption: a tool-layer host without NTP, 45 s slow (the post: dispatched against the wall clock at 09:00:42)",
    }),
  },
};

type Values = ParamValues<typeof params>;

/** The tools' names: trace actors and stream stems. */
const NOTES = "notes";
const SLACK = "slack";

/** four-clocks: a daily digest whose layers each guess "now" (see the file's contract). */
export const fourClocks = defineScenario({
  name: "four-clocks",
  title: "Your Scheduled Agent Has Four Clocks, and You Are Trusting the Wrong One",
  summary: "a 09:00 UTC daily digest: scheduler, worker, model and posting tool each guess 'now', and the dates disagree",
  params,
  invariants: [
    {
      name: "dates-agree",
      description: "the day the data window covers, the day the message names and the day its timestamp implies equal the schedule's day, in the team's zone",
    },
  ],
  mitigations: [
    { name: "authoritative-now", description: "the scheduler's fire time is passed explicitly to the worker, the model and the tools; no layer guesses now" },
  ],
  defaults: { seed: 1, horizon: "400d" },
  build({ sim, params: v, mitigations }) {
    const teamZone = assertTimeZone(v.team.timeZone);
    const authoritative = mitigations.has("authoritative-now");
    const schedulerClock = sim.clock("scheduler", { offsetMs: v.scheduler.clockOffsetSeconds * 1000 });
    // The schedule is switched on at `startsOn`; the worker's clock error is given for that moment.
    const startAt = Math.max(0, v.schedule.startsOn - sim.epochMs);
    const drift = v.worker.driftPpm / 1e6;
    const workerClock = sim.clock("worker", { offsetMs: v.worker.clockOffsetSeconds * 1000 - startAt * drift, drift });
    const slackClock = sim.clock(SLACK, { offsetMs: v.post.clockOffsetSeconds * 1000 });
    const llm = new LlmProvider(sim, {
      ttft: v.model.ttft,
      tokensPerSecond: v.model.tokensPerSecond,
      trainingCutoffMs: v.model.trainingCutoff,
      cutoffJitterDays: v.model.cutoffJitterDays,
      pCutoffBelief: v.model.pCutoffBelief,
    });
    const notes = new SimTool(sim, {
      name: NOTES,
      latency: v.notes.latency,
      resultFor: (args) => ({ date: args.date ?? null, notes: `standup notes of ${String(args.date)}` }),
    });
    const slack = new SimTool(sim, {
      name: SLACK,
      latency: v.post.latency,
      resultFor: (args) => ({ ts: typeof args.postedFor === "string" ? args.postedFor : slackClock.nowIso() }),
    });
    const job = digestJob({ sim, v, teamZone, authoritative, workerClock, llm, notes, slack });
    const cron = {
      name: "daily-digest",
      schedule: new CronSchedule(v.schedule.cron, v.schedule.timeZone),
      clock: schedulerClock,
      startDelay: v.worker.startDelay,
      maxFires: v.schedule.days,
      job,
    };
    sim.at(startAt, () => spawnCron(sim, cron));

    const runs = (): DatedRun[] => datedRuns(sim, teamZone);
    return {
      check: () => [datesAgree(runs())],
      metrics: () => digestMetrics(runs(), sim, workerClock, teamZone),
    };
  },
});

interface JobWiring {
  sim: Simulation;
  v: Values;
  teamZone: string;
  authoritative: boolean;
  workerClock: ActorClock;
  llm: LlmProvider;
  notes: SimTool;
  slack: SimTool;
}

/**
 * One run of the digest: the worker picks the notes of "yesterday", the model writes the digest and
 * names the day, the posting tool posts it. Without `authoritative-now` each step reads its own clock.
 */
function digestJob(w: JobWiring): (ctx: ProcessContext, fire: CronFire) => Promise<void> {
  const { sim, v, teamZone, authoritative } = w;
  return async (ctx, fire) => {
    const now = authoritative ? fire.scheduledUtcMs : w.workerClock.nowMs();
    const zone = authoritative ? teamZone : v.worker.timeZone;
    const started = sim.trace.instant({
      actor: "worker",
      layer: "harness",
      kind: "worker.start",
      parent: fire.eventId,
      attrs: {
        fire: fire.index,
        now: new Date(Math.round(now)).toISOString(),
        nowFrom: authoritative ? "the fire time" : "the worker's clock",
        timeZone: zone,
      },
    });
    const window = addDays(localDate(now, zone), -1);
    const found = await w.notes.call(ctx, { args: { date: window }, parent: started, caller: "worker" });
    const answer = await w.llm.complete(ctx, { caller: "worker", inputTokens: v.model.inputTokens, outputTokens: v.model.outputTokens, parent: found.eventId });
    const belief = w.llm.believedNow(ctx, { caller: "worker", parent: answer.eventId, ...(authoritative ? { authoritativeNow: fire.scheduledUtcMs } : {}) });
    const names = addDays(localDate(belief.nowMs, teamZone), -1);
    await w.slack.call(ctx, {
      args: {
        channel: "#standup",
        text: `Standup digest for ${names}`,
        namesDate: names,
        ...(authoritative ? { postedFor: fire.scheduledIso } : {}),
      },
      parent: belief.eventId,
      caller: "worker",
    });
  };
}

/** Every posted digest with the date each layer committed to, read back along its causal chain. */
function datedRuns(sim: Simulation, teamZone: string): DatedRun[] {
  const runs: DatedRun[] = [];
  for (const posted of sim.trace.events) {
    if (posted.actor !== SLACK || posted.phase !== "end" || posted.attrs?.ok !== true) continue;
    const chain = sim.trace.causalChain(posted.id);
    const fire = chain.find((e) => e.kind === "cron.fire");
    const start = chain.find((e) => e.kind === "worker.start");
    const query = chain.find((e) => e.actor === NOTES && e.phase === "begin");
    const belief = chain.find((e) => e.kind === "llm.believed-now");
    const post = chain.find((e) => e.actor === SLACK && e.phase === "begin");
    if (!fire || !start || !query || !belief || !post) continue;
    const scheduled = Number(fire.attrs?.scheduledMs);
    const stamp = Date.parse(String((posted.attrs?.result as { ts?: string } | undefined)?.ts));
    const postedOn = localDate(stamp, teamZone);
    runs.push({
      subject: `the digest of run #${String(fire.attrs?.index)} (scheduled ${String(fire.attrs?.scheduled)}, ${localClock(scheduled, teamZone)} ${teamZone})`,
      reference: {
        what: "the schedule says",
        clock: "the scheduler",
        date: addDays(localDate(scheduled, teamZone), -1),
        eventId: fire.id,
        detail: "the team's yesterday at the fire time",
      },
      witnesses: [
        {
          what: "the data window covers",
          clock: String(start.attrs?.nowFrom),
          date: String((query.attrs?.args as { date?: string } | undefined)?.date),
          eventId: query.id,
          detail: `"yesterday" from ${String(start.attrs?.now)} read in ${String(start.attrs?.timeZone)}`,
        },
        {
          what: "the message names",
          clock: "the model's belief of now",
          date: String((post.attrs?.args as { namesDate?: string } | undefined)?.namesDate),
          eventId: belief.id,
          detail: `it believes now is ${String(belief.attrs?.believedNow)}`,
        },
        {
          what: "the post's timestamp implies",
          clock: "the posting tool's clock",
          date: addDays(postedOn, -1),
          eventId: posted.id,
          detail: `stamped ${new Date(stamp).toISOString()}, ${postedOn} in the team's zone, so "yesterday" is the day before`,
        },
      ],
      at: posted.t,
      eventId: posted.id,
    });
  }
  return runs;
}

/** `01:00` for an instant in a zone. */
function localClock(utcMs: number, zone: string): string {
  const l = localParts(utcMs, zone);
  return `${String(l.hour).padStart(2, "0")}:${String(l.minute).padStart(2, "0")}`;
}

/** Days posted, days whose dates disagree and by which clock, how far each clock was off. */
function digestMetrics(runs: readonly DatedRun[], sim: Simulation, workerClock: ActorClock, teamZone: string): Metric[] {
  const wrong = runs.filter((r) => r.witnesses.some((w) => w.date !== r.reference.date)).length;
  const byClock = [...disagreementsByClock(runs)].map(
    ([clock, n]): Metric => ({ name: `wrong by ${clock}`, value: n, unit: "count", note: "runs this clock put on another day" }),
  );
  const llmCalls = sim.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "end").map((e) => Number(e.attrs?.latencyMs));
  const fires = sim.trace.events.filter((e) => e.kind === "cron.fire");
  const schedulerError = fires.length ? Math.max(...fires.map((e) => Math.abs(Number(e.attrs?.clockErrorMs)))) : 0;
  const firedEarly = fires.filter((e) => localDate(sim.epochMs + e.t, teamZone) !== localDate(Number(e.attrs?.scheduledMs), teamZone)).length;
  return [
    { name: "days posted", value: runs.length, unit: "count" },
    {
      name: "days with disagreeing dates",
      value: wrong,
      unit: "count",
      note: "the message, its data window or its timestamp name another day than the schedule",
    },
    ...byClock,
    { name: "model call p50", value: median(llmCalls), unit: "ms", note: "from the prompt to the last token" },
    { name: "scheduler clock error", value: schedulerError, unit: "ms", note: "largest, at a fire" },
    {
      name: "fired on the team's previous day",
      value: firedEarly,
      unit: "count",
      note: "fires the scheduler's clock put before the team's midnight, in true time",
    },
    { name: "worker clock error at the end", value: Math.round(workerClock.errorMs()), unit: "ms", note: "offset plus drift; positive: ahead of true time" },
  ];
}

function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}
