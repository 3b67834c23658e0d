/**
 * Causal grounding of answers: every fact in a final answer must trace, through the causal links of
 * the trace, to a tool result that actually held data. A fact whose chain ends at a null result
 * (or at nothing) was made up somewhere between the tool and the answer, even if every layer's
 * own log looks clean.
 */
import type { AttrValue, Trace, TraceEvent } from "../sim/trace.js";
import { verdict, type Verdict } from "./verdict.js";

/** A claim in an answer and the trace event it says it came from. */
export interface AnswerFact {
  claim: string;
  /** The trace event the claim was derived from (a model event, a tool result...). */
  source: number;
  /** The event that delivered the answer containing it. */
  answerEventId: number;
  at: number;
}

/** How to recognise a tool result event and whether it held data. */
export type ToolResultReader = (e: TraceEvent) => { empty: boolean } | undefined;

/**
 * Whether a result holds no data: null, "", [], {}, or an object of only such values (the post's
 * `{"result": null}`). The same reading as the model's (actors/model-behaviour.ts `isEmptyResult`):
 * whatever a model may take for "no answer" cannot ground a fact. 0 and false are data.
 */
export function holdsNoData(r: AttrValue | undefined): boolean {
  if (r === undefined || r === null || r === "") return true;
  if (Array.isArray(r)) return r.length === 0;
  if (typeof r === "object") return Object.values(r).every(holdsNoData);
  return false;
}

/** Default reader: a tool-layer `end` event with a `result` attribute; empty when it holds no data (`holdsNoData`). */
export const defaultToolResult: ToolResultReader = (e) => {
  if (e.layer !== "tool" || e.phase !== "end" || !e.attrs || !("result" in e.attrs)) return undefined;
  return { empty: holdsNoData(e.attrs.result) };
};

/** Walks from `source` up the causal links to the nearest tool result; returns it and the path. */
export function groundOf(trace: Trace, source: number, read: ToolResultReader = defaultToolResult): { result?: TraceEvent; empty?: boolean; path: number[] } {
  const path: number[] = [];
  const seen = new Set<number>();
  let cur = trace.get(source);
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    path.push(cur.id);
    const r = read(cur);
    if (r) return { result: cur, empty: r.empty, path };
    const up = cur.phase === "end" && cur.span !== undefined ? cur.span : cur.parent;
    cur = up === undefined ? undefined : trace.get(up);
  }
  return { path };
}

/** Judges that every fact traces to a non-empty tool result. */
export function groundedAnswers(trace: Trace, facts: readonly AnswerFact[], options: { invariant?: string; read?: ToolResultReader } = {}): Verdict {
  const invariant = options.invariant ?? "grounded-answers";
  const violations = [];
  for (const f of facts) {
    const g = groundOf(trace, f.source, options.read);
    if (g.result && !g.empty) continue;
    const why = g.result ? `the tool returned an empty result (${g.result.actor} at event #${g.result.id})` : "no tool result in its causal chain";
    violations.push({
      at: f.at,
      message: `answer states "${f.claim}" but ${why}: the fact was made up between the tool and the answer`,
      evidence: [...g.path.slice().reverse(), f.answerEventId].filter((v, i, a) => a.indexOf(v) === i),
    });
  }
  return verdict(invariant, violations);
}
