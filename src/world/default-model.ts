/**
 * The simulated endpoints' default model: enough behaviour for a tool loop to run without a
 * hand-written responder.
 *
 * Contract (every choice a draw from the responder context's seeded stream):
 * - When the request declares tools, `tool_choice` allows them, and no tool result has come back
 *   since the last user message, it calls tools: the tool `tool_choice` names, or one drawn from
 *   the declared ones (`parallel` calls, default 1, each a different tool when there are enough),
 *   with arguments drawn to be valid against the tool's JSON schema (`sampleJsonSchema`).
 * - Otherwise (no tools, `tool_choice: none`, or tool results came back) it answers with text:
 *   one sentence naming the tool results it read, if any, then filler words up to the drawn
 *   output length (one word a token).
 */
import type { RandomStream } from "../sim/rng.js";
import { sinceLastUser, type ContentBlock, type Responder, type ToolDeclaration } from "./model-turn.js";

/** How the default model behaves. */
export interface DefaultModelOptions {
  /** Tool calls per turn when it calls tools (default 1; capped at the number of tools). */
  parallel?: number;
}

const WORDS = [
  "the",
  "refund",
  "order",
  "was",
  "checked",
  "and",
  "is",
  "ready",
  "for",
  "review",
  "today",
  "with",
  "a",
  "note",
  "on",
  "status",
  "we",
  "found",
  "one",
  "item",
];

/** The default model; see the file's contract. */
export function defaultModel(options: DefaultModelOptions = {}): Responder {
  const parallel = Math.max(1, options.parallel ?? 1);
  return (turn, ctx) => {
    const recent = sinceLastUser(turn);
    const results = recent.filter((m) => m.role === "tool");
    const choice = turn.toolChoice;
    if (turn.tools.length > 0 && choice.type !== "none" && results.length === 0) {
      const named = choice.type === "tool" ? turn.tools.filter((t) => t.name === choice.name) : [];
      const picked = named.length ? named : ctx.rng.shuffle([...turn.tools]).slice(0, Math.min(parallel, turn.tools.length));
      return picked.map((t) => toolCall(t, ctx.rng, ctx.toolCallId()));
    }
    const lead = results.length
      ? `Read ${results.length} tool result${results.length > 1 ? "s" : ""}: ${results.map((r) => clip(r.role === "tool" ? r.text : "", 40)).join("; ")}.`
      : `(simulated ${turn.model} response)`;
    const words = lead.split(" ");
    while (words.length < ctx.outputTokens) words.push(ctx.rng.pick(WORDS));
    return [{ type: "text", text: words.join(" ") }];
  };
}

function toolCall(tool: ToolDeclaration, rng: RandomStream, id: string): ContentBlock {
  const input = sampleJsonSchema(tool.schema, rng);
  return {
    type: "tool_use",
    id,
    name: tool.name,
    input: input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {},
  };
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}

type Schema = Record<string, unknown>;

/**
 * A value valid against a JSON schema (the subset tool schemas use: `type` (one or several),
 * `properties`/`required`/`additionalProperties`, `items`/`minItems`/`maxItems`, `enum`,
 * `const`, `anyOf`/`oneOf`/`allOf`, `$ref` into `$defs`/`definitions`, string `minLength`/
 * `maxLength`/`format`/`pattern`-free text, number `minimum`/`maximum`/`exclusive*`/
 * `multipleOf`), drawn from `rng`. Required properties are always present; optional ones half
 * the time.
 */
export function sampleJsonSchema(schema: unknown, rng: RandomStream, root: unknown = schema, depth = 0): unknown {
  if (schema === true || schema === undefined || schema === null || typeof schema !== "object") return rng.pick(["ok", 1, true]);
  const s = schema as Schema;
  if (typeof s.$ref === "string") return sampleJsonSchema(resolveRef(s.$ref, root), rng, root, depth + 1);
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return rng.pick(s.enum);
  if (Array.isArray(s.allOf) && s.allOf.length) return sampleJsonSchema(Object.assign({}, ...(s.allOf as Schema[])), rng, root, depth + 1);
  const alts = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as unknown[] | undefined;
  if (alts?.length)
    return sampleJsonSchema(
      rng.pick(alts.filter((a) => (a as Schema | undefined)?.type !== "null").length ? alts.filter((a) => (a as Schema | undefined)?.type !== "null") : alts),
      rng,
      root,
      depth + 1,
    );
  const types = Array.isArray(s.type)
    ? (s.type as string[]).filter((t) => t !== "null")
    : typeof s.type === "string"
      ? [s.type]
      : s.properties
        ? ["object"]
        : s.items
          ? ["array"]
          : ["string"];
  const type = types.length ? rng.pick(types) : "null";
  switch (type) {
    case "object":
      return sampleObject(s, rng, root, depth);
    case "array": {
      const min = num(s.minItems) ?? 0;
      const max = Math.max(min, Math.min(num(s.maxItems) ?? min + 2, min + 3));
      const n = depth > 4 ? min : rng.int(Math.max(min, 1), Math.max(max, 1));
      return Array.from({ length: n }, (_, i) =>
        sampleJsonSchema(Array.isArray(s.prefixItems) && s.prefixItems[i] ? s.prefixItems[i] : s.items, rng, root, depth + 1),
      );
    }
    case "integer":
    case "number":
      return sampleNumber(s, type === "integer", rng);
    case "boolean":
      return rng.chance(0.5);
    case "null":
      return null;
    default:
      return sampleString(s, rng);
  }
}

function sampleObject(s: Schema, rng: RandomStream, root: unknown, depth: number): Record<string, unknown> {
  const props = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(props)) {
    if (required.has(key) || (depth < 4 && rng.chance(0.5))) out[key] = sampleJsonSchema(sub, rng, root, depth + 1);
  }
  for (const key of required) if (!(key in out)) out[key] = "x";
  return out;
}

function sampleNumber(s: Schema, integer: boolean, rng: RandomStream): number {
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  let lo = num(s.minimum) ?? (exMin !== undefined ? exMin + (integer ? 1 : 1e-6) : 0);
  let hi = num(s.maximum) ?? (exMax !== undefined ? exMax - (integer ? 1 : 1e-6) : lo + 100);
  if (hi < lo) hi = lo;
  const step = num(s.multipleOf);
  if (step !== undefined && step > 0) {
    const k = rng.int(Math.ceil(lo / step), Math.max(Math.ceil(lo / step), Math.floor(hi / step)));
    return k * step;
  }
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
    return rng.int(lo, Math.max(lo, hi));
  }
  return Math.round((lo + rng.next() * (hi - lo)) * 100) / 100;
}

const FORMATS: Record<string, (rng: RandomStream) => string> = {
  "date-time": (rng) => `2026-0${rng.int(1, 9)}-1${rng.int(0, 9)}T0${rng.int(0, 9)}:00:00Z`,
  date: (rng) => `2026-0${rng.int(1, 9)}-1${rng.int(0, 9)}`,
  email: (rng) => `user${rng.int(1, 999)}@example.com`,
  uri: (rng) => `https://example.com/${rng.hex(6)}`,
  url: (rng) => `https://example.com/${rng.hex(6)}`,
  uuid: (rng) => `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-8${rng.hex(3)}-${rng.hex(12)}`,
};

function sampleString(s: Schema, rng: RandomStream): string {
  const format = typeof s.format === "string" ? FORMATS[s.format] : undefined;
  if (format) return format(rng);
  const min = num(s.minLength) ?? 1;
  const max = Math.max(min, num(s.maxLength) ?? Math.max(min, 12));
  const length = rng.int(min, Math.min(max, min + 12));
  let text = "";
  while (text.length < length) text += rng.hex(8);
  return text.slice(0, length);
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith("#")) return {};
  let node: unknown = root;
  for (const part of ref.slice(1).split("/").filter(Boolean))
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  return node ?? {};
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
