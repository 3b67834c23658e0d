/**
 * The model's sampling behaviour as seeded probabilities: the misbehaviours the failure catalog
 * studies, each one draw per call from a stream named for the model and the purpose
 * (`<model>:tool-args`, `<model>:interpret`, `<model>:now-belief`).
 *
 * - `sampleToolArgs`: with probability `pMalformed` the arguments are malformed (a required field
 *   dropped, or a field of the wrong type), which the tool's validation can detect.
 * - `interpretToolResult`: a null or empty tool result becomes, with probability `pRationalize`,
 *   a confident claim; otherwise "unknown". The trace carries no flag saying so: the evidence is
 *   that the claim's parent is a tool event whose result was empty.
 * - `believedNow`: the model's belief of "now": the training cutoff (jittered by days) when the
 *   prompt gives no date, or with probability `pCutoffBelief` even when it does.
 *
 * Decisions take no virtual time; pair them with a `complete` call for the time and the cost.
 * Each call draws the same number of values whatever the outcome, so changing a probability never
 * shifts the draws of later calls.
 */
import type { Simulation } from "../sim/simulation.js";
import { canonicalJson, type AttrValue, type Attrs } from "../sim/trace.js";
import { isEmptyResult } from "./contracts.js";
import { MODEL_BEHAVIOUR_DEFAULTS } from "./defaults.js";

const DAY_MS = 86_400_000;

/** Per-model probabilities and the training cutoff; every field defaults from `MODEL_BEHAVIOUR_DEFAULTS`. */
export interface ModelBehaviourOptions {
  pMalformed?: number;
  pRationalize?: number;
  pCutoffBelief?: number;
  /** Training cutoff, ms since the Unix epoch. */
  trainingCutoffMs?: number;
  /** The believed date is 1 to this many days before the cutoff. */
  cutoffJitterDays?: number;
}

/** What `sampleToolArgs` is asked: the correct arguments and the chance of corrupting them. */
export interface SampleToolArgsOptions {
  caller: string;
  /** The arguments a correct sample would have. Needs at least one field when `pMalformed > 0`. */
  wellFormed: Attrs;
  /** Overrides the model's `pMalformed` for this call. */
  pMalformed?: number;
  /** The tool the arguments are for, for the trace. */
  tool?: string;
  parent?: number;
}

/** The tool arguments a model produced, and whether they were corrupted. */
export interface ToolArgsSample {
  args: Attrs;
  /** Whether the sample was corrupted (for the caller's bookkeeping; not in the trace). */
  malformed: boolean;
  /** The `llm.tool-args` event. */
  eventId: number;
}

/** What `interpretToolResult` is asked: a tool's result and how the model treats an empty one. */
export interface InterpretToolResultOptions {
  caller: string;
  /** The tool's result as the model sees it. */
  result: AttrValue;
  /** The tool event that produced it: the answer's causal parent. */
  toolEventId: number;
  /** Overrides the model's `pRationalize` for this call. */
  pRationalize?: number;
  /** What a rationalized answer claims (default: an invented identifier). */
  plausible?: AttrValue;
}

/** What the model concludes from a tool result. */
export type Interpretation = { outcome: "claim"; value: AttrValue; eventId: number } | { outcome: "unknown"; eventId: number };

/** What `believedNow` is asked: what the prompt says about the current time. */
export interface BelievedNowOptions {
  caller: string;
  /** The instant the prompt states as now (ms since the Unix epoch), if it states one. */
  authoritativeNow?: number;
  /** Overrides the model's `pCutoffBelief` for this call. */
  pCutoffBelief?: number;
  parent?: number;
}

/** The instant a model takes as now, and the event that records it. */
export interface BelievedNow {
  /** The instant the model takes as now, ms since the Unix epoch. */
  nowMs: number;
  /** The `llm.believed-now` event. */
  eventId: number;
}

/** One model's seeded misbehaviours. */
export class ModelBehaviour {
  readonly #sim: Simulation;
  readonly #actor: string;
  readonly #o: Required<ModelBehaviourOptions>;

  constructor(sim: Simulation, actor: string, options: ModelBehaviourOptions = {}) {
    this.#sim = sim;
    this.#actor = actor;
    this.#o = { ...MODEL_BEHAVIOUR_DEFAULTS, ...definedOnly(options) };
  }

  /** Samples tool arguments: `wellFormed`, or with probability `pMalformed` a corrupted copy. */
  sampleToolArgs(o: SampleToolArgsOptions): ToolArgsSample {
    const p = o.pMalformed ?? this.#o.pMalformed;
    if (p > 0 && Object.keys(o.wellFormed).length === 0) {
      throw new RangeError(`sampleToolArgs: wellFormed has no fields, so a malformed sample has nothing to drop or mistype; pass the tool's arguments`);
    }
    const rng = this.#sim.rng(`${this.#actor}:tool-args`);
    const malformed = rng.next() < p;
    const pick = rng.next();
    const drop = rng.next() < 0.5;
    const args = malformed ? corrupt(o.wellFormed, pick, drop) : { ...o.wellFormed };
    const attrs: Attrs = { caller: o.caller, args };
    if (o.tool !== undefined) attrs.tool = o.tool;
    const eventId = this.#sim.trace.instant({ actor: this.#actor, layer: "model", kind: "llm.tool-args", parent: o.parent, attrs });
    return { args, malformed, eventId };
  }

  /** Reads a tool result: a non-empty one is claimed as is; an empty one is rationalized or left unknown. */
  interpretToolResult(o: InterpretToolResultOptions): Interpretation {
    const rng = this.#sim.rng(`${this.#actor}:interpret`);
    const rationalize = rng.next() < (o.pRationalize ?? this.#o.pRationalize);
    const invented = `ref-${rng.hex(8)}`;
    const empty = isEmptyResult(o.result);
    const base = { actor: this.#actor, layer: "model" as const, kind: "llm.answer", parent: o.toolEventId };
    if (empty && !rationalize) {
      const eventId = this.#sim.trace.instant({ ...base, attrs: { caller: o.caller, outcome: "unknown" } });
      return { outcome: "unknown", eventId };
    }
    const value = empty ? (o.plausible ?? invented) : o.result;
    const eventId = this.#sim.trace.instant({ ...base, attrs: { caller: o.caller, outcome: "claim", value } });
    return { outcome: "claim", value, eventId };
  }

  /** The model's belief of now: see the file's contract. */
  believedNow(o: BelievedNowOptions): BelievedNow {
    const rng = this.#sim.rng(`${this.#actor}:now-belief`);
    const ignorePrompt = rng.next() < (o.pCutoffBelief ?? this.#o.pCutoffBelief);
    const daysBefore = rng.int(1, this.#o.cutoffJitterDays);
    const trueNow = this.#sim.epochMs + this.#sim.now;
    const timeOfDay = ((trueNow % DAY_MS) + DAY_MS) % DAY_MS;
    const cutoffBelief = this.#o.trainingCutoffMs - daysBefore * DAY_MS + timeOfDay;
    const nowMs = o.authoritativeNow !== undefined && !ignorePrompt ? o.authoritativeNow : cutoffBelief;
    const eventId = this.#sim.trace.instant({
      actor: this.#actor,
      layer: "model",
      kind: "llm.believed-now",
      parent: o.parent,
      attrs: { caller: o.caller, believedNow: new Date(nowMs).toISOString() },
    });
    return { nowMs, eventId };
  }
}

/**
 * A copy of `args` with one field (chosen by `pick` in [0, 1)) dropped, or given the wrong type
 * the way models get it wrong: a number or boolean as a string, a numeric string as a number,
 * text wrapped in a list, an object or list serialized into a string.
 */
function corrupt(args: Attrs, pick: number, drop: boolean): Attrs {
  const keys = Object.keys(args).sort();
  const key = keys[Math.floor(pick * keys.length)] as string;
  const out = { ...args };
  if (drop) delete out[key];
  else out[key] = mistype(args[key] as AttrValue);
  return out;
}

function mistype(v: AttrValue): AttrValue {
  if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : [v];
  return canonicalJson(v);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
