/**
 * A shared store: keyed values with versions, behind a read tool and a write tool with latency,
 * so that agents sharing it can lose each other's updates (shared-tool-race) and compare-and-set
 * can stop them.
 *
 * - `readTool` takes `{ key }` and answers `{ key, value, version }` (a missing key reads as
 *   `null` at version 0).
 * - `writeTool` takes `{ key, value }` (a blind write) or `{ key, value, expectedVersion }`
 *   (compare-and-set): a stale expected version is rejected with a `conflict` error and changes
 *   nothing. A successful write answers `{ key, version }` with the new version.
 *
 * Each operation takes effect atomically at `applyAt` of its latency (midway by default), between
 * its invocation and its response. `history` lists every operation with both times, which is what
 * a linearizability checker needs; `registerHistory(key)` gives one key's operations in the shape
 * of a versioned-register history. Trace layer `store`: the tools' `store.call` spans and a
 * `store.apply` event at each operation's linearization point.
 */
import type { DurationInput } from "../sim/duration.js";
import type { Simulation } from "../sim/simulation.js";
import type { AttrValue, Attrs } from "../sim/trace.js";
import type { ToolErrorKind } from "./contracts.js";
import { STORE_DEFAULTS } from "./defaults.js";
import type { DistributionInput } from "../sim/distributions.js";
import { SimTool, type ToolCallRecord, type WorkOutcome } from "./tool.js";

/** A store operation: read, blind write, or compare-and-set. */
export type StoreOpKind = "read" | "write" | "cas";

/** One operation on the store, with its invocation and response times. */
export interface StoreOp {
  /** Who called (the request's `caller`, else the calling process). */
  process: string;
  op: StoreOpKind;
  key: string;
  /** For a read, the value read; for a write, the value written (or attempted). */
  value: AttrValue;
  /** The version read, created, or (for a rejected cas) met; absent until the op takes effect. */
  version?: number;
  /** For a cas: the version the caller expected. */
  expectedVersion?: number;
  invokedAt: number;
  /** When the store answered; Infinity while it has not (the op is indeterminate). */
  returnedAt: number;
  /** When the op took effect: ground truth the simulator knows and a real checker would not. */
  appliedAt?: number;
  /** Whether the answer was a success; absent while unanswered. */
  ok?: boolean;
  error?: ToolErrorKind;
  requestId: string;
  /** The trace id of the call's span (its begin event): orders ops by invocation. */
  span: number;
  /** The trace id of the response (the call's span while unanswered). */
  eventId: number;
}

/** A versioned register's view of one op (structurally the linearizability checker's `HistoryOp`). */
export interface RegisterHistoryOp {
  process: string;
  invokedAt: number;
  returnedAt: number;
  input: { op: "read" } | { op: "write"; value: unknown } | { op: "cas"; expectedVersion: number; value: unknown };
  output: { value?: unknown; version?: number; ok: boolean };
  eventId: number;
}

/** A shared store: latency, when an operation takes effect, timeout, initial values. */
export interface SharedStoreOptions {
  /** The store's name; its tools are `<name>.read` and `<name>.write`. */
  name: string;
  /** Latency of each read and write (default lognormal p50 80 ms, p99 1 s). */
  latency?: DistributionInput;
  /** Where in its latency an op takes effect, a fraction in [0, 1] (default 0.5). */
  applyAt?: number;
  /** The tools' own timeout (default the tool default, 30 s); `null` for none. */
  timeout?: DurationInput | null;
  /** Initial values, at version 0. */
  initial?: Record<string, AttrValue>;
}

interface Cell {
  value: AttrValue;
  version: number;
}

interface Applied extends Cell {
  at: number;
}

/** Keyed, versioned state behind read and write tools. */
export class SharedStore {
  readonly name: string;
  /** `{ key }` → `{ key, value, version }`. */
  readonly readTool: SimTool;
  /** `{ key, value, expectedVersion? }` → `{ key, version }`, or `conflict` for a stale version. */
  readonly writeTool: SimTool;
  readonly #sim: Simulation;
  readonly #cells = new Map<string, Cell>();
  readonly #applied = new Map<string, Applied>();

  constructor(sim: Simulation, options: SharedStoreOptions) {
    this.#sim = sim;
    this.name = options.name;
    for (const [k, v] of Object.entries(options.initial ?? {})) this.#cells.set(k, { value: v, version: 0 });
    const common = {
      layer: "store" as const,
      latency: options.latency ?? STORE_DEFAULTS.latency,
      commitAt: options.applyAt ?? STORE_DEFAULTS.applyAt,
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    };
    this.readTool = new SimTool(sim, { ...common, name: `${this.name}.read`, validate: validateRead, perform: (c) => this.#read(c) });
    this.writeTool = new SimTool(sim, { ...common, name: `${this.name}.write`, validate: validateWrite, perform: (c) => this.#write(c) });
  }

  /** The current value and version of `key` (`null` at version 0 if never written). */
  get(key: string): { value: AttrValue; version: number } {
    const c = this.#cells.get(key);
    return c ? { ...c } : { value: null, version: 0 };
  }

  /** Every operation through either tool, in invocation order. */
  get history(): StoreOp[] {
    const reads = this.readTool.calls.map((c) => this.#toOp(c, "read"));
    const writes = this.writeTool.calls.map((c) => this.#toOp(c, c.args.expectedVersion === undefined ? "write" : "cas"));
    return [...reads, ...writes].sort((a, b) => a.span - b.span);
  }

  /**
   * One key's operations as a versioned-register history. Calls refused at the front door are
   * left out (they never touched the register); an answer that does not say whether the op took
   * effect (a timeout, a server error) counts as no answer: `returnedAt` is Infinity.
   */
  registerHistory(key: string): RegisterHistoryOp[] {
    return this.history.filter((op) => op.key === key && op.error !== "caller").map(toRegisterOp);
  }

  #read(call: ToolCallRecord): WorkOutcome {
    const key = call.args.key as string;
    const cell = this.get(key);
    this.#apply(call, "read", key, cell, true);
    return { ok: true, result: { key, value: cell.value, version: cell.version } };
  }

  #write(call: ToolCallRecord): WorkOutcome {
    const key = call.args.key as string;
    const value = call.args.value as AttrValue;
    const expected = call.args.expectedVersion as number | undefined;
    const cell = this.get(key);
    if (expected !== undefined && expected !== cell.version) {
      this.#apply(call, "cas", key, { value, version: cell.version }, false);
      return {
        ok: false,
        error: "conflict",
        message: `stale write to "${key}": expected version ${expected}, current version is ${cell.version}; re-read and retry`,
      };
    }
    const next = { value, version: cell.version + 1 };
    this.#cells.set(key, next);
    this.#apply(call, expected === undefined ? "write" : "cas", key, next, true);
    return { ok: true, result: { key, version: next.version } };
  }

  #apply(call: ToolCallRecord, op: StoreOpKind, key: string, cell: Cell, ok: boolean): void {
    this.#applied.set(call.requestId, { ...cell, at: this.#sim.now });
    this.#sim.trace.instant({
      actor: this.name,
      layer: "store",
      kind: "store.apply",
      parent: call.span,
      attrs: { op, key, version: cell.version, ok, requestId: call.requestId },
    });
  }

  #toOp(c: ToolCallRecord, op: StoreOpKind): StoreOp {
    const applied = this.#applied.get(c.requestId);
    const r = c.response;
    return {
      process: c.caller,
      op,
      key: String(c.args.key),
      value: op === "read" ? (applied?.value ?? null) : (c.args.value as AttrValue),
      ...(applied ? { version: applied.version, appliedAt: applied.at } : {}),
      ...(op === "cas" ? { expectedVersion: c.args.expectedVersion as number } : {}),
      invokedAt: c.invokedAt,
      returnedAt: c.respondedAt ?? Infinity,
      ...(r ? { ok: r.ok } : {}),
      ...(r && !r.ok ? { error: r.error } : {}),
      requestId: c.requestId,
      span: c.span,
      eventId: r ? r.eventId : c.span,
    };
  }
}

function validateRead(args: Attrs): string | undefined {
  return typeof args.key === "string" ? undefined : `read needs { key: string }, got ${JSON.stringify(args)}`;
}

function validateWrite(args: Attrs): string | undefined {
  if (typeof args.key !== "string" || args.value === undefined)
    return `write needs { key: string, value, expectedVersion?: number }, got ${JSON.stringify(args)}`;
  if (args.expectedVersion !== undefined && typeof args.expectedVersion !== "number")
    return `expectedVersion must be a number, got ${JSON.stringify(args.expectedVersion)}`;
  return undefined;
}

function toRegisterOp(op: StoreOp): RegisterHistoryOp {
  const definite = op.ok === true || op.error === "conflict";
  const input: RegisterHistoryOp["input"] =
    op.op === "read"
      ? { op: "read" }
      : op.op === "write"
        ? { op: "write", value: op.value }
        : { op: "cas", expectedVersion: op.expectedVersion as number, value: op.value };
  const output = !definite ? { ok: true } : op.op === "read" ? { ok: true, value: op.value, version: op.version } : { ok: op.ok === true, version: op.version };
  return { process: op.process, invokedAt: op.invokedAt, returnedAt: definite ? op.returnedAt : Infinity, input, output, eventId: op.eventId };
}
