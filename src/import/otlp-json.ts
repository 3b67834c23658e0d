/**
 * OTLP/JSON traces in and out: the shapes of the OpenTelemetry protocol's JSON encoding
 * (`resourceSpans -> scopeSpans -> spans`, hex ids, integer enums, 64-bit times as decimal
 * strings) and a reader that flattens a document into spans with plain attribute values.
 *
 * Read: the OTLP HTTP JSON body (one `{ "resourceSpans": [...] }` document) and the Collector's
 * file exporter (one such document per line). Protobuf-JSON spellings that the spec allows are
 * accepted too: lowerCamelCase and snake_case keys, enum names as strings, integers as numbers.
 */
import type { AttrValue, Attrs } from "../sim/trace.js";

/**
 * An OTLP `AnyValue` as agentsim writes it: integers as JSON numbers, as the official JavaScript
 * serializer writes them (the reader takes decimal strings too).
 */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };

/** An OTLP `KeyValue`. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** An OTLP span event. */
export interface OtlpSpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

/** An OTLP span link. */
export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

/** An OTLP span, as agentsim writes it. `kind`: 1 internal, 2 server, 3 client; `status.code`: 0 unset, 1 ok, 2 error. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  events: OtlpSpanEvent[];
  droppedEventsCount: number;
  links: OtlpLink[];
  droppedLinksCount: number;
  status: { code: number; message?: string };
}

/** An OTLP trace export request (`ExportTraceServiceRequest`), as agentsim writes it. */
export interface OtlpTraces {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[]; droppedAttributesCount: number };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

/** One span, flattened: times in ms since the Unix epoch (fractional), attributes as plain values. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Attrs;
  /** The resource's attributes (`service.name`, ...). */
  resource: Attrs;
  /** The instrumentation scope's name. */
  scope: string;
  status: { code: number; message?: string };
  events: { name: string; atMs: number; attributes: Attrs }[];
  links: { traceId: string; spanId: string }[];
}

/** A document that is not OTLP/JSON traces; `line` is 1-based where the input has lines. */
export class OtlpFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "OtlpFormatError";
  }
}

const SPAN_KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];
const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/**
 * Reads OTLP/JSON text: one document, or one document per line (the Collector's file exporter).
 * Throws `OtlpFormatError` naming the line for text that is neither.
 */
export function readOtlpJson(text: string): SpanRecord[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new OtlpFormatError('the file is empty; expected OTLP/JSON traces ({"resourceSpans": [...]})');
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    whole = undefined;
  }
  if (whole !== undefined) return spansOf(whole, undefined);
  const spans: SpanRecord[] = [];
  const lines = trimmed.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      throw new OtlpFormatError(`line ${i + 1} is not JSON (${(e as Error).message}); expected one OTLP/JSON document per line`, i + 1);
    }
    spans.push(...spansOf(doc, i + 1));
  });
  return spans;
}

function spansOf(doc: unknown, line: number | undefined): SpanRecord[] {
  const d = doc as Record<string, unknown> | null;
  const resourceSpans = d && typeof d === "object" ? (d.resourceSpans ?? d.resource_spans) : undefined;
  if (!Array.isArray(resourceSpans)) {
    const what = d && typeof d === "object" && ("resourceLogs" in d || "resourceMetrics" in d) ? "logs or metrics" : "something else";
    throw new OtlpFormatError(`${line ? `line ${line}: ` : ""}expected OTLP/JSON traces with a "resourceSpans" list, found ${what}`, line);
  }
  const out: SpanRecord[] = [];
  for (const rs of resourceSpans as Record<string, unknown>[]) {
    const resource = attrsOf((rs.resource as { attributes?: unknown } | undefined)?.attributes);
    const scopes = (rs.scopeSpans ?? rs.scope_spans ?? rs.instrumentationLibrarySpans ?? []) as Record<string, unknown>[];
    for (const ss of scopes) {
      const scope = ((ss.scope ?? ss.instrumentationLibrary) as { name?: string } | undefined)?.name ?? "";
      for (const s of (ss.spans ?? []) as Record<string, unknown>[]) out.push(spanOf(s, resource, scope, line));
    }
  }
  return out;
}

function spanOf(s: Record<string, unknown>, resource: Attrs, scope: string, line: number | undefined): SpanRecord {
  const traceId = String(s.traceId ?? s.trace_id ?? "");
  const spanId = String(s.spanId ?? s.span_id ?? "");
  if (!traceId || !spanId) throw new OtlpFormatError(`${line ? `line ${line}: ` : ""}a span without traceId or spanId ("${String(s.name ?? "")}")`, line);
  const parent = String(s.parentSpanId ?? s.parent_span_id ?? "");
  const status = (s.status ?? {}) as { code?: unknown; message?: string };
  return {
    traceId,
    spanId,
    parentSpanId: parent && !/^0+$/.test(parent) ? parent : undefined,
    name: String(s.name ?? ""),
    kind: enumOf(s.kind, SPAN_KINDS),
    startMs: nanosToMs(s.startTimeUnixNano ?? s.start_time_unix_nano),
    endMs: nanosToMs(s.endTimeUnixNano ?? s.end_time_unix_nano),
    attributes: attrsOf(s.attributes),
    resource,
    scope,
    status: { code: enumOf(status.code, STATUS_CODES), ...(status.message ? { message: status.message } : {}) },
    events: ((s.events ?? []) as Record<string, unknown>[]).map((e) => ({
      name: String(e.name ?? ""),
      atMs: nanosToMs(e.timeUnixNano ?? e.time_unix_nano),
      attributes: attrsOf(e.attributes),
    })),
    links: ((s.links ?? []) as Record<string, unknown>[]).map((l) => ({
      traceId: String(l.traceId ?? l.trace_id ?? ""),
      spanId: String(l.spanId ?? l.span_id ?? ""),
    })),
  };
}

function enumOf(v: unknown, names: readonly string[]): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const i = names.indexOf(v);
    return i >= 0 ? i : Number(v) || 0;
  }
  return 0;
}

/** Nanoseconds since the epoch (a decimal string or a number) as fractional milliseconds. */
export function nanosToMs(v: unknown): number {
  if (typeof v === "number") return v / 1e6;
  if (typeof v !== "string" || !/^\d+$/.test(v)) return 0;
  const ns = BigInt(v);
  return Number(ns / 1_000n) / 1_000;
}

/** Milliseconds since the epoch (fractional allowed, microsecond precision) as a decimal nanosecond string. */
export function msToNanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

/** OTLP attributes as plain values. */
export function attrsOf(list: unknown): Attrs {
  const out: Attrs = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as { key?: unknown; value?: unknown }[]) {
    if (typeof kv?.key !== "string") continue;
    out[kv.key] = anyValue(kv.value);
  }
  return out;
}

function anyValue(v: unknown): AttrValue {
  const x = (v ?? {}) as Record<string, unknown>;
  if ("stringValue" in x) return String(x.stringValue);
  if ("boolValue" in x) return Boolean(x.boolValue);
  if ("intValue" in x) return Number(x.intValue);
  if ("doubleValue" in x) return Number(x.doubleValue);
  if ("arrayValue" in x) return (((x.arrayValue as { values?: unknown[] }) ?? {}).values ?? []).map(anyValue);
  if ("kvlistValue" in x) return attrsOf(((x.kvlistValue as { values?: unknown[] }) ?? {}).values);
  if ("bytesValue" in x) return String(x.bytesValue);
  return null;
}

/** Plain attribute values as OTLP `KeyValue`s (integers as `intValue`, other numbers as `doubleValue`). */
export function toOtlpAttributes(attrs: Attrs): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

function toAnyValue(v: AttrValue): OtlpAnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isSafeInteger(v) ? { intValue: v } : { doubleValue: v };
  if (v === null) return { stringValue: "null" };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
  return { kvlistValue: { values: toOtlpAttributes(v) } };
}
