/**
 * From an incident's spans to the workload a scenario replays (`IncidentWorkload`) and what the
 * incident shows (`IncidentFindings`): the models and tools seen, their latencies and error
 * rates, the arrival of conversations, the client's timeout and retries, token counts and cache
 * behaviour, and which tools have side effects.
 *
 * How each is read:
 * - Conversations: spans grouped by `gen_ai.conversation.id` (else by trace); a conversation
 *   arrives at its first span's start.
 * - A tool's latency: the server's span under the client's `execute_tool` span when the tool is
 *   instrumented (the work's own duration, which outlives a client that gave up), else the
 *   `execute_tool` span itself (censored at the client's timeout when it timed out).
 * - The client's timeout: the duration of `execute_tool` spans that failed with a timeout or abort
 *   (`error.type`); else the gap from a call to its retry when the retry started before the
 *   first call ended. Attempts: the most calls of one tool with the same arguments in one
 *   conversation. Backoff: the median gap from a failed attempt's end to the retry's start.
 * - Side effects: the tools the user names; without that, the tools whose HTTP method (on the
 *   span or the spans under it) writes (POST, PUT, PATCH, DELETE), as a hint.
 * - Duplicate effects: a side-effecting tool whose work succeeded more than once for the same
 *   arguments in one conversation (by the server's spans, else the client's).
 * - The prompt cache: model calls with cache-creation tokens wrote it, with cache-read tokens read
 *   it. The traces do not name the prefix, so the writes are taken as one shared prefix (its
 *   tokens: the writes' median) whose lifetime is assumed (5 min, the provider default). A
 *   stampede: more than one write within one lifetime (a healthy prefix is written once, then
 *   read until it lapses).
 * - Spend: each model call's tokens at the provider's default prices (the traces carry no
 *   prices), charged at its end; a spike is a window's spend above five times the trailing rate
 *   (`spendWindows`, the checker's own windows), the window a twentieth of the traces' span (1 s
 *   to 3 min) and the trailing period half of it (at most the hour the stampede post used).
 */
import { LLM_DEFAULTS, PROMPT_CACHE_DEFAULTS } from "../actors/defaults.js";
import { spendWindows, type SpendSpikeWindow } from "../checks/spend-spike.js";
import type { IncidentWorkload } from "../scenarios/incident.js";
import type { AttrValue, Attrs } from "../sim/trace.js";
import { genAiSpan, type GenAiSpan } from "./genai-spans.js";
import type { SpanRecord } from "./otlp-json.js";

/** What the user tells the import. */
export interface ImportOptions {
  /** The scenario's name. */
  name: string;
  /** Where the traces came from (a file name), for the scenario's title and sources. */
  source: string;
  /** Tools with side effects; when absent, tools whose HTTP method writes are taken as having them. */
  sideEffects?: readonly string[];
  /** An end-to-end SLA per conversation (ms). */
  slaMs?: number;
}

/** What the incident shows, in numbers a person checks against the traces. */
export interface IncidentFindings {
  spans: number;
  genAiSpans: number;
  conversations: number;
  /** Per side-effecting tool: the argument sets that took effect more than once, and how often. */
  duplicateEffects: { tool: string; args: AttrValue; times: number; conversation: string }[];
  /** Tool calls the client gave up on (timeout, abort) and never saw succeed on a retry. */
  abandonedCalls: number;
  /** Conversations over the SLA (when one was given). */
  overSla: { conversation: string; ms: number }[];
  /**
   * Model calls that wrote the prompt cache, and that read it; the most writes within one cache
   * lifetime (more than one: a stampede), and the tokens of the prefix written (the writes' median).
   */
  cache: { writes: number; reads: number; mostWritesPerLifetime: number; prefixTokens?: number };
  /** Model calls' spend (at default prices), and the window with the highest ratio to its trailing rate, if any had a full trailing period. */
  spend?: { usd: number; worst?: { fromMs: number; usd: number; baselineUsd: number; ratio: number } };
  /** Model calls answered 429. */
  rateLimited: number;
  /** How each inferred value was inferred (or assumed), one line each. */
  notes: string[];
  /** Attributes no convention names, by name, with up to three example values: kept, not dropped. */
  unknownAttributes: Record<string, AttrValue[]>;
}

/** A trace without any GenAI span. */
export class NotGenAiTracesError extends Error {
  constructor(spans: number) {
    super(
      `none of the ${spans} spans follows the OpenTelemetry GenAI conventions: expected spans with gen_ai.operation.name ` +
        `(chat, execute_tool, invoke_agent), as @opentelemetry/instrumentation-openai, OpenLLMetry, OpenInference or Langfuse emit them`,
    );
    this.name = "NotGenAiTracesError";
  }
}

const TIMEOUT_ERROR = /time(d)?\s*out|timeout|abort|deadline|cancel/i;
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Builds the workload and the findings from an incident's spans. */
export function incidentFromSpans(spans: readonly SpanRecord[], options: ImportOptions): { workload: IncidentWorkload; findings: IncidentFindings } {
  const ops = spans.map(genAiSpan).filter((g): g is GenAiSpan => g !== undefined);
  if (ops.length === 0) throw new NotGenAiTracesError(spans.length);
  const notes: string[] = [];
  const children = childrenOf(spans);
  const conversations = groupConversations(spans, ops);

  // Conversations and their arrivals.
  const arrivals = [...conversations.values()].map((c) => c.startMs).sort((a, b) => a - b);
  const first = arrivals[0] ?? 0;
  const windowMs = Math.max(1_000, (arrivals[arrivals.length - 1] ?? first) - first);

  // The model.
  const chats = ops.filter((o) => o.operation === "chat");
  const byModel = countBy(chats, (c) => c.model ?? "unknown");
  const modelName = [...byModel.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "unknown";
  const modelCalls = chats.filter((c) => (c.model ?? "unknown") === modelName);
  const rateLimited = chats.filter((c) => c.httpStatus === 429 || /rate.?limit|429/i.test(c.error ?? "")).length;
  const model = {
    name: modelName,
    latencyMs: quantilePoints(modelCalls.map(durationOf)),
    inputTokens: Math.max(
      1,
      Math.round(median(modelCalls.map((c) => (c.usage.input ?? 0) + (c.usage.cacheRead ?? 0) + (c.usage.cacheCreation ?? 0))) || 1_000),
    ),
    outputTokens: Math.max(1, Math.round(median(modelCalls.map((c) => c.usage.output ?? 0)) || 100)),
    errorRate: modelCalls.length ? modelCalls.filter((c) => c.error !== undefined).length / modelCalls.length : 0,
  };
  if (byModel.size > 1)
    notes.push(`models seen: ${[...byModel.entries()].map(([m, n]) => `${m} (${n})`).join(", ")}; the scenario's model is the most used, ${modelName}`);

  // Tools: latency (server spans where instrumented), errors, side effects.
  const toolCalls = ops.filter((o) => o.operation === "execute_tool" && o.tool !== undefined);
  const toolNames = [...new Set(toolCalls.map((t) => t.tool as string))].sort();
  const serverOf = (t: GenAiSpan): SpanRecord | undefined => descendants(t.span, children).find((s) => s.kind === 2);
  const methodOf = (t: GenAiSpan): string | undefined =>
    t.httpMethod ??
    descendants(t.span, children)
      .map((s) => s.attributes["http.request.method"] ?? s.attributes["http.method"])
      .find((m): m is string => typeof m === "string");
  const tools: IncidentWorkload["tools"] = {};
  for (const name of toolNames) {
    const calls = toolCalls.filter((t) => t.tool === name);
    const servers = calls.map(serverOf);
    const instrumented = servers.filter((s) => s !== undefined).length;
    const latencies = calls.map((t, i) => (servers[i] ? servers[i].endMs - servers[i].startMs : durationOf(t)));
    const serverErrors = calls.filter((t, i) => (servers[i] ? servers[i].status.code === 2 : t.error !== undefined && !TIMEOUT_ERROR.test(t.error))).length;
    const methods = new Set(
      calls
        .map(methodOf)
        .filter((m): m is string => m !== undefined)
        .map((m) => m.toUpperCase()),
    );
    const writes = [...methods].some((m) => WRITE_METHODS.has(m));
    const sideEffect = options.sideEffects ? options.sideEffects.includes(name) : writes;
    tools[name] = { latencyMs: quantilePoints(latencies), errorRate: calls.length ? serverErrors / calls.length : 0, sideEffect };
    notes.push(
      `${name}: ${calls.length} calls; latency from ${instrumented === calls.length ? "the tool's own server spans" : instrumented ? `server spans (${instrumented}) and client spans (${calls.length - instrumented}, censored at the client's timeout where it gave up)` : "the client's spans (censored at the client's timeout where it gave up)"}` +
        `${methods.size ? `; HTTP ${[...methods].join(", ")}` : ""}; side effects: ${sideEffect ? "yes" : "no"}${options.sideEffects ? " (as given)" : writes ? " (hint: a writing HTTP method)" : ""}`,
    );
  }
  for (const s of options.sideEffects ?? [])
    if (!toolNames.includes(s)) notes.push(`--side-effects names ${s}, but no execute_tool span names that tool (seen: ${toolNames.join(", ") || "none"})`);

  // The client: attempts per logical call, timeout, backoff.
  const attempts: GenAiSpan[][] = [];
  for (const c of conversations.values()) {
    const calls = c.ops.filter((o) => o.operation === "execute_tool" && o.tool !== undefined).sort((a, b) => a.span.startMs - b.span.startMs);
    const groups = new Map<string, GenAiSpan[]>();
    for (const t of calls) {
      const k = `${t.tool}\u0000${argsKey(t.args)}`;
      groups.set(k, [...(groups.get(k) ?? []), t]);
    }
    attempts.push(...groups.values());
  }
  const maxAttempts = Math.max(1, ...attempts.map((g) => g.length));
  const timedOut = toolCalls.filter((t) => t.error !== undefined && TIMEOUT_ERROR.test(t.error));
  const overlapGaps = attempts
    .flatMap((g) => g.slice(1).map((t, i) => ({ prev: g[i] as GenAiSpan, next: t })))
    .filter(({ prev, next }) => endOfWork(prev, serverOf) > next.span.startMs);
  let timeoutMs: number;
  if (timedOut.length) {
    timeoutMs = median(timedOut.map(durationOf));
    notes.push(
      `client timeout ${Math.round(timeoutMs)} ms: the median duration of the ${timedOut.length} tool calls that ended in ${[...new Set(timedOut.map((t) => t.error))].join(", ")}`,
    );
  } else if (overlapGaps.length) {
    timeoutMs = Math.min(...overlapGaps.map(({ prev, next }) => next.span.startMs - prev.span.startMs));
    notes.push(`client timeout ${Math.round(timeoutMs)} ms: the shortest gap from a call to its retry sent while the first was still running`);
  } else {
    const slowest = Math.max(1_000, ...toolNames.flatMap((n) => tools[n]?.latencyMs ?? []));
    timeoutMs = slowest * 2;
    notes.push(`no client timeout seen: assumed ${Math.round(timeoutMs)} ms (twice the slowest call)`);
  }
  const backoffs = attempts.flatMap((g) => g.slice(1).map((t, i) => t.span.startMs - (g[i] as GenAiSpan).span.endMs)).filter((x) => x >= 0);
  const backoffMs = backoffs.length ? median(backoffs) : 100;
  notes.push(
    `attempts per call: up to ${maxAttempts} (the most calls of one tool with the same arguments in one conversation); backoff ${Math.round(backoffMs)} ms${backoffs.length ? " (median gap before a retry)" : " (assumed: no retry seen)"}`,
  );

  // A conversation's steps: the most common sequence of logical tool calls.
  const sequences = [...conversations.values()].map((c) => logicalSteps(c.ops));
  const bySequence = countBy(sequences, (s) => s.map((x) => x.tool).join(" > "));
  const commonest = [...bySequence.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]?.[0];
  const steps = sequences.find((s) => s.map((x) => x.tool).join(" > ") === commonest) ?? [];

  // The prompt cache: who wrote it, how many within one lifetime, and whether the traces began cold.
  const byStart = (a: GenAiSpan, b: GenAiSpan): number => a.span.startMs - b.span.startMs;
  const cacheWrites = chats.filter((c) => (c.usage.cacheCreation ?? 0) > 0).sort(byStart);
  const cacheTouches = chats.filter((c) => (c.usage.cacheCreation ?? 0) > 0 || (c.usage.cacheRead ?? 0) > 0).sort(byStart);
  const ttlMs = PROMPT_CACHE_DEFAULTS.ttlMs;
  let mostWritesPerLifetime = 0;
  for (let i = 0, j = 0; i < cacheWrites.length; i++) {
    const from = (cacheWrites[i] as GenAiSpan).span.startMs;
    while (j < cacheWrites.length && (cacheWrites[j] as GenAiSpan).span.startMs < from + ttlMs) j++;
    mostWritesPerLifetime = Math.max(mostWritesPerLifetime, j - i);
  }
  const prefixTokens = cacheWrites.length ? Math.round(median(cacheWrites.map((c) => c.usage.cacheCreation ?? 0))) : undefined;
  const cache = prefixTokens !== undefined ? { prefixTokens, ttlMs, startsCold: (cacheTouches[0]?.usage.cacheCreation ?? 0) > 0 } : undefined;
  if (cache)
    notes.push(
      `prompt cache: ${cacheWrites.length} model call(s) wrote ${prefixTokens} tokens (median), taken as one shared prefix; lifetime assumed ${Math.round(ttlMs / 60_000)} min (the traces do not say); ` +
        `the traces ${cache.startsCold ? "began cold (the first call that touched the cache wrote it)" : "began warm (the first call that touched the cache read it)"}`,
    );

  // Spend: each model call's tokens at default prices, in windows scaled to the traces' span.
  const priced = chats.filter((c) => Object.values(c.usage).some((n) => (n ?? 0) > 0));
  const spanMs =
    spans.reduce((m, s) => Math.max(m, s.endMs), Number.NEGATIVE_INFINITY) - spans.reduce((m, s) => Math.min(m, s.startMs), Number.POSITIVE_INFINITY);
  const spendWindowMs = Math.round(Math.min(180_000, Math.max(1_000, spanMs / 20)) / 1_000) * 1_000;
  const spend = priced.length
    ? {
        windowMs: spendWindowMs,
        trailingMs: Math.round(Math.min(3_600_000, Math.max(10 * spendWindowMs, spanMs / 2)) / 1_000) * 1_000,
        multiple: SPEND_MULTIPLE,
      }
    : undefined;
  const charges = priced.map((c, i) => ({ t: c.span.endMs, usd: costAtDefaultPrices(c.usage), eventId: i }));
  const worstSpend = spend
    ? spendWindows(charges, spend.windowMs, spend.trailingMs).reduce<SpendSpikeWindow | undefined>(
        (a, b) => (a === undefined || b.ratio > a.ratio ? b : a),
        undefined,
      )
    : undefined;
  if (spend)
    notes.push(
      `spend: ${priced.length} model calls' tokens at default prices ($${LLM_DEFAULTS.inputUsdPerMTok}/$${LLM_DEFAULTS.outputUsdPerMTok} per million input/output tokens; the traces carry no prices); ` +
        `spend-spike compares ${Math.round(spend.windowMs / 1_000)} s windows with the trailing ${Math.round(spend.trailingMs / 1_000)} s`,
    );

  const workload: IncidentWorkload = {
    name: options.name,
    source: options.source,
    conversations: { count: conversations.size, windowMs },
    steps,
    model,
    tools,
    client: { timeoutMs: Math.max(1, Math.round(timeoutMs)), maxAttempts, backoffMs: Math.round(backoffMs) },
    ...(options.slaMs !== undefined ? { slaMs: options.slaMs } : {}),
    ...(cache ? { cache } : {}),
    ...(spend ? { spend } : {}),
  };

  // What the incident shows.
  const duplicateEffects: IncidentFindings["duplicateEffects"] = [];
  for (const [conversation, c] of conversations) {
    const calls = c.ops.filter((o) => o.operation === "execute_tool" && o.tool !== undefined && tools[o.tool]?.sideEffect);
    const groups = countBy(
      calls.filter((t) => {
        const server = serverOf(t);
        return server ? server.status.code !== 2 : t.error === undefined;
      }),
      (t) => `${t.tool}\u0000${argsKey(t.args)}`,
    );
    for (const [k, times] of groups) {
      if (times < 2) continue;
      const [tool] = k.split("\u0000") as [string];
      const sample = calls.find((t) => `${t.tool}\u0000${argsKey(t.args)}` === k);
      duplicateEffects.push({ tool, args: sample?.args ?? null, times, conversation });
    }
  }
  const abandonedCalls = attempts.filter(
    (g) => g.some((t) => t.error !== undefined && TIMEOUT_ERROR.test(t.error)) && !g.some((t) => t.error === undefined),
  ).length;
  const overSla =
    options.slaMs === undefined
      ? []
      : [...conversations].map(([id, c]) => ({ conversation: id, ms: c.endMs - c.startMs })).filter((x) => x.ms > (options.slaMs as number));
  const unknownAttributes: Record<string, AttrValue[]> = {};
  for (const o of ops)
    for (const [k, v] of Object.entries(o.unknown)) {
      const list = (unknownAttributes[k] ??= []);
      if (list.length < 3 && !list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
    }
  return {
    workload,
    findings: {
      spans: spans.length,
      genAiSpans: ops.length,
      conversations: conversations.size,
      duplicateEffects,
      abandonedCalls,
      overSla,
      cache: {
        writes: cacheWrites.length,
        reads: chats.filter((c) => (c.usage.cacheRead ?? 0) > 0).length,
        mostWritesPerLifetime,
        ...(prefixTokens !== undefined ? { prefixTokens } : {}),
      },
      ...(spend
        ? {
            spend: {
              usd: charges.reduce((n, c) => n + c.usd, 0),
              ...(worstSpend
                ? { worst: { fromMs: worstSpend.from - first, usd: worstSpend.usd, baselineUsd: worstSpend.baselineUsd, ratio: worstSpend.ratio } }
                : {}),
            },
          }
        : {}),
      rateLimited,
      notes,
      unknownAttributes,
    },
  };
}

/** How many times the trailing rate a window of spend may reach: the catalog stampede's bound. */
export const SPEND_MULTIPLE = 5;

/** A model call's cost at the provider's default prices (Anthropic's usage fields: input excludes the cached prefix). */
function costAtDefaultPrices(u: GenAiSpan["usage"]): number {
  const input = LLM_DEFAULTS.inputUsdPerMTok;
  const c = PROMPT_CACHE_DEFAULTS;
  return (
    ((u.input ?? 0) * input +
      (u.cacheCreation ?? 0) * input * c.writeMultiplier +
      (u.cacheRead ?? 0) * input * c.readMultiplier +
      (u.output ?? 0) * LLM_DEFAULTS.outputUsdPerMTok) /
    1e6
  );
}

interface Conversation {
  ops: GenAiSpan[];
  startMs: number;
  endMs: number;
}

/** GenAI spans by conversation id (inherited from the trace's spans that carry one), else by trace. */
function groupConversations(spans: readonly SpanRecord[], ops: readonly GenAiSpan[]): Map<string, Conversation> {
  const convOfTrace = new Map<string, string>();
  for (const o of ops) if (o.conversation !== undefined && !convOfTrace.has(o.span.traceId)) convOfTrace.set(o.span.traceId, o.conversation);
  const out = new Map<string, Conversation>();
  for (const o of ops) {
    const id = o.conversation ?? convOfTrace.get(o.span.traceId) ?? `trace ${o.span.traceId}`;
    const c = out.get(id) ?? { ops: [], startMs: Number.POSITIVE_INFINITY, endMs: Number.NEGATIVE_INFINITY };
    c.ops.push(o);
    c.startMs = Math.min(c.startMs, o.span.startMs);
    c.endMs = Math.max(c.endMs, o.span.endMs);
    out.set(id, c);
  }
  // A conversation's own spans outside GenAI (its HTTP server, the tool's work) extend its end.
  const byTrace = new Map<string, Conversation>();
  for (const [, c] of out) for (const o of c.ops) byTrace.set(o.span.traceId, c);
  for (const s of spans) {
    const c = byTrace.get(s.traceId);
    if (c) c.endMs = Math.max(c.endMs, s.endMs);
  }
  return new Map([...out.entries()].sort((a, b) => a[1].startMs - b[1].startMs));
}

/** A conversation's tool calls with retries folded: one step per distinct (tool, arguments), in order. */
function logicalSteps(ops: readonly GenAiSpan[]): { tool: string; args: Attrs }[] {
  const seen = new Set<string>();
  const out: { tool: string; args: Attrs }[] = [];
  for (const t of [...ops].filter((o) => o.operation === "execute_tool" && o.tool !== undefined).sort((a, b) => a.span.startMs - b.span.startMs)) {
    const k = `${t.tool}\u0000${argsKey(t.args)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const args = t.args && typeof t.args === "object" && !Array.isArray(t.args) ? (t.args as Attrs) : t.args === undefined ? {} : { arguments: t.args };
    out.push({ tool: t.tool as string, args });
  }
  return out;
}

function childrenOf(spans: readonly SpanRecord[]): Map<string, SpanRecord[]> {
  const out = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    if (s.parentSpanId === undefined) continue;
    const k = `${s.traceId}/${s.parentSpanId}`;
    out.set(k, [...(out.get(k) ?? []), s]);
  }
  return out;
}

function descendants(span: SpanRecord, children: ReadonlyMap<string, SpanRecord[]>): SpanRecord[] {
  const out: SpanRecord[] = [];
  const queue = [...(children.get(`${span.traceId}/${span.spanId}`) ?? [])];
  while (queue.length) {
    const s = queue.shift() as SpanRecord;
    out.push(s);
    queue.push(...(children.get(`${s.traceId}/${s.spanId}`) ?? []));
  }
  return out;
}

/** When a call's work ended: its server span's end where instrumented, else the client span's. */
function endOfWork(t: GenAiSpan, serverOf: (t: GenAiSpan) => SpanRecord | undefined): number {
  return serverOf(t)?.endMs ?? t.span.endMs;
}

function durationOf(o: GenAiSpan): number {
  return Math.max(0, o.span.endMs - o.span.startMs);
}

function argsKey(args: AttrValue | undefined): string {
  if (args === undefined) return "";
  return JSON.stringify(sortKeys(args));
}

function sortKeys(v: AttrValue): AttrValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Attrs)[k] as AttrValue)]),
    );
  return v;
}

function countBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of xs) out.set(key(x), (out.get(key(x)) ?? 0) + 1);
  return out;
}

function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Observed values as an empirical distribution's samples: all of them (sorted) up to 41, else
 * 41 evenly spaced quantiles (min, every 2.5%, max), so the file stays readable and keeps the tail.
 */
export function quantilePoints(values: readonly number[]): number[] {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  if (s.length <= 41) return s.map(round);
  return Array.from({ length: 41 }, (_, i) => round(s[Math.min(s.length - 1, Math.round((i / 40) * (s.length - 1)))] as number));
}
