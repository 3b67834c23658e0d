/**
 * The official Anthropic TypeScript SDK, unmodified, against the simulated Messages API: the wire
 * format, prompt-cache usage from `cache_control`, and the SDK's own retries on 429 and 529 taking
 * virtual time (tens of seconds of backoff cost no wall time).
 */
import { describe, it, expect } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { LlmProvider, type LlmProviderOptions } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";
import type { TraceEvent } from "../../src/sim/trace.js";
import { AnthropicEndpoint, type AnthropicEndpointOptions } from "../../src/world/anthropic-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

const MODEL = "claude-opus-5-5";
/** 6,000 characters: 1,500 tokens at 4 characters a token, above the 1,024-token cache minimum. */
const POLICY = "Refunds are allowed within 30 days. ".repeat(6_000 / 36);
const realNow = performance.now.bind(performance);

/** A fresh SDK client the way user code makes one (the base URL is explicit, so no environment variable can redirect it). */
function client(maxRetries = 2): Anthropic {
  return new Anthropic({ apiKey: "sk-sim", baseURL: "https://api.anthropic.com", maxRetries, logLevel: "off" });
}

/** Runs `agent` in a world whose Messages API is backed by a provider with `provider` options; `setup` may schedule changes. */
async function withApi<T>(
  seed: number,
  provider: LlmProviderOptions,
  agent: () => Promise<T>,
  endpoint: Partial<AnthropicEndpointOptions> = {},
  setup: (sim: Simulation, llm: LlmProvider) => void = () => {},
) {
  const sim = new Simulation({ seed });
  const llm = new LlmProvider(sim, provider);
  setup(sim, llm);
  const wallStart = realNow();
  const run = await runInWorld(sim, agent, { services: [new AnthropicEndpoint(sim, { provider: llm, ...endpoint })] });
  return { run, sim, llm, wallMs: realNow() - wallStart };
}

function value<T>(run: { agent: { status: string } }): T {
  expect(run.agent).toMatchObject({ status: "done" });
  return (run.agent as unknown as { value: T }).value;
}

/** The `http.request` spans of the trace, begin and end paired, in order. */
function requests(events: readonly TraceEvent[]): { start: number; end: number; attrs: Record<string, unknown> }[] {
  return events
    .filter((e) => e.kind === "http.request" && e.phase === "end")
    .map((e) => ({ start: events[e.span as number]?.t as number, end: e.t, attrs: e.attrs ?? {} }));
}

describe("the SDK's calls through the simulated Messages API", () => {
  it("answers in the real wire format with usage counted from the request's text", async () => {
    const { run } = await withApi(1, {}, () =>
      client().messages.create({ model: MODEL, max_tokens: 4_000, system: "Be brief.", messages: [{ role: "user", content: "What is the refund window?" }] }),
    );
    const msg = value<Anthropic.Message>(run);
    expect(msg).toMatchObject({ type: "message", role: "assistant", model: MODEL, stop_reason: "end_turn", stop_sequence: null });
    expect(msg.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(msg.content).toEqual([{ type: "text", text: expect.stringContaining("simulated") }]);
    // "Be brief." (9) + "What is the refund window?" (26) = 35 characters, 9 tokens; no breakpoint, nothing cached.
    expect(msg.usage).toMatchObject({ input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("caps the output at max_tokens with stop_reason max_tokens", async () => {
    const { run } = await withApi(
      1,
      {},
      () => client().messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "Tell me everything." }] }),
      { outputTokens: 300 },
    );
    expect(value<Anthropic.Message>(run)).toMatchObject({ stop_reason: "max_tokens", usage: { output_tokens: 5 } });
  });

  it("writes a cache_control prefix once, then reads it; another prefix writes again", async () => {
    const ask = (system: string, question: string) =>
      client().messages.create({
        model: MODEL,
        max_tokens: 50,
        system: [{ type: "text", text: system, cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: question }],
      });
    const { run, llm } = await withApi(1, {}, async () => {
      const first = await ask(POLICY, "Return R-1?");
      const second = await ask(POLICY, "Return R-2, please?");
      const other = await ask(`${POLICY} Also exchanges.`, "Return R-3?");
      return [first.usage, second.usage, other.usage];
    });
    const [first, second, other] = value<Anthropic.Usage[]>(run);
    const prefix = Math.ceil(POLICY.length / 4);
    expect(first).toMatchObject({ cache_creation_input_tokens: prefix, cache_read_input_tokens: 0, input_tokens: Math.ceil("Return R-1?".length / 4) });
    expect(second).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: prefix,
      input_tokens: Math.ceil("Return R-2, please?".length / 4),
    });
    expect(other?.cache_creation_input_tokens).toBe(Math.ceil(`${POLICY} Also exchanges.`.length / 4));
    expect(llm.cache.prefixes).toHaveLength(2);
  });

  it("does not cache a prefix below the minimum length: it is billed as plain input", async () => {
    const { run } = await withApi(1, {}, () =>
      client().messages.create({
        model: MODEL,
        max_tokens: 50,
        system: [{ type: "text", text: "Short policy.", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "Hi" }],
      }),
    );
    expect(value<Anthropic.Message>(run).usage).toMatchObject({
      input_tokens: Math.ceil("Short policy.".length / 4) + 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it("refuses more than 4 cache breakpoints with the API's 400, which the SDK raises as BadRequestError", async () => {
    const block = (i: number) => ({ type: "text" as const, text: `rule ${i}`, cache_control: { type: "ephemeral" as const } });
    const { run } = await withApi(1, {}, () =>
      client()
        .messages.create({ model: MODEL, max_tokens: 50, system: [1, 2, 3, 4, 5].map(block), messages: [{ role: "user", content: "Hi" }] })
        .catch((e: unknown) => e),
    );
    const err = value<unknown>(run);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).message).toContain("A maximum of 4 blocks with cache_control may be provided. Found 5.");
  });
});

describe("scripted responses", () => {
  it("answers a tool_use block that the SDK parses, plain and streamed", async () => {
    const respond = () => [{ type: "tool_use" as const, id: "toolu_1", name: "refund", input: { returnId: "R-1", amountUsd: 40 } }];
    const tools = [{ name: "refund", description: "Refund a return", input_schema: { type: "object" as const, properties: { returnId: { type: "string" } } } }];
    const params = { model: MODEL, max_tokens: 200, tools, messages: [{ role: "user" as const, content: "Refund R-1" }] };
    const { run } = await withApi(1, {}, async () => [await client().messages.create(params), await client().messages.stream(params).finalMessage()], {
      respond,
    });
    for (const msg of value<Anthropic.Message[]>(run)) {
      expect(msg.stop_reason).toBe("tool_use");
      expect(msg.content).toEqual([{ type: "tool_use", id: "toolu_1", name: "refund", input: { returnId: "R-1", amountUsd: 40 } }]);
    }
  });
});

describe("streaming through the SDK", () => {
  it("streams events from the first token to the last; the SDK's final message carries the cache usage", async () => {
    const { run, sim } = await withApi(2, {}, async () => {
      const ask = async (q: string) => {
        const events: [string, number][] = [];
        const stream = client().messages.stream({
          model: MODEL,
          max_tokens: 200,
          system: [{ type: "text", text: POLICY, cache_control: { type: "ephemeral" } }],
          messages: [{ role: "user", content: q }],
        });
        stream.on("streamEvent", (e) => events.push([e.type, performance.now()]));
        const sent = performance.now();
        const final = await stream.finalMessage();
        return { sent, events, final, text: await stream.finalText() };
      };
      return [await ask("Return R-1?"), await ask("Return R-2?")];
    });
    const [first, second] = value<{ sent: number; events: [string, number][]; final: Anthropic.Message; text: string }[]>(run);
    const types = first?.events.map(([t]) => t) ?? [];
    const deltas = first?.events.filter(([t]) => t === "content_block_delta") ?? [];
    expect(types.filter((t) => t !== "content_block_delta")).toEqual([
      "message_start",
      "content_block_start",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    // Token by token: one delta a token, spread over the output time (not one block at the last token).
    expect(deltas).toHaveLength(first?.final.usage.output_tokens as number);
    expect(new Set(deltas.map(([, t]) => t)).size).toBe(deltas.length);
    const call = sim.trace.events.find((e) => e.kind === "llm.call" && e.phase === "end");
    const firstToken = sim.trace.events.find((e) => e.kind === "llm.first-token");
    expect(first?.events[0]?.[1]).toBe(firstToken?.t);
    expect(first?.events.at(-1)?.[1]).toBe(call?.t);
    expect((firstToken?.t as number) - (first?.sent as number)).toBeGreaterThan(0);
    expect(first?.text).toContain("simulated");
    const prefix = Math.ceil(POLICY.length / 4);
    expect(first?.final.usage).toMatchObject({ cache_creation_input_tokens: prefix, cache_read_input_tokens: 0 });
    expect(second?.final.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: prefix });
    const ends = sim.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "end");
    expect([first?.final.usage.output_tokens, second?.final.usage.output_tokens]).toEqual(ends.map((e) => e.attrs?.outputTokens));
  });
});

describe("the SDK's own retries, in virtual time", () => {
  it("waits out 429s for the retry-after the provider sends (tens of seconds), at no wall-clock cost", async () => {
    const { run, sim, llm, wallMs } = await withApi(3, { rpm: 2 }, () =>
      Promise.all([1, 2, 3, 4, 5].map((i) => client(6).messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: `Item ${i}` }] }))),
    );
    expect(value<Anthropic.Message[]>(run)).toHaveLength(5);
    expect(llm.totals.rateLimited).toBeGreaterThan(0);
    expect(llm.totals.succeeded).toBe(5);
    const limited = sim.trace.events.filter((e) => e.kind === "llm.error" && e.attrs?.status === 429);
    const waits = limited.map((e) => e.attrs?.retryAfterMs as number);
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(10_000);
    // Each 429 (answered at e.t) is retried exactly its retry-after later: the SDK slept what the header said.
    const starts = new Set(requests(sim.trace.events).map((r) => r.start));
    for (const e of limited)
      expect(starts.has(e.t + (e.attrs?.retryAfterMs as number)), `a retry ${e.attrs?.retryAfterMs} ms after the 429 at ${e.t}`).toBe(true);
    expect(run.outcome.now).toBeGreaterThan(30_000);
    expect(wallMs).toBeLessThan(run.outcome.now / 10);
  });

  it("retries a 529 after the retry-after the endpoint sends, once the overload has passed", async () => {
    const overloadEnds = (sim: Simulation, llm: LlmProvider) => sim.at(20_000, () => void (llm.errorRates.p529 = 0));
    const { run, sim, llm, wallMs } = await withApi(
      4,
      { p529: 1 },
      () => client().messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: "Hello" }] }),
      { overloadedRetryAfter: "30s" },
      overloadEnds,
    );
    expect(value<Anthropic.Message>(run).type).toBe("message");
    expect(llm.totals.overloaded).toBe(1);
    const [failed, retried] = requests(sim.trace.events);
    expect(failed?.attrs).toEqual({ status: 529 });
    expect(retried?.attrs).toEqual({ status: 200 });
    expect((retried?.start as number) - (failed?.end as number)).toBe(30_000);
    expect(wallMs).toBeLessThan(3_000);
  });

  it("raises RateLimitError with the API's error body once the SDK's retries run out", async () => {
    const { run } = await withApi(5, { rpm: 1 }, async () => {
      await client(0).messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: "first" }] });
      return client(0)
        .messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: "second" }] })
        .catch((e: unknown) => e);
    });
    const err = value<InstanceType<typeof Anthropic.RateLimitError>>(run);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.requestID).toMatch(/^req_/);
  });

  it("gives the same trace, byte for byte, for the same seed", async () => {
    const agent = () =>
      Promise.all([1, 2, 3].map((i) => client(6).messages.create({ model: MODEL, max_tokens: 50, messages: [{ role: "user", content: `Item ${i}` }] })));
    const a = await withApi(3, { rpm: 1 }, agent);
    const b = await withApi(3, { rpm: 1 }, agent);
    const c = await withApi(4, { rpm: 1 }, agent);
    expect(a.run.traceHash).toBe(b.run.traceHash);
    expect(c.run.traceHash).not.toBe(a.run.traceHash);
  });
});

describe("a streamed tool loop with the default model", () => {
  const tools: Anthropic.Tool[] = [
    {
      name: "refund",
      description: "Refund a return",
      input_schema: {
        type: "object",
        properties: { returnId: { type: "string", minLength: 3 }, amountUsd: { type: "integer", minimum: 1, maximum: 500 } },
        required: ["returnId", "amountUsd"],
      },
    },
  ];
  const loop = async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Refund R-1" }];
    const inputs: unknown[] = [];
    let deltas = 0;
    for (let turn = 0; turn < 5; turn++) {
      const stream = client().messages.stream({ model: MODEL, max_tokens: 400, tools, messages });
      stream.on("streamEvent", (e) => void (e.type === "content_block_delta" && deltas++));
      const msg = await stream.finalMessage();
      messages.push({ role: "assistant", content: msg.content });
      const uses = msg.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      if (msg.stop_reason !== "tool_use") return { text: msg.content.map((b) => (b.type === "text" ? b.text : "")).join(""), turn, inputs, deltas };
      for (const u of uses) inputs.push(u.input);
      messages.push({ role: "user", content: uses.map((u) => ({ type: "tool_result" as const, tool_use_id: u.id, content: "refunded" })) });
    }
    throw new Error("the loop did not end");
  };

  it("calls the declared tool with schema-valid input streamed as input_json_delta, then answers with text", async () => {
    const { run } = await withApi(6, {}, loop, { outputTokens: 30 });
    const out = value<{ text: string; turn: number; inputs: { returnId: string; amountUsd: number }[]; deltas: number }>(run);
    expect(out.turn).toBe(1);
    expect(out.text).toContain("Read 1 tool result: refunded");
    const input = out.inputs[0];
    expect(input?.returnId.length).toBeGreaterThanOrEqual(3);
    expect(Number.isInteger(input?.amountUsd)).toBe(true);
    expect(input?.amountUsd).toBeGreaterThanOrEqual(1);
    expect(out.deltas).toBeGreaterThan(30);
  });

  it("gives the same trace for the same seed and another for another seed", async () => {
    const a = await withApi(7, { rpm: 2 }, () => Promise.all([loop(), loop()]), { outputTokens: 30 });
    const b = await withApi(7, { rpm: 2 }, () => Promise.all([loop(), loop()]), { outputTokens: 30 });
    const c = await withApi(8, { rpm: 2 }, () => Promise.all([loop(), loop()]), { outputTokens: 30 });
    expect(a.run.agent.status).toBe("done");
    expect(a.run.traceHash).toBe(b.run.traceHash);
    expect(c.run.traceHash).not.toBe(a.run.traceHash);
  });

  it("breaks a stream off after its 200 with an error event the SDK raises", async () => {
    const { run, sim } = await withApi(
      9,
      {},
      () =>
        client(0)
          .messages.stream({ model: MODEL, max_tokens: 400, messages: [{ role: "user", content: "hi" }] })
          .finalMessage()
          .catch((e: unknown) => e),
      {
        outputTokens: 100,
        pMidStreamError: 1,
      },
    );
    const err = value<Error>(run);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.message).toContain("stream broke off");
    expect(sim.trace.events.some((e) => e.kind === "stream.error")).toBe(true);
    expect(requests(sim.trace.events)[0]?.attrs).toEqual({ status: 200 });
  });

  it("answers 400 for an orphan tool_result and a temperature above 1, as the API does", async () => {
    const { run, llm } = await withApi(10, {}, () =>
      Promise.all([
        client(0)
          .messages.create({
            model: MODEL,
            max_tokens: 50,
            messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_nope", content: "x" }] }],
          })
          .catch((e: unknown) => e),
        client(0)
          .messages.create({
            model: MODEL,
            max_tokens: 50,
            temperature: 1.5,
            messages: [{ role: "user", content: "hi" }],
          } as Anthropic.MessageCreateParamsNonStreaming)
          .catch((e: unknown) => e),
      ]),
    );
    const [orphan, temperature] = value<InstanceType<typeof Anthropic.BadRequestError>[]>(run);
    expect(orphan).toBeInstanceOf(Anthropic.BadRequestError);
    expect(orphan?.error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("unexpected `tool_use_id` found in `tool_result` blocks: toolu_nope") },
    });
    expect(temperature?.message).toContain("temperature");
    expect(llm.totals.calls).toBe(0);
  });

  it("answers a 429 at arrival, not after a time to first token", async () => {
    const { sim } = await withApi(11, { rpm: 1 }, () =>
      Promise.all([1, 2].map((i) => client(3).messages.create({ model: MODEL, max_tokens: 20, messages: [{ role: "user", content: `m${i}` }] }))),
    );
    const limited = sim.trace.events.filter((e) => e.kind === "llm.error" && e.attrs?.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const e of limited) expect(e.t).toBe(sim.trace.events[e.span as number]?.t);
  });
});
