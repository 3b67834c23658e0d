/**
 * A human reviewer: a person who watches one or more approval queues and acts only while their
 * calendar says they are available.
 *
 * Contract: `start()` spawns a daemon process. Whenever a request waits in one of its queues, the
 * reviewer, once available (true UTC = `sim.epochMs + sim.now`; people read no skewed clock), takes
 * the oldest one (`approval.seen`), spends a response time drawn from `responseTime` (its own
 * seeded stream `reviewer:<name>:response`) of *available* time on it, so work started before
 * lunch finishes after lunch, then decides: reject with `rejectProbability` (stream
 * `reviewer:<name>:decision`), else approve. While away it traces `reviewer.away` (why, until when)
 * with the waiting request as parent, so a causal chain shows who was at lunch.
 */
import type { Distribution, DistributionSpec } from "../sim/distributions.js";
import type { Signal } from "../sim/process.js";
import type { ProcessContext, ProcessHandle, Simulation } from "../sim/simulation.js";
import type { ApprovalQueue, ApprovalRecord } from "./approval-queue.js";
import { Calendar, type CalendarSpec } from "./calendar.js";
import { REVIEWER_DEFAULTS } from "./defaults.js";
import { toDistribution } from "../sim/distributions.js";

/** A human reviewer: a calendar, the queues they watch, how fast and how they decide. */
export interface ReviewerOptions {
  name: string;
  /** When the person can act. */
  calendar: Calendar | CalendarSpec;
  /** The queues they watch; the oldest waiting request across them is taken first. */
  queues: readonly ApprovalQueue[];
  /**
   * Available time from taking a request to deciding it, as written or already compiled. Default
   * `REVIEWER_DEFAULTS` (defaults.ts).
   */
  responseTime?: DistributionSpec | Distribution;
  /** Chance a decision is a rejection. Default `REVIEWER_DEFAULTS` (defaults.ts). */
  rejectProbability?: number;
}

/** A person working approval queues. */
export class Reviewer {
  readonly name: string;
  readonly calendar: Calendar;
  readonly queues: readonly ApprovalQueue[];
  readonly #sim: Simulation;
  readonly #responseTime: Distribution;
  readonly #rejectProbability: number;
  #arrival: Signal<void> | undefined;
  #handle: ProcessHandle<never> | undefined;

  constructor(sim: Simulation, options: ReviewerOptions) {
    this.#sim = sim;
    this.name = options.name;
    this.calendar = options.calendar instanceof Calendar ? options.calendar : new Calendar(options.calendar);
    this.queues = options.queues;
    this.#responseTime = toDistribution(options.responseTime ?? REVIEWER_DEFAULTS.responseTime);
    this.#rejectProbability = options.rejectProbability ?? REVIEWER_DEFAULTS.rejectProbability;
    if (!(this.#rejectProbability >= 0 && this.#rejectProbability <= 1)) {
      throw new RangeError(`reviewer ${this.name}: rejectProbability must be in [0, 1], got ${this.#rejectProbability}`);
    }
    for (const q of this.queues) q.watch(this.name, () => this.#notify());
  }

  /** Spawns the reviewer's daemon process (once). */
  start(): ProcessHandle<never> {
    this.#handle ??= this.#sim.spawn(`reviewer:${this.name}`, (ctx) => this.#work(ctx), { daemon: true });
    return this.#handle;
  }

  async #work(ctx: ProcessContext): Promise<never> {
    const response = ctx.rng(`reviewer:${this.name}:response`);
    const decision = ctx.rng(`reviewer:${this.name}:decision`);
    for (;;) {
      const next = this.#oldestWaiting();
      if (!next) {
        await this.#nextArrival(ctx, `${this.name} idle, watching ${this.queues.map((q) => q.name).join(", ")}`);
        continue;
      }
      const nowUtc = this.#utcNow();
      const from = this.calendar.nextAvailable(nowUtc);
      if (from > nowUtc) {
        await this.#away(ctx, next.record, nowUtc, from);
        continue;
      }
      next.queue.take(next.record.id, this.name);
      const doneAt = this.calendar.addWorkingTime(nowUtc, this.#responseTime.sample(response));
      const label = `${this.name} reviewing ${next.record.id}`;
      if (doneAt === Infinity) await ctx.wait(this.#sim.signal(`${this.name}: never available again`), label);
      await ctx.sleep(doneAt - nowUtc, label);
      next.queue.decide(next.record.id, this.name, !decision.chance(this.#rejectProbability));
    }
  }

  /** Waits out an unavailable spell (or, if never available again, until the next arrival). */
  async #away(ctx: ProcessContext, waiting: ApprovalRecord, nowUtc: number, from: number): Promise<void> {
    const status = this.calendar.statusAt(nowUtc);
    const reason = status.available ? "unavailable" : status.reason;
    const detail = !status.available && status.detail ? status.detail : undefined;
    this.#sim.trace.instant({
      actor: this.name,
      layer: "human",
      kind: "reviewer.away",
      parent: waiting.eventId,
      attrs: {
        reason,
        ...(detail ? { detail } : {}),
        until: from === Infinity ? null : new Date(from).toISOString(),
        waiting: waiting.id,
      },
    });
    const label = `${this.name} away (${detail ?? reason})`;
    if (from === Infinity) await this.#nextArrival(ctx, label);
    else await ctx.sleep(Math.ceil(from - nowUtc), label);
  }

  #nextArrival(ctx: ProcessContext, label: string): Promise<void> {
    this.#arrival = this.#sim.signal(`${this.name}: new request`);
    return ctx.wait(this.#arrival, label);
  }

  #oldestWaiting(): { queue: ApprovalQueue; record: ApprovalRecord } | undefined {
    let best: { queue: ApprovalQueue; record: ApprovalRecord } | undefined;
    for (const queue of this.queues) {
      const record = queue.oldestWaiting();
      if (record && (!best || record.enqueuedAt < best.record.enqueuedAt)) best = { queue, record };
    }
    return best;
  }

  #notify(): void {
    if (this.#arrival && !this.#arrival.fired) this.#arrival.fire(undefined);
  }

  #utcNow(): number {
    return this.#sim.epochMs + this.#sim.now;
  }
}
