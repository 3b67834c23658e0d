/**
 * A fixture recorded by real instrumentation: an agent on the official `openai` SDK, run inside a
 * simulated world, traced by the OpenTelemetry SDK with `@opentelemetry/instrumentation-openai`
 * (which makes the `chat` spans), its tool calls wrapped in `execute_tool` spans by the agent's own
 * code, as teams do; exported with the official OTLP/JSON serializer. The import is then checked
 * against what the agent did: the tools, the call counts and the latencies.
 */
import { createRequire } from "node:module";
import { trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { OpenAIInstrumentation } from "@opentelemetry/instrumentation-openai";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { LlmProvider } from "../../src/actors/llm-provider.js";
import { SimTool } from "../../src/actors/tool.js";
import { incidentFromSpans } from "../../src/import/incident-workload.js";
import { readOtlpJson } from "../../src/import/otlp-json.js";
import { renderOtlp } from "../../src/report/render-otlp.js";
import { Simulation } from "../../src/sim/simulation.js";
import { HttpTool } from "../../src/world/http-tool.js";
import { OpenAIEndpoint } from "../../src/world/openai-endpoint.js";
import { runInWorld } from "../../src/world/run-in-world.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const instrumentation = new OpenAIInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.enable();
// Loaded through require after enable(), so that the instrumentation's require hook patches it.
const { default: OpenAI } = createRequire(import.meta.url)("openai") as typeof import("openai");
afterAll(() => instrumentation.disable());

const tracer = provider.getTracer("support-agent");
const tools = [
  {
    type: "function" as const,
    function: {
      name: "lookup_order",
      description: "Look an order up",
      parameters: { type: "object", properties: { order_id: { type: "string", pattern: "^A-" } }, required: ["order_id"], additionalProperties: false },
    },
  },
];

/** One conversation: the model asks for the order, the agent fetches it (an execute_tool span), the model answers. */
async function conversation(oa: InstanceType<typeof OpenAI>, id: string): Promise<number> {
  const messages: import("openai").OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: "user", content: `Where is my order? (${id})` }];
  let toolCalls = 0;
  for (let turn = 0; turn < 4; turn++) {
    const res = await oa.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
    const msg = res.choices[0]?.message;
    if (!msg?.tool_calls?.length) return toolCalls;
    messages.push(msg);
    for (const call of msg.tool_calls) {
      if (call.type !== "function") continue;
      const span = tracer.startSpan(`execute_tool ${call.function.name}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": call.function.name,
          "gen_ai.tool.call.id": call.id,
          "gen_ai.tool.call.arguments": call.function.arguments,
          "gen_ai.conversation.id": id,
          "http.request.method": "GET",
        },
      });
      const answer = await fetch("https://orders.sim/lookup_order", {
        method: "POST",
        body: call.function.arguments,
        headers: { "content-type": "application/json" },
      });
      if (!answer.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: String(answer.status) });
      span.end();
      toolCalls++;
      messages.push({ role: "tool", tool_call_id: call.id, content: await answer.text() });
    }
  }
  return toolCalls;
}

describe("a trace recorded by @opentelemetry/instrumentation-openai around the openai SDK", () => {
  it("imports as what the agent did: tools, call counts, latency quantiles", async () => {
    exporter.reset();
    const sim = new Simulation({ seed: 5 });
    const llm = new LlmProvider(sim, { name: "llm" });
    const api = new OpenAIEndpoint(sim, { provider: llm, outputTokens: { uniform: { min: 20, max: 60 } } });
    const orders = new SimTool(sim, { name: "lookup_order", latency: { lognormal: { p50: "300ms", p99: "2s" } } });
    const run = await runInWorld(
      sim,
      async () => {
        const oa = new OpenAI({ apiKey: "sk-sim", baseURL: "https://api.openai.com/v1", maxRetries: 0 });
        const ids = Array.from({ length: 12 }, (_, i) => `conv-${i + 1}`);
        const counts = await Promise.all(ids.map((id, i) => new Promise<number>((resolve) => setTimeout(() => resolve(conversation(oa, id)), i * 20_000))));
        return counts.reduce((a, b) => a + b, 0);
      },
      { services: [api, new HttpTool(sim, orders, { host: "orders.sim" })] },
    );
    expect(run.agent).toMatchObject({ status: "done" });
    // The world run itself exports in the same conventions: a chat span per model call.
    const exported = readOtlpJson(renderOtlp(run));
    expect(exported.filter((s) => s.attributes["gen_ai.operation.name"] === "chat").length).toBe(llm.totals.calls);
    const spans = exporter.getFinishedSpans();
    const chats = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
    expect(chats.length).toBe(llm.totals.calls);
    const otlp = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans as never));

    const { workload, findings } = incidentFromSpans(readOtlpJson(otlp), { name: "recorded", source: "recorded.otlp.json" });
    expect(Object.keys(workload.tools)).toEqual(["lookup_order"]);
    expect(findings.genAiSpans).toBe(chats.length + orders.calls.length);
    expect(workload.model.name).toBe("gpt-4o-mini");
    // The model's latency: the imported distribution against the simulated calls' own durations.
    const simulated = sim.trace.events
      .filter((e) => e.phase === "end" && e.kind === "llm.call")
      .map((e) => e.t - (sim.trace.events[e.span ?? -1]?.t ?? 0))
      .sort((a, b) => a - b);
    const imported = workload.model.latencyMs;
    const q = (xs: readonly number[], p: number): number => xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] as number;
    for (const p of [0.5, 0.9]) expect(Math.abs(q(imported, p) - q(simulated, p))).toBeLessThan(0.1 * q(simulated, p) + 50);
    // Tool latency: the client span covers the HTTP round trip on virtual time, the tool's work and nothing else.
    const toolDurations = orders.calls
      .map((c) => (c.response ? (sim.trace.events.find((e) => e.span === c.span && e.phase === "end")?.t ?? 0) : 0) - c.invokedAt)
      .sort((a, b) => a - b);
    for (const p of [0.5, 0.9])
      expect(Math.abs(q(workload.tools.lookup_order?.latencyMs ?? [], p) - q(toolDurations, p))).toBeLessThan(0.1 * q(toolDurations, p) + 50);
  });
});
