/**
 * The shipped example incident: what a support agent's traces looked like on the afternoon it
 * refunded customers twice. Spans are made with the OpenTelemetry SDK itself (the tracer, its
 * in-memory exporter and the official OTLP/JSON serializer), in the GenAI conventions, at fixed
 * timestamps and seeded ids, so the file is the same every time it is made:
 *
 *   npx tsx examples/incident/refund-incident.ts > examples/incident/refund-incident.otlp.jsonl
 *
 * The story: eight conversations in 15 minutes. In each, the agent asks the model, looks the order
 * up (GET, orders-api), asks the model again, and refunds it (POST, payments-api) under a 10 s
 * client timeout. The payments API is slow that afternoon: when a refund takes longer than 10 s
 * the agent's call ends in a TimeoutError and the agent retries with the same arguments, while the
 * payments API finishes the first refund anyway: the same order refunded twice.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import seedrandom from "seedrandom";

const START = Date.UTC(2026, 10, 18, 14, 0, 0);
const CLIENT_TIMEOUT_MS = 10_000;
const BACKOFF_MS = 500;

/** Ids from a seeded generator, so the file does not change from one making to the next. */
function seededIds(seed: string): IdGenerator {
  const rng = seedrandom(seed);
  const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join("");
  return { generateTraceId: () => hex(32), generateSpanId: () => hex(16) };
}

/** The incident's traces as OTLP/JSON, one document per conversation (the Collector's file exporter form). */
export function recordRefundIncident(): string {
  const exporter = new InMemorySpanExporter();
  const ids = seededIds("refund-incident");
  const provider = (service: string): BasicTracerProvider =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": service, "deployment.environment.name": "production" }),
      idGenerator: ids,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  const agent = provider("support-agent").getTracer("support-agent", "3.2.0");
  const orders = provider("orders-api").getTracer("orders-api");
  const payments = provider("payments-api").getTracer("payments-api");
  const rng = seedrandom("afternoon");
  const between = (lo: number, hi: number): number => Math.round(lo + rng() * (hi - lo));
  // Refund latency that afternoon: most 3-8 s, one in three 11-16 s (the processor's slow path).
  const refundLatency = (): number => (rng() < 0.34 ? between(11_000, 16_000) : between(3_000, 8_000));

  const child = (tracer: ReturnType<BasicTracerProvider["getTracer"]>, parent: Span, name: string, kind: SpanKind, at: number, attributes: Attributes): Span =>
    tracer.startSpan(name, { kind, startTime: at, attributes }, trace.setSpan(context.active(), parent));

  const lines: string[] = [];
  for (let c = 1; c <= 8; c++) {
    const conversation = `conv-${String(c).padStart(3, "0")}`;
    const orderId = `A-${1040 + c}`;
    const amount = between(20, 180);
    let t = START + (c - 1) * 110_000 + between(0, 20_000);
    const root = agent.startSpan("invoke_agent support-agent", {
      kind: SpanKind.INTERNAL,
      startTime: t,
      attributes: {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "support-agent",
        "gen_ai.conversation.id": conversation,
        "app.tenant": "acme",
      },
    });
    const chat = (input: number, cached: number, output: number): void => {
      const ms = between(600, 1_800);
      const s = child(agent, root, "chat gpt-4o-mini", SpanKind.CLIENT, t, {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.conversation.id": conversation,
        "gen_ai.usage.input_tokens": input,
        "gen_ai.usage.cache_read.input_tokens": cached,
        "gen_ai.usage.output_tokens": output,
        "server.address": "api.openai.com",
      });
      t += ms;
      s.end(t);
    };
    const tool = (
      name: string,
      args: Record<string, unknown>,
      method: string,
      tracer: ReturnType<BasicTracerProvider["getTracer"]>,
      path: string,
      latency: number,
    ): boolean => {
      const call = child(agent, root, `execute_tool ${name}`, SpanKind.INTERNAL, t, {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": name,
        "gen_ai.tool.call.id": `call_${conversation}_${name}_${Math.floor(rng() * 1e6)}`,
        "gen_ai.tool.call.arguments": JSON.stringify(args),
        "gen_ai.conversation.id": conversation,
      });
      const http = child(agent, call, method, SpanKind.CLIENT, t + 2, {
        "http.request.method": method,
        "url.full": `https://${path}`,
        "server.address": path.split("/")[0] as string,
      });
      const server = child(tracer, http, `${method} /${path.split("/").slice(1).join("/")}`, SpanKind.SERVER, t + 12, {
        "http.request.method": method,
        "http.route": `/${path.split("/").slice(1).join("/")}`,
      });
      server.setAttribute("http.response.status_code", 200);
      server.end(t + 12 + latency);
      if (latency + 14 > CLIENT_TIMEOUT_MS) {
        http.setStatus({ code: SpanStatusCode.ERROR, message: "aborted" });
        http.setAttribute("error.type", "AbortError");
        http.end(t + CLIENT_TIMEOUT_MS);
        call.setStatus({ code: SpanStatusCode.ERROR, message: `tool ${name} timed out after 10000 ms` });
        call.setAttribute("error.type", "TimeoutError");
        call.end(t + CLIENT_TIMEOUT_MS);
        t += CLIENT_TIMEOUT_MS;
        return false;
      }
      http.setAttribute("http.response.status_code", 200);
      http.end(t + 14 + latency);
      call.end(t + 16 + latency);
      t += 16 + latency;
      return true;
    };
    chat(2_600, c === 1 ? 0 : 2_048, 48);
    tool("lookup_order", { order_id: orderId }, "GET", orders, `orders.internal/orders/${orderId}`, between(120, 420));
    chat(2_900, 2_048, 64);
    for (let attempt = 1; attempt <= 2; attempt++) {
      if (tool("refund", { order_id: orderId, amount_usd: amount }, "POST", payments, "payments.internal/refunds", refundLatency())) break;
      t += BACKOFF_MS;
    }
    chat(3_300, 2_048, 90);
    root.end(t);
  }
  const spans = exporter.getFinishedSpans() as unknown as ReadableSpan[];
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const s of spans) byTrace.set(s.spanContext().traceId, [...(byTrace.get(s.spanContext().traceId) ?? []), s]);
  for (const group of byTrace.values()) {
    const bytes = JsonTraceSerializer.serializeRequest(group as never);
    lines.push(new TextDecoder().decode(bytes));
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && /refund-incident\.ts$/.test(process.argv[1])) process.stdout.write(recordRefundIncident());
