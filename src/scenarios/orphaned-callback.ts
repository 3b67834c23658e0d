/**
 * orphaned-callback (SCENARIOS.md #2): "The Async Tool Call That Resolved After the User Already
 * Closed the Conversation".
 *
 * Users arrive one after another, open a session, and ask the agent for a render (a job of about
 * 40 s whose result comes back by callback). Some close the tab after a few seconds. Closing frees
 * the conversation id, and the next user to arrive may be given the same id. When the render
 * finishes, its callback carries the old id: the gateway, routing by id alone, stitches it into
 * the new session (an answer nobody there asked for) or, with no session holding the id, drops it
 * without a trace anywhere a person would look.
 *
 * - Actors: users with a patience draw (sessions.ts), a conversation-id allocator that reuses freed
 *   ids, an agent that starts renders on an async job service (job-service.ts), a gateway that routes
 *   callbacks (gateway.ts).
 * - Invariants (checks/callback-delivery.ts, from the gateway's delivery log and the trace's causal
 *   links back to the session that asked): `no-cross-session-delivery`, `no-silent-drop`.
 * - Mitigations: `session-epochs` (callbacks carry id + epoch; a stale epoch never routes) and
 *   `dead-letter` (what cannot be routed goes to a visible queue with its reason). Each alone is not
 *   enough: epochs stop cross delivery but turn those callbacks into silent drops; dead letters
 *   catch the drops but not the cross deliveries. Both together hold.
 */
import { noCrossSessionDelivery, noSilentDrop } from "../checks/callback-delivery.js";
import { Gateway } from "../actors/gateway.js";
import { JobService } from "../actors/job-service.js";
import { ConversationIdAllocator, SessionStore, spawnUser, type IdReusePolicy, type Session } from "../actors/sessions.js";
import { exponential, mixture } from "../sim/distributions.js";
import type { ProcessContext, Simulation } from "../sim/simulation.js";
import type { TraceEvent } from "../sim/trace.js";
import { p } from "./params.js";
import { defineScenario, type Metric } from "./scenario.js";

const params = {
  users: {
    count: p.int(30, {
      min: 1,
      max: 10_000,
      explore: [5, 60],
      doc: "users who arrive over the run, each asking for one render",
      source: "assumption: an afternoon's traffic of a small product; enough arrivals for freed ids to be handed out again",
    }),
    meanInterarrival: p.duration("20s", {
      min: "10ms",
      explore: ["2s", "2m"],
      doc: "mean time between two users arriving (arrivals are a Poisson process)",
      source: "assumption: a few users a minute, so that a freed id is reused within a render's 40 s",
    }),
    abandonProbability: p.probability(0.3, {
      explore: [0.05, 0.6],
      doc: "chance a user closes the tab after a few seconds instead of waiting for the render",
      source: 'the post ("watched the spinner for a few seconds, decided they didn\'t need it after all, closed the tab"); the share is an assumption',
    }),
    quickPatience: p.distribution(
      { uniform: { min: "3s", max: "15s" } },
      { doc: "how long a user who gives up watches the spinner", source: 'SESSION_DEFAULTS.patience (defaults.ts): the post\'s "a few seconds"' },
    ),
    patientWait: p.distribution(
      { uniform: { min: "2m", max: "10m" } },
      { doc: "how long a user who means to wait keeps the tab open for the result", source: "assumption: minutes, longer than nearly every render" },
    ),
  },
  render: {
    duration: p.distribution(
      { lognormal: { p50: "40s", p99: "2m" } },
      { doc: "how long a render runs before its callback fires", source: 'the post ("Forty seconds later the tool finishes"); p99 2 min is an assumption' },
    ),
  },
  ids: {
    reuse: p.string("lowest-free", {
      choices: ["lowest-free", "lifo", "never"],
      doc: "how freed conversation ids are handed out again (never: always a fresh id)",
      source: 'SESSION_DEFAULTS.idReuse (defaults.ts): the post\'s "whatever session inherits that ID next"',
    }),
  },
};

/** orphaned-callback: renders whose callbacks outlive their sessions (see the file's contract). */
export const orphanedCallback = defineScenario({
  name: "orphaned-callback",
  title: "The Async Tool Call That Resolved After the User Already Closed the Conversation",
  summary: "a render's callback arrives after its user left; the gateway drops it or delivers it into the session that reused the id",
  params,
  invariants: [
    { name: "no-cross-session-delivery", description: "a result reaches only the session generation (conversation id and epoch) that asked for it" },
    { name: "no-silent-drop", description: "every callback ends delivered or dead-lettered with a reason" },
  ],
  mitigations: [
    { name: "session-epochs", description: "callbacks carry conversation id and epoch; a stale epoch never routes", addresses: ["no-cross-session-delivery"] },
    { name: "dead-letter", description: "a callback that cannot be routed goes to a visible dead-letter queue with its reason", addresses: ["no-silent-drop"] },
  ],
  defaults: { seed: 2, horizon: "6h" },
  build({ sim, params: v, mitigations }) {
    const sessions = new SessionStore(sim, new ConversationIdAllocator({ policy: v.ids.reuse as IdReusePolicy }));
    const gateway = new Gateway(sim, sessions, { epochs: mitigations.has("session-epochs"), deadLetter: mitigations.has("dead-letter") });
    const renders = new JobService(sim, { name: "render", duration: v.render.duration, resultFor: (args) => ({ video: `${String(args.user)}.mp4` }) });
    const patience = mixture([
      { weight: v.users.abandonProbability, dist: v.users.quickPatience },
      { weight: 1 - v.users.abandonProbability, dist: v.users.patientWait },
    ]);

    /** The agent starts the render; its callback goes to the gateway with the asking session's id and epoch. */
    const startRender = async (ctx: ProcessContext, session: Session): Promise<void> => {
      const asked = sim.trace.instant({
        actor: "agent",
        layer: "harness",
        kind: "render.requested",
        parent: session.openEvent,
        attrs: { user: session.user, conversationId: session.conversationId, epoch: session.epoch },
      });
      await renders.submit(ctx, { args: { user: session.user, conversationId: session.conversationId }, parent: asked, caller: "agent" }, (done) =>
        gateway.deliver({ id: done.jobId, conversationId: session.conversationId, epoch: session.epoch, payload: done.result, parent: done.eventId }),
      );
    };

    const gap = exponential(v.users.meanInterarrival);
    const arrivals = sim.rng("users:arrivals");
    let arriveAt = 0;
    for (let i = 1; i <= v.users.count; i++) {
      arriveAt += gap.sample(arrivals);
      spawnUser(sim, sessions, { name: `user-${i}`, arriveAfter: arriveAt, patience, onOpen: startRender });
    }

    return {
      check: () => [noCrossSessionDelivery(gateway.log, sim.trace.events), noSilentDrop(gateway.log, sim.trace.events)],
      metrics: () => deliveryMetrics(sim, sessions, gateway),
    };
  },
});

/** Callbacks and where they went, ids reused, users who gave up. */
function deliveryMetrics(sim: Simulation, sessions: SessionStore, gateway: Gateway): Metric[] {
  const events: readonly TraceEvent[] = sim.trace.events;
  const cross = noCrossSessionDelivery(gateway.log, events).violations.length;
  const count = (outcome: string): number => gateway.log.filter((d) => d.outcome === outcome).length;
  const closes = events.filter((e) => e.kind === "session.close");
  return [
    { name: "sessions opened", value: sessions.sessions.length, unit: "count" },
    {
      name: "users who gave up",
      value: closes.filter((e) => e.attrs?.reason === "gave-up").length,
      unit: "count",
      note: "closed the tab before their render came back",
    },
    {
      name: "ids reused",
      value: sessions.sessions.filter((s) => s.epoch > 1).length,
      unit: "count",
      note: "sessions given a conversation id that an earlier session held",
    },
    { name: "callbacks", value: events.filter((e) => e.kind === "job.callback").length, unit: "count", note: "renders that finished and called back" },
    { name: "delivered to the asker", value: count("delivered") - cross, unit: "count" },
    { name: "cross-session", value: cross, unit: "count", note: "delivered into a later session that reused the id" },
    { name: "dropped", value: count("dropped"), unit: "count", note: "lost without a record anyone reads" },
    { name: "dead-lettered", value: count("dead-lettered"), unit: "count", note: "kept in a visible queue with a reason" },
  ];
}
