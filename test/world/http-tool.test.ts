/**
 * A SimTool over HTTP: the wire contract user code sees through fetch (status codes, the
 * Idempotency-Key header and its replays and conflicts, retry-after, the client's abort).
 */
import { describe, it, expect } from "vitest";
import { SimTool, type SimToolOptions } from "../../src/actors/tool.js";
import { Simulation } from "../../src/sim/simulation.js";
import { HttpTool } from "../../src/world/http-tool.js";
import { runInWorld } from "../../src/world/run-in-world.js";

/** One answer as the test reads it: when, status, selected headers, body. */
interface Seen {
  at: number;
  status: number;
  replayed: string | null;
  retryAfter: string | null;
  body: unknown;
}

async function exchange(tool: Partial<SimToolOptions>, calls: (url: string) => Promise<Seen[]>) {
  const sim = new Simulation({ seed: 1 });
  const processor = new SimTool(sim, {
    name: "payments",
    latency: 2_000,
    idempotency: true,
    effect: { name: "refund", key: (a) => String(a.returnId) },
    ...tool,
  });
  const http = new HttpTool(sim, processor, { host: "payments.sim", path: "/v1/refunds" });
  const run = await runInWorld(sim, () => calls(http.url), { services: [http] });
  expect(run.agent.status).toBe("done");
  return { seen: (run.agent as { value: Seen[] }).value, processor, sim };
}

async function post(url: string, body: unknown, init: { key?: string; method?: string; signal?: AbortSignal } = {}): Promise<Seen> {
  const res = await fetch(url, {
    method: init.method ?? "POST",
    headers: { "content-type": "application/json", ...(init.key ? { "Idempotency-Key": init.key } : {}) },
    ...(init.method === "GET" ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return {
    at: performance.now(),
    status: res.status,
    replayed: res.headers.get("idempotent-replayed"),
    retryAfter: res.headers.get("retry-after"),
    body: await res.json(),
  };
}

describe("a SimTool over HTTP", () => {
  it("answers 200 with the result after the tool's latency; a key replays it; the same key in flight is 409; other parameters are 400", async () => {
    const { seen, processor } = await exchange({ resultFor: (a) => ({ refunded: a.returnId ?? null }) }, async (url) => {
      const first = post(url, { returnId: "R-1" }, { key: "k1" });
      const conflict = await post(url, { returnId: "R-1" }, { key: "k1" });
      const done = await first;
      const replay = await post(url, { returnId: "R-1" }, { key: "k1" });
      const mismatch = await post(url, { returnId: "R-2" }, { key: "k1" });
      return [conflict, done, replay, mismatch];
    });
    expect(seen.map((s) => [s.at, s.status, s.replayed])).toEqual([
      [0, 409, null],
      [2_000, 200, null],
      [2_000, 200, "true"],
      [2_000, 400, null],
    ]);
    expect(seen[1]?.body).toEqual({ refunded: "R-1" });
    expect(seen[0]?.body).toMatchObject({ error: { type: "idempotency_key_in_use" } });
    expect(seen[3]?.body).toMatchObject({ error: { type: "idempotency_error" } });
    expect(processor.ledger.count("refund")).toBe(1);
  });

  it("refuses a wrong path, method or body before the tool sees it", async () => {
    const { seen, processor } = await exchange({}, async (url) => [
      await post(url.replace("/v1/refunds", "/v1/charges"), {}),
      await post(url, {}, { method: "GET" }),
      await post(url, "not json"),
    ]);
    expect(seen.map((s) => s.status)).toEqual([404, 405, 400]);
    expect(processor.calls).toHaveLength(0);
  });

  it("sends 429 with retry-after in whole seconds, and 503 for a transient failure", async () => {
    const limited = await exchange({ faults: { rateLimited: 1 }, retryAfter: 2_500 }, async (url) => [await post(url, { returnId: "R-1" })]);
    expect(limited.seen[0]).toMatchObject({ status: 429, retryAfter: "3" });
    const failing = await exchange({ faults: { transient: 1 } }, async (url) => [await post(url, { returnId: "R-1" })]);
    expect(failing.seen[0]).toMatchObject({ status: 503, at: 2_000 });
  });

  it("hears the client's abort as a dropped connection: ignored by default (the refund commits), honoured when the tool honours cancellation", async () => {
    const abandon = (url: string) =>
      post(url, { returnId: "R-1" }, { signal: AbortSignal.timeout(500) }).then(
        () => [],
        () => [],
      );
    const ignoring = await exchange({}, abandon);
    expect(ignoring.processor.ledger.count("refund")).toBe(1);
    expect(ignoring.sim.trace.events.some((e) => e.kind === "tool.cancel-ignored")).toBe(true);
    const honouring = await exchange({ honoursCancellation: true }, abandon);
    expect(honouring.processor.ledger.count("refund")).toBe(0);
    expect(honouring.processor.calls[0]?.response).toMatchObject({ ok: false, error: "cancelled" });
  });
});
