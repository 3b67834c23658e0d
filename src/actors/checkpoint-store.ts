/**
 * Step checkpoints for runs that are retried whole (`step-checkpoints`): a durable record, per
 * logical run and step, that the step took effect, so that a retried run resumes after its last
 * committed step instead of doing earlier steps again.
 *
 * The checkpoint is written where the effect happens, in the same transaction (a transactional
 * outbox): a tool's work calls `write` at its commit point. So a step that committed and then
 * failed to answer (a 5xx after commit, a timeout after commit) still has its checkpoint, and a
 * step that never committed has none, whatever its caller was told. The store holds nothing the
 * caller decided; it is evidence of commits.
 *
 * Trace: `checkpoint.write` (layer store, actor = the store's name, parent = the committing call),
 * the event a resumed run's skip points at.
 */
import type { Simulation } from "../sim/simulation.js";

/** One written checkpoint. */
export interface Checkpoint {
  /** The logical run (stable across whole-run retries: an order id, a request id). */
  readonly run: string;
  /** The step within the run. */
  readonly step: string;
  /** Virtual time it was written (the commit). */
  readonly t: number;
  /** The trace id of its `checkpoint.write` event. */
  readonly eventId: number;
}

/** Checkpoints by run and step. */
export class CheckpointStore {
  readonly name: string;
  readonly #sim: Simulation;
  readonly #entries = new Map<string, Checkpoint>();

  constructor(sim: Simulation, name = "checkpoints") {
    this.#sim = sim;
    this.name = name;
  }

  /** How many checkpoints are held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records that `step` of `run` took effect now, caused by trace event `parent` (the call whose
   * work committed). The first write of a step stands; a later one returns it unchanged.
   */
  write(run: string, step: string, parent: number): Checkpoint {
    const k = slot(run, step);
    const found = this.#entries.get(k);
    if (found) return found;
    const eventId = this.#sim.trace.instant({ actor: this.name, layer: "store", kind: "checkpoint.write", parent, attrs: { run, step } });
    const cp: Checkpoint = { run, step, t: this.#sim.now, eventId };
    this.#entries.set(k, cp);
    return cp;
  }

  /** The checkpoint of `step` of `run`, if that step has taken effect. */
  read(run: string, step: string): Checkpoint | undefined {
    return this.#entries.get(slot(run, step));
  }
}

function slot(run: string, step: string): string {
  return `${run}\u0000${step}`;
}
