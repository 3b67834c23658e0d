/**
 * A run as OTLP/JSON traces in the OpenTelemetry GenAI conventions, for the tools a team already
 * has (Jaeger, Grafana Tempo, Langfuse, Phoenix): `agentsim run --format otlp`.
 *
 * - Each span of the trace (a `begin` and its `end`) is an OTLP span at virtual timestamps (the
 *   run's epoch plus virtual time). Model calls are `chat` spans (`gen_ai.operation.name`, model,
 *   token usage with cache reads and writes, `error.type` for 429/5xx), tool calls `execute_tool`
 *   spans (tool name, call id, arguments), agent runs `invoke_agent` spans. Every attribute of the
 *   event is kept under `agentsim.*`.
 * - An instant event becomes a span event of the span it happened in; an instant outside any span
 *   (a conversation's arrival, a cron tick) a zero-length span of its own.
 * - One trace per causal root: everything that follows from one conversation, workflow or
 *   process start shares a trace id. A span's parent is the nearest span its causal chain passes
 *   through; a span caused by another span's end (a retry after a timeout) also links to it.
 * - Each violation is a span event `agentsim.violation` on the span of its first evidence.
 *
 * Ids are derived from the scenario, the seed and event ids, so the same run exports the same
 * bytes.
 */
import { createHash } from "node:crypto";
import { toOtlpAttributes, msToNanos, type OtlpSpan, type OtlpTraces } from "../import/otlp-json.js";
import type { RunResult } from "../run/run-scenario.js";
import { DEFAULT_EPOCH_MS } from "../sim/simulation.js";
import type { AttrValue, Attrs, TraceEvent } from "../sim/trace.js";
import type { WorldRun } from "../world/run-in-world.js";
import { asRunResult, isWorldRun } from "./world-run-result.js";

/** Options of the export. */
export interface OtlpOptions {
  /** UTC instant of virtual time 0 (default: the kernel's default epoch). */
  epochMs?: number;
}

/** The run (a scenario's, or a world run of real agent code) as an OTLP trace export request, `JSON.stringify`-ready. */
export function toOtlp(run: RunResult | WorldRun<unknown>, options: OtlpOptions = {}): OtlpTraces {
  const result = asRunResult(run);
  const epoch = options.epochMs ?? (isWorldRun(run) ? run.world.sim.epochMs : DEFAULT_EPOCH_MS);
  const events = result.trace.events;
  const byId = new Map<number, TraceEvent>(events.map((e) => [e.id, e]));
  const endOf = new Map<number, TraceEvent>();
  for (const e of events) if (e.phase === "end" && e.span !== undefined) endOf.set(e.span, e);

  // The span an event belongs to: itself for a begin; its span for an end; else the nearest span up its causal chain.
  const spanOfMemo = new Map<number, number | undefined>();
  const spanOf = (id: number | undefined): number | undefined => {
    if (id === undefined) return undefined;
    if (spanOfMemo.has(id)) return spanOfMemo.get(id);
    const e = byId.get(id);
    let s: number | undefined;
    if (!e) s = undefined;
    else if (e.phase === "begin") s = e.id;
    else if (e.phase === "end") s = e.span;
    else s = spanOf(e.parent);
    spanOfMemo.set(id, s);
    return s;
  };
  const rootMemo = new Map<number, number>();
  const rootOf = (id: number): number => {
    const hit = rootMemo.get(id);
    if (hit !== undefined) return hit;
    const e = byId.get(id);
    const parent = e?.phase === "end" ? e.span : e?.parent;
    const r = parent === undefined || !byId.has(parent) ? id : rootOf(parent);
    rootMemo.set(id, r);
    return r;
  };

  const traceIdOf = (root: number): string => hex(`${result.scenario}\u0000${result.seed}\u0000${root}`, 32);
  const spanIdOf = (id: number): string => (id + 1).toString(16).padStart(16, "0");
  const at = (t: number): string => msToNanos(epoch + t);

  const spans = new Map<number, OtlpSpan>();
  const lastT = result.outcome.now;
  for (const e of events) {
    if (e.phase === "end") continue;
    if (e.phase === "instant" && spanOf(e.parent) !== undefined) continue;
    const end = e.phase === "begin" ? endOf.get(e.id) : e;
    const parentEvent = byId.get(e.parent ?? -1);
    const parentSpan = spanOf(e.parent);
    const links =
      parentEvent?.phase === "end" && parentSpan !== undefined
        ? [
            {
              traceId: traceIdOf(rootOf(parentSpan)),
              spanId: spanIdOf(parentSpan),
              attributes: toOtlpAttributes({ "agentsim.cause": "span end" }),
              droppedAttributesCount: 0,
            },
          ]
        : [];
    const attrs: Attrs = { ...(e.attrs ?? {}), ...(end && end !== e ? (end.attrs ?? {}) : {}) };
    const { name, genAi, failed } = conventions(e, end === e ? undefined : end, attrs);
    const span: OtlpSpan = {
      traceId: traceIdOf(rootOf(e.id)),
      spanId: spanIdOf(e.id),
      ...(parentSpan !== undefined ? { parentSpanId: spanIdOf(parentSpan) } : {}),
      name,
      kind: e.layer === "tool" || e.layer === "model" || e.layer === "store" ? 3 : 1,
      startTimeUnixNano: at(e.t),
      endTimeUnixNano: at(end ? end.t : lastT),
      attributes: toOtlpAttributes({
        ...genAi,
        "agentsim.actor": e.actor,
        "agentsim.layer": e.layer,
        "agentsim.kind": e.kind,
        "agentsim.event_id": e.id,
        ...(end && end !== e ? { "agentsim.end_kind": end.kind } : {}),
        ...prefixed(attrs),
      }),
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links,
      droppedLinksCount: 0,
      status: end ? (failed ? { code: 2, message: failed } : { code: 0 }) : { code: 2, message: "unfinished when the run stopped" },
    };
    spans.set(e.id, span);
  }
  for (const e of events) {
    if (e.phase !== "instant") continue;
    const owner = spanOf(e.parent);
    if (owner === undefined) continue;
    spans.get(owner)?.events.push({
      timeUnixNano: at(e.t),
      name: e.kind,
      attributes: toOtlpAttributes({ "agentsim.actor": e.actor, "agentsim.event_id": e.id, ...prefixed(e.attrs ?? {}) }),
      droppedAttributesCount: 0,
    });
  }
  for (const v of result.violations) {
    const first = v.evidence[0];
    const owner = first === undefined ? undefined : (spanOf(first) ?? first);
    const span = owner === undefined ? undefined : spans.get(owner);
    if (!span) continue;
    span.events.push({
      timeUnixNano: at(v.at),
      name: "agentsim.violation",
      attributes: toOtlpAttributes({ "agentsim.invariant": v.invariant, "agentsim.message": v.message, "agentsim.evidence": v.evidence.map(String) }),
      droppedAttributesCount: 0,
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: toOtlpAttributes({
            "service.name": `agentsim:${result.scenario}`,
            "agentsim.scenario": result.scenario,
            "agentsim.seed": result.seed,
            "agentsim.mitigations": result.mitigations.join(","),
            "agentsim.verdict": result.verdict,
            "agentsim.trace_hash": result.traceHash,
          }),
          droppedAttributesCount: 0,
        },
        scopeSpans: [{ scope: { name: "agentsim" }, spans: [...spans.values()] }],
      },
    ],
  };
}

/** The run as OTLP/JSON text (the OTLP HTTP JSON body), one document. */
export function renderOtlp(run: RunResult | WorldRun<unknown>, options: OtlpOptions = {}): string {
  return `${JSON.stringify(toOtlp(run, options))}\n`;
}

/** The GenAI name and attributes of a span, and its error if it failed. */
function conventions(begin: TraceEvent, end: TraceEvent | undefined, attrs: Attrs): { name: string; genAi: Attrs; failed: string | undefined } {
  if (begin.kind === "llm.call") {
    const status = typeof attrs.status === "number" ? attrs.status : undefined;
    const model = typeof attrs.model === "string" ? attrs.model : begin.actor;
    const failed = end?.kind === "llm.error" ? (status === 429 ? "rate_limited" : status !== undefined ? `http_${status}` : "error") : undefined;
    const genAi: Attrs = {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "agentsim",
      "gen_ai.request.model": model,
      ...num("gen_ai.usage.input_tokens", attrs.inputTokens),
      ...num("gen_ai.usage.output_tokens", attrs.outputTokens),
      ...num("gen_ai.usage.cache_read.input_tokens", attrs.cacheReadInputTokens),
      ...num("gen_ai.usage.cache_creation.input_tokens", attrs.cacheCreationInputTokens),
      ...(typeof attrs.caller === "string" ? { "gen_ai.agent.name": attrs.caller } : {}),
      ...(failed ? { "error.type": failed } : {}),
      ...(status !== undefined ? { "http.response.status_code": status } : {}),
    };
    return { name: `chat ${model}`, genAi, failed };
  }
  if (begin.layer === "tool" && begin.kind === "tool.call") {
    const failed = attrs.ok === false ? String(attrs.error ?? "error") : undefined;
    const genAi: Attrs = {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": begin.actor,
      ...(typeof attrs.requestId === "string" ? { "gen_ai.tool.call.id": attrs.requestId } : {}),
      ...(attrs.args !== undefined ? { "gen_ai.tool.call.arguments": JSON.stringify(attrs.args) } : {}),
      ...(failed ? { "error.type": failed } : {}),
    };
    return { name: `execute_tool ${begin.actor}`, genAi, failed };
  }
  if (begin.kind === "agent.run" || (begin.layer === "harness" && begin.kind === "run")) {
    const failed =
      attrs.status === "failed" || attrs.ok === false
        ? String(attrs.error ?? "failed")
        : typeof attrs.outcome === "string" && attrs.outcome !== "succeeded"
          ? attrs.outcome
          : undefined;
    return { name: `invoke_agent ${begin.actor}`, genAi: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": begin.actor }, failed };
  }
  const failed = attrs.ok === false ? String(attrs.error ?? "error") : undefined;
  return { name: begin.kind, genAi: {}, failed };
}

function num(key: string, v: AttrValue | undefined): Attrs {
  return typeof v === "number" ? { [key]: v } : {};
}

function prefixed(attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) out[`agentsim.${k}`] = v;
  return out;
}

function hex(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
