/**
 * Idempotency keys with Stripe's semantics (../shared/FACTS.md, "Idempotency keys"):
 *
 * - the first request's reply is saved once it starts executing, including server errors, and a
 *   retry with the same key gets that reply replayed;
 * - the same key with different parameters (or another endpoint) is an idempotency error;
 * - the same key while the first request is still in flight is a 409 conflict;
 * - a request that fails validation or conflicts saves nothing, so retrying it is safe;
 * - a finished key may be pruned once it is at least the retention window old (24 h), after which
 *   the same key starts a new request.
 *
 * The store is a plain data structure: the tool asks `lookup` at the front door, `reserve`s the key
 * when its work starts, and `save`s (or `release`s) the reply when the work ends. One store may be
 * shared by several tools of one service, as keys are per account, not per endpoint.
 */
import { parseDuration, type DurationInput } from "../sim/duration.js";
import { canonicalJson, type Attrs } from "../sim/trace.js";
import { IDEMPOTENCY_DEFAULTS } from "./defaults.js";

/** What the store knows about a key when a request arrives with it. */
export type IdempotencyLookup<R> =
  /** Unknown (or pruned) key: execute the request. */
  | { kind: "new" }
  /** Finished with the same parameters: replay `reply`, saved by `requestId`. */
  | { kind: "replay"; reply: R; requestId: string }
  /** Still executing with the same parameters: answer 409. */
  | { kind: "in-flight"; requestId: string }
  /** Used before with different parameters or on another endpoint: an idempotency error. */
  | { kind: "mismatch"; requestId: string };

/** How an idempotency store keeps keys. */
export interface IdempotencyStoreOptions {
  /** How long a finished key is kept, from when its request started (default 24 h). */
  retention?: DurationInput;
}

interface Entry<R> {
  fingerprint: string;
  requestId: string;
  createdAt: number;
  reply?: R;
}

/** The identity of a request for mismatch detection: endpoint and canonical parameters. */
export function requestFingerprint(endpoint: string, args: Attrs): string {
  return `${endpoint}\u0000${canonicalJson(args)}`;
}

/** Why a key is unusable (too long, empty), or undefined when it is fine. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "idempotency key must not be empty";
  const max = IDEMPOTENCY_DEFAULTS.maxKeyLength;
  if (key.length > max) return `idempotency key is ${key.length} characters long; at most ${max} are allowed`;
  return undefined;
}

/** Saved replies by idempotency key. `R` is the reply type the tool replays. */
export class IdempotencyStore<R> {
  /** How long a finished key is kept, in ms. */
  readonly retentionMs: number;
  readonly #entries = new Map<string, Entry<R>>();

  constructor(options: IdempotencyStoreOptions = {}) {
    this.retentionMs = options.retention === undefined ? IDEMPOTENCY_DEFAULTS.retentionMs : parseDuration(options.retention);
  }

  /** Keys held (in flight or saved and not yet pruned). */
  get size(): number {
    return this.#entries.size;
  }

  /** Classifies a request carrying `key` at time `now`; prunes the key first if it has expired. */
  lookup(key: string, fingerprint: string, now: number): IdempotencyLookup<R> {
    const e = this.#entries.get(key);
    if (!e) return { kind: "new" };
    if (e.reply !== undefined && now - e.createdAt >= this.retentionMs) {
      this.#entries.delete(key);
      return { kind: "new" };
    }
    if (e.fingerprint !== fingerprint) return { kind: "mismatch", requestId: e.requestId };
    if (e.reply === undefined) return { kind: "in-flight", requestId: e.requestId };
    return { kind: "replay", reply: e.reply, requestId: e.requestId };
  }

  /** Marks `key` in flight for `requestId`, whose work starts now. */
  reserve(key: string, fingerprint: string, requestId: string, now: number): void {
    if (this.#entries.has(key)) throw new Error(`idempotency key "${key}" is already held; call lookup() before reserve()`);
    this.#entries.set(key, { fingerprint, requestId, createdAt: now });
  }

  /** Saves the reply of the request holding `key`, to be replayed to retries. */
  save(key: string, requestId: string, reply: R): void {
    const e = this.#entries.get(key);
    if (e && e.requestId === requestId) e.reply = reply;
  }

  /** Drops the key held by `requestId` without saving anything: a retry will execute anew. */
  release(key: string, requestId: string): void {
    const e = this.#entries.get(key);
    if (e && e.requestId === requestId) this.#entries.delete(key);
  }
}
