/**
 * Linearizability over a history of operations on one object (Wing & Gong's search, with
 * memoization as in Lowe's WGL variant). An operation has an invocation and a response time and an
 * observed output; a sequential model says which outputs are legal in which state. A history is
 * linearizable when some total order, consistent with real time (an op that returned before another
 * was invoked comes first), explains every output.
 *
 * `registerModel` covers plain reads, writes and compare-and-set; `counterModel` covers
 * read-modify-write updates (each agent's "read, think, write back" as one logical operation), where
 * a lost update shows up as a final value no serial order can produce.
 */
import { verdict, type Verdict } from "./verdict.js";

/** One completed (or pending) operation. */
export interface HistoryOp<I = unknown, O = unknown> {
  /** Who did it (an agent), for messages. */
  process: string;
  invokedAt: number;
  /** Infinity when the operation never returned (it may or may not have taken effect). */
  returnedAt: number;
  input: I;
  output: O;
  /** The trace event of the response, for evidence. */
  eventId: number;
}

/** A sequential specification: is `output` legal for `input` in `state`, and the next state. */
export interface SequentialModel<S, I, O> {
  init: S;
  step(state: S, input: I, output: O): { legal: boolean; next: S };
  /** A stable string for a state (for memoization). */
  key(state: S): string;
  describe(op: HistoryOp<I, O>): string;
}

/** A history's linearization order, or the operation at which none exists. */
export type LinearizabilityResult = { linearizable: true; order: number[] } | { linearizable: false; failedAt: number; culprit: number };

/** Searches for a linearization. Pending ops (returnedAt Infinity) may be left out. */
export function checkLinearizable<S, I, O>(history: readonly HistoryOp<I, O>[], model: SequentialModel<S, I, O>): LinearizabilityResult {
  // Find the shortest prefix (by response time) that is not linearizable: that op is the culprit.
  const byReturn = history.map((_, i) => i).sort((a, b) => (history[a] as HistoryOp).returnedAt - (history[b] as HistoryOp).returnedAt || a - b);
  let order: number[] | undefined = [];
  for (let n = 1; n <= byReturn.length; n++) {
    const subset = byReturn.slice(0, n);
    const culprit = byReturn[n - 1] as number;
    // Ops invoked before the culprit returned but not yet returned are pending in this prefix.
    const cut = (history[culprit] as HistoryOp).returnedAt;
    const pending = history.map((_, i) => i).filter((i) => !subset.includes(i) && (history[i] as HistoryOp).invokedAt <= cut);
    order = search(history, model, subset, pending);
    if (!order) return { linearizable: false, failedAt: cut, culprit };
  }
  return { linearizable: true, order: order ?? [] };
}

function search<S, I, O>(history: readonly HistoryOp<I, O>[], model: SequentialModel<S, I, O>, required: number[], optional: number[]): number[] | undefined {
  const ops = [...required, ...optional];
  const isRequired = new Set(required);
  const memo = new Set<string>();
  const done: boolean[] = ops.map(() => false);
  const order: number[] = [];
  const dfs = (state: S, remainingRequired: number): boolean => {
    if (remainingRequired === 0) return true;
    const key = `${done.map((d) => (d ? 1 : 0)).join("")}|${model.key(state)}`;
    if (memo.has(key)) return false;
    memo.add(key);
    let minReturn = Infinity;
    for (let j = 0; j < ops.length; j++) if (!done[j]) minReturn = Math.min(minReturn, (history[ops[j] as number] as HistoryOp).returnedAt);
    for (let j = 0; j < ops.length; j++) {
      if (done[j]) continue;
      const op = history[ops[j] as number] as HistoryOp<I, O>;
      if (op.invokedAt > minReturn) continue;
      const r = model.step(state, op.input, op.output);
      if (!r.legal) continue;
      done[j] = true;
      order.push(ops[j] as number);
      if (dfs(r.next, remainingRequired - (isRequired.has(ops[j] as number) ? 1 : 0))) return true;
      order.pop();
      done[j] = false;
    }
    return false;
  };
  return dfs(model.init, required.length) ? [...order] : undefined;
}

/** Register operations: read returns the value; write sets it; cas sets it only if the version matches. */
export type RegisterInput = { op: "read" } | { op: "write"; value: unknown } | { op: "cas"; expectedVersion: number; value: unknown };
/** What a register operation returned. */
export type RegisterOutput = { value?: unknown; version?: number; ok: boolean };
/** A register's value and version. */
export interface RegisterState {
  value: unknown;
  version: number;
}

/** The sequential model of a versioned register. */
export function registerModel(init: RegisterState): SequentialModel<RegisterState, RegisterInput, RegisterOutput> {
  return {
    init,
    key: (s) => `${s.version}:${JSON.stringify(s.value)}`,
    step(s, input, out) {
      switch (input.op) {
        case "read":
          return { legal: out.ok && same(out.value, s.value) && (out.version === undefined || out.version === s.version), next: s };
        case "write": {
          const next = { value: input.value, version: s.version + 1 };
          return { legal: out.ok && (out.version === undefined || out.version === next.version), next };
        }
        case "cas": {
          if (input.expectedVersion !== s.version) return { legal: !out.ok, next: s };
          const next = { value: input.value, version: s.version + 1 };
          return { legal: out.ok && (out.version === undefined || out.version === next.version), next };
        }
      }
    },
    describe: (op) =>
      op.input.op === "read"
        ? `${op.process} read ${JSON.stringify(op.output.value)} (v${op.output.version ?? "?"})`
        : `${op.process} ${op.input.op === "cas" ? `cas(v${op.input.expectedVersion})` : "wrote"} ${JSON.stringify(op.input.value)}${op.output.ok ? "" : " (rejected)"}`,
  };
}

/** Counter operations: an atomic update by `delta` observed to produce `result`, or a read. */
export type CounterInput = { op: "update"; delta: number } | { op: "read" };
/** What a counter operation returned. */
export type CounterOutput = { result: number };

/** The sequential model of a counter updated by read-modify-write (e.g. inventory, balance). */
export function counterModel(init: number): SequentialModel<number, CounterInput, CounterOutput> {
  return {
    init,
    key: (s) => String(s),
    step(s, input, out) {
      if (input.op === "read") return { legal: out.result === s, next: s };
      const next = s + input.delta;
      return { legal: out.result === next, next };
    },
    describe: (op) =>
      op.input.op === "read"
        ? `${op.process} read ${op.output.result}`
        : `${op.process} applied ${op.input.delta >= 0 ? "+" : ""}${op.input.delta} and left ${op.output.result}`,
  };
}

/** Judges a history against a model; the violation names the first op no serial order explains. */
export function linearizable<S, I, O>(
  history: readonly HistoryOp<I, O>[],
  model: SequentialModel<S, I, O>,
  options: { invariant?: string; object?: string } = {},
): Verdict {
  const invariant = options.invariant ?? "linearizable";
  const r = checkLinearizable(history, model);
  if (r.linearizable) return verdict(invariant, []);
  const culprit = history[r.culprit] as HistoryOp<I, O>;
  const involved = history
    .filter((h) => h.invokedAt <= culprit.returnedAt)
    .sort((a, b) => a.returnedAt - b.returnedAt)
    .map((h) => h.eventId);
  return verdict(invariant, [
    {
      at: r.failedAt,
      message: `no serial order of the operations on ${options.object ?? "the object"} explains "${model.describe(culprit)}": an update was lost or a stale value was acted on`,
      evidence: [...involved.filter((id) => id !== culprit.eventId), culprit.eventId],
    },
  ]);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
