/**
 * The official `openai` SDK (v6), unmodified, against the simulated OpenAI API: Chat Completions
 * and Responses, streamed token by token on virtual time, tool loops driven by the default model,
 * usage with cached tokens, the SDK's own retries on 429, errors in the middle of a stream, and
 * the 400s the real API answers.
 */
import { describe, it, expect } from "vitest";
import OpenAI from "openai";
import { LlmProvider, type LlmProviderOptions } from "../../src/actors/llm-provider.js";
import { Simulation } from "../../src/sim/simulation.js";
import { OpenAIEndpoint, type OpenAIEndpointOptions } from "../../src/world/openai-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

const MODEL = "gpt-5.5";
/** 6,000 characters: 1,500 tokens at 4 characters a token, above the 1,024-token cache minimum. */
const POLICY = "Refunds are allowed within 30 days. ".repeat(6_000 / 36);
const realNow = performance.now.bind(performance);

function client(maxRetries = 2): OpenAI {
  return new OpenAI({ apiKey: "sk-sim", baseURL: "https://api.openai.com/v1", maxRetries, logLevel: "off" });
}

async function withApi<T>(seed: number, provider: LlmProviderOptions, agent: () => Promise<T>, endpoint: Partial<OpenAIEndpointOptions> = {}) {
  const sim = new Simulation({ seed });
  const llm = new LlmProvider(sim, provider);
  const api = new OpenAIEndpoint(sim, { provider: llm, outputTokens: { uniform: { min: 20, max: 60 } }, ...endpoint });
  const wallStart = realNow();
  const run = await runInWorld(sim, agent, { services: [api] });
  return { run, sim, llm, api, wallMs: realNow() - wallStart };
}

function value<T>(run: { agent: { status: string } }): T {
  expect(run.agent).toMatchObject({ status: "done" });
  return (run.agent as unknown as { value: T }).value;
}

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "refund",
      description: "Refund a return",
      parameters: {
        type: "object",
        properties: {
          returnId: { type: "string", pattern: "^R-" },
          amountUsd: { type: "number", minimum: 1, maximum: 500 },
          reason: { type: "string", enum: ["damaged", "late", "other"] },
        },
        required: ["returnId", "amountUsd", "reason"],
        additionalProperties: false,
      },
    },
  },
];

/** A user's chat tool loop: streamed, assembling tool calls from deltas, until the model answers with text. */
async function chatLoop(question: string) {
  const oa = client();
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "system", content: POLICY },
    { role: "user", content: question },
  ];
  const chunkTimes: number[] = [];
  const usages: OpenAI.CompletionUsage[] = [];
  for (let turn = 0; turn < 5; turn++) {
    const stream = await oa.chat.completions.create({ model: MODEL, messages, tools, stream: true, stream_options: { include_usage: true } });
    let text = "";
    const calls: { id: string; name: string; args: string }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      chunkTimes.push(performance.now());
      if (chunk.usage) usages.push(chunk.usage);
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? "";
      for (const d of choice.delta.tool_calls ?? []) {
        calls[d.index] ??= { id: "", name: "", args: "" };
        const c = calls[d.index] as { id: string; name: string; args: string };
        c.id ||= d.id ?? "";
        c.name ||= d.function?.name ?? "";
        c.args += d.function?.arguments ?? "";
      }
      finish = choice.finish_reason ?? finish;
    }
    if (finish !== "tool_calls") return { text, turn, chunkTimes, usages, messages };
    messages.push({
      role: "assistant",
      content: null,
      tool_calls: calls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.args } })),
    });
    for (const c of calls) {
      const args = JSON.parse(c.args) as { returnId: string; amountUsd: number; reason: string };
      messages.push({ role: "tool", tool_call_id: c.id, content: JSON.stringify({ refunded: args.amountUsd, reason: args.reason }) });
    }
  }
  throw new Error("the loop did not end");
}

describe("Chat Completions through the openai SDK", () => {
  it("runs a streamed tool loop with the default model: schema-valid arguments, then text; tokens come one by one", async () => {
    const { run, sim } = await withApi(1, {}, () => chatLoop("Refund R-1"));
    const out = value<Awaited<ReturnType<typeof chatLoop>>>(run);
    expect(out.turn).toBe(1);
    expect(out.text).toContain("Read 1 tool result");
    const assistant = out.messages.find((m) => m.role === "assistant") as OpenAI.Chat.ChatCompletionAssistantMessageParam;
    const call = assistant.tool_calls?.[0] as OpenAI.Chat.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
    expect(Object.keys(args).sort()).toEqual(["amountUsd", "reason", "returnId"]);
    expect(args.amountUsd).toBeGreaterThanOrEqual(1);
    expect(args.amountUsd).toBeLessThanOrEqual(500);
    expect(["damaged", "late", "other"]).toContain(args.reason);
    // Usage: the second call reads the cached tools + system prefix.
    expect(out.usages).toHaveLength(2);
    const prefix = out.usages[0]?.prompt_tokens_details?.cached_tokens;
    expect(prefix).toBe(0);
    expect(out.usages[1]?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(1_500);
    // Token by token: the chunks of the text answer are spread over its output time.
    const ends = sim.trace.events.filter((e) => e.kind === "llm.call" && e.phase === "end");
    const firsts = sim.trace.events.filter((e) => e.kind === "llm.first-token");
    const last = { first: firsts[1]?.t as number, end: ends[1]?.t as number };
    const during = out.chunkTimes.filter((t) => t >= last.first && t <= last.end);
    expect(new Set(during).size).toBeGreaterThan(10);
    expect(out.usages[1]?.completion_tokens).toBe(ends[1]?.attrs?.outputTokens);
  });

  it("answers a plain completion with tool_calls and a finish reason, and usage with cached tokens", async () => {
    const { run } = await withApi(2, {}, async () => {
      const params = {
        model: MODEL,
        messages: [
          { role: "system" as const, content: POLICY },
          { role: "user" as const, content: "Refund R-2" },
        ],
        tools,
      };
      return [await client().chat.completions.create(params), await client().chat.completions.create({ ...params, tool_choice: "none" as const })];
    });
    const [first, second] = value<OpenAI.Chat.ChatCompletion[]>(run);
    expect(first).toMatchObject({
      object: "chat.completion",
      model: MODEL,
      choices: [{ finish_reason: "tool_calls", message: { role: "assistant", content: null } }],
    });
    expect(first?.id).toMatch(/^chatcmpl-/);
    expect(first?.choices[0]?.message.tool_calls).toHaveLength(1);
    expect(second?.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: expect.stringContaining("simulated") } });
    // The first call wrote the tools + system prefix; the second reads all of it: every prompt token but the question's 3.
    expect(first?.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(second?.usage?.prompt_tokens_details?.cached_tokens).toBe((first?.usage?.prompt_tokens ?? 0) - Math.ceil("Refund R-2".length / 4));
    expect(second?.usage?.total_tokens).toBe((second?.usage?.prompt_tokens ?? 0) + (second?.usage?.completion_tokens ?? 0));
  });

  it("caps the output at max_completion_tokens with finish_reason length", async () => {
    const { run } = await withApi(3, {}, () =>
      client().chat.completions.create({ model: MODEL, max_completion_tokens: 5, messages: [{ role: "user", content: "Tell me everything." }] }),
    );
    expect(value<OpenAI.Chat.ChatCompletion>(run)).toMatchObject({ choices: [{ finish_reason: "length" }], usage: { completion_tokens: 5 } });
  });

  it("answers the 400s the real API answers, with its error body, which the SDK raises as BadRequestError", async () => {
    const { run, llm } = await withApi(4, {}, async () => {
      const oa = client(0);
      const fail = (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>,
        );
      return Promise.all([
        fail(
          oa.chat.completions.create({
            model: MODEL,
            messages: [
              { role: "user", content: "hi" },
              { role: "tool", tool_call_id: "call_nope", content: "{}" },
            ],
          }),
        ),
        fail(oa.chat.completions.create({ model: MODEL, temperature: 3, messages: [{ role: "user", content: "hi" }] })),
        fail(oa.chat.completions.create({ messages: [{ role: "user", content: "hi" }] } as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming)),
      ]);
    });
    const [orphan, temperature, model] = value<InstanceType<typeof OpenAI.BadRequestError>[]>(run);
    for (const e of [orphan, temperature, model]) expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(orphan).toMatchObject({ status: 400, param: "messages.[1].role", type: "invalid_request_error" });
    expect(orphan?.message).toContain("messages with role 'tool' must be a response to a preceeding message with 'tool_calls'");
    expect(temperature).toMatchObject({ param: "temperature", code: "decimal_above_max_value" });
    expect(model).toMatchObject({ param: "model", code: "missing_required_parameter" });
    expect(llm.totals.calls).toBe(0);
  });

  it("breaks a stream off after its 200 with the API's error; the SDK raises it after some tokens", async () => {
    const { run, sim } = await withApi(
      5,
      {},
      async () => {
        const stream = await client(0).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], stream: true });
        let text = "";
        try {
          for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
          return { text, error: undefined };
        } catch (e) {
          return { text, error: e };
        }
      },
      { pMidStreamError: 1, outputTokens: 200 },
    );
    const out = value<{ text: string; error: unknown }>(run);
    expect(out.error).toBeInstanceOf(OpenAI.APIError);
    expect(String((out.error as Error).message)).toContain("stream broke off");
    const broke = sim.trace.events.find((e) => e.kind === "stream.error");
    expect(out.text.trim().split(/\s+/).filter(Boolean).length).toBe(Math.max(0, (broke?.attrs?.afterTokens as number) - 0));
    expect(broke?.attrs?.afterTokens).toBeLessThan(200);
  });
});

describe("Responses through the openai SDK", () => {
  it("runs a streamed tool loop with previous_response_id: function_call then text, usage with cached tokens", async () => {
    const rtools: OpenAI.Responses.Tool[] = [
      {
        type: "function",
        name: "refund",
        description: "Refund a return",
        strict: true,
        parameters: tools[0]?.type === "function" ? (tools[0].function.parameters as Record<string, unknown>) : {},
      },
    ];
    const { run } = await withApi(6, {}, async () => {
      const oa = client();
      const deltas: string[] = [];
      const first = oa.responses.stream({ model: MODEL, instructions: POLICY, input: "Refund R-1", tools: rtools });
      first.on("response.function_call_arguments.delta", (e) => deltas.push(e.delta));
      const r1 = await first.finalResponse();
      const call = r1.output.find((o) => o.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall | undefined;
      const r2 = await oa.responses.create({
        model: MODEL,
        instructions: POLICY,
        tools: rtools,
        previous_response_id: r1.id,
        input: [{ type: "function_call_output", call_id: call?.call_id ?? "", output: JSON.stringify({ refunded: true }) }],
      });
      return { r1, r2, call, deltas };
    });
    const { r1, r2, call, deltas } = value<{
      r1: OpenAI.Responses.Response;
      r2: OpenAI.Responses.Response;
      call: OpenAI.Responses.ResponseFunctionToolCall;
      deltas: string[];
    }>(run);
    expect(r1.status).toBe("completed");
    expect(call.name).toBe("refund");
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(call.arguments);
    expect(JSON.parse(call.arguments)).toHaveProperty("returnId");
    expect(r2.output_text).toContain("Read 1 tool result");
    expect(r1.usage?.input_tokens_details.cached_tokens).toBe(0);
    expect(r2.usage?.input_tokens_details.cached_tokens).toBeGreaterThan(1_500);
  });

  it("refuses an orphan function_call_output with the API's 400", async () => {
    const { run } = await withApi(7, {}, () =>
      client(0)
        .responses.create({ model: MODEL, input: [{ type: "function_call_output", call_id: "call_x", output: "{}" }] })
        .catch((e: unknown) => e),
    );
    const err = value<InstanceType<typeof OpenAI.BadRequestError>>(run);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ param: "input", message: expect.stringContaining("No tool call found for function call output with call_id call_x") });
  });
});

describe("the SDK's own retries on 429, in virtual time", () => {
  it("answers 429 at once with retry-after and x-ratelimit headers; the SDK waits and retries", async () => {
    const { run, sim, llm, wallMs } = await withApi(8, { rpm: 2 }, () =>
      Promise.all(
        [1, 2, 3, 4].map((i) =>
          client(6)
            .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: `Item ${i}` }] })
            .withResponse(),
        ),
      ),
    );
    const done = value<{ data: OpenAI.Chat.ChatCompletion; response: Response }[]>(run);
    expect(done).toHaveLength(4);
    expect(done[0]?.response.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(done[0]?.response.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+m)?\d+(\.\d+)?(ms|s)$/);
    expect(llm.totals.rateLimited).toBeGreaterThan(0);
    expect(llm.totals.succeeded).toBe(4);
    const errors = sim.trace.events.filter((e) => e.kind === "llm.error" && e.attrs?.status === 429);
    for (const e of errors) expect(e.t, "a 429 is answered at arrival, not after a time to first token").toBe(sim.trace.events[e.span as number]?.t);
    expect(run.outcome.now).toBeGreaterThan(20_000);
    expect(wallMs).toBeLessThan(run.outcome.now / 10);
  });

  it("raises RateLimitError with the API's body once retries run out", async () => {
    const { run } = await withApi(9, { rpm: 1 }, async () => {
      await client(0).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "first" }] });
      return client(0)
        .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "second" }] })
        .catch((e: unknown) => e);
    });
    const err = value<InstanceType<typeof OpenAI.RateLimitError>>(run);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "rate_limit_exceeded", type: "requests" });
    expect(Number(err.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(err.requestID).toMatch(/^req_/);
  });
});

describe("determinism", () => {
  it("gives the same trace hash for the same seed and another for another seed", async () => {
    const agent = () => Promise.all([chatLoop("Refund R-1"), chatLoop("Refund R-2")]);
    const a = await withApi(11, { rpm: 3 }, agent);
    const b = await withApi(11, { rpm: 3 }, agent);
    const c = await withApi(12, { rpm: 3 }, agent);
    expect(a.run.agent.status).toBe("done");
    expect(a.run.traceHash).toBe(b.run.traceHash);
    expect(c.run.traceHash).not.toBe(a.run.traceHash);
  });
});
