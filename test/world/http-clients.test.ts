/**
 * Clients nobody here wrote, unmodified, on a world's network: axios (its default node:http
 * adapter), got 14, node-fetch 3 and undici's `request` reach a simulated service over node:http,
 * node:https and undici's global dispatcher, on virtual time. The same seed gives the same trace
 * hash; another seed another hash.
 */
import { describe, it, expect } from "vitest";
import axios from "axios";
import got from "got";
import nodeFetch from "node-fetch";
import { request as undiciRequest, setGlobalDispatcher, getGlobalDispatcher, Agent as UndiciAgent } from "undici";
import dns from "node:dns";
import http from "node:http";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld, type WorldRun } from "../../src/world/run-in-world.js";
import { answerAfter, jsonResponse, type SimService } from "../../src/world/sim-fetch.js";

const wallNow = performance.now.bind(performance);
/** Node's own fetch, taken before any world swaps the global (as an SDK client made at import holds it). */
const capturedFetch = globalThis.fetch;

/** A service whose answers take a seeded latency and carry a seeded number, echoing what it was sent. */
function quoteService(sim: Simulation, host: string): SimService {
  const rng = sim.rng("quote-service");
  return {
    host,
    handle: async (request) => {
      const body = request.method === "POST" ? await request.text() : "";
      const latency = 50 + Math.floor(rng.next() * 950);
      const quote = Math.floor(rng.next() * 1_000_000);
      return answerAfter(sim, latency, () => {
        sim.trace.instant({ actor: host, layer: "tool", kind: "quote.answered", attrs: { quote, latency } });
        return jsonResponse(200, {
          quote,
          latency,
          method: request.method,
          path: new URL(request.url).pathname,
          body,
          agent: request.headers.get("user-agent") ?? "",
        });
      });
    },
  };
}

/** An SSE service: one `data:` line every 400 ms of virtual time. */
function tickerService(sim: Simulation, host: string): SimService {
  return {
    host,
    handle: async () => {
      let n = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) =>
          answerAfter(sim, 400, () => {
            n++;
            controller.enqueue(new TextEncoder().encode(`data: ${n}@${sim.now}\n\n`));
            if (n === 3) controller.close();
          }),
      });
      return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream" } });
    },
  };
}

type Agent = () => Promise<unknown>;

async function run(seed: number, agent: Agent): Promise<WorldRun<unknown>> {
  const sim = new Simulation({ seed });
  return runInWorld(sim, agent, { services: [quoteService(sim, "quotes.sim"), tickerService(sim, "ticker.sim")] });
}

/** Runs `agent` on seeds 1, 1 and 2: it must finish cleanly, and hash by seed. */
async function expectDeterministic(agent: Agent, seedSensitive = true): Promise<unknown> {
  const wall = wallNow();
  const [a, b, c] = [await run(1, agent), await run(1, agent), await run(2, agent)];
  for (const r of [a, b, c]) {
    expect(r.leaks).toEqual([]);
    expect(r.outcome.status).toBe("completed");
    expect(r.agent.status, JSON.stringify(r.agent)).toBe("done");
  }
  expect(a.traceHash).toBe(b.traceHash);
  if (seedSensitive) expect(c.traceHash).not.toBe(a.traceHash);
  expect((a.agent as { value: unknown }).value).toEqual((b.agent as { value: unknown }).value);
  expect(wallNow() - wall).toBeLessThan(10_000);
  return (a.agent as { value: unknown }).value;
}

/** Two calls, with a 30-second pause between them, timed on the virtual clock. */
function twoQuotes(call: (url: string, body: string) => Promise<{ quote: number; latency: number; method: string; body: string }>): Agent {
  return async () => {
    const t0 = performance.now();
    const first = await call("https://quotes.sim/v1/quote?sym=ACME", '{"sym":"ACME"}');
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 30_000));
    const second = await call("http://quotes.sim/v1/quote?sym=INIT", '{"sym":"INIT"}');
    return { first, second, took: [t1 - t0, performance.now() - t1], at: new Date().toISOString() };
  };
}

describe("node:http and undici clients on a world's network", () => {
  it("axios with its default adapter (node:http, follow-redirects)", async () => {
    const value = (await expectDeterministic(
      twoQuotes(async (url, body) => (await axios.post(url, body, { headers: { "content-type": "application/json" }, timeout: 5_000 })).data),
    )) as { first: { latency: number; method: string; body: string }; took: number[] };
    expect(value.first.method).toBe("POST");
    expect(value.first.body).toBe('{"sym":"ACME"}');
    expect(value.took[0]).toBe(value.first.latency);
  });

  it("got 14", async () => {
    const value = (await expectDeterministic(
      twoQuotes(async (url, body) => got.post(url, { body, timeout: { request: 5_000 }, retry: { limit: 0 } }).json()),
    )) as {
      first: { latency: number };
      took: number[];
    };
    expect(value.took[0]).toBe(value.first.latency);
  });

  it("node-fetch 3", async () => {
    const value = (await expectDeterministic(twoQuotes(async (url, body) => (await nodeFetch(url, { method: "POST", body })).json() as never))) as {
      first: { latency: number };
      took: number[];
    };
    expect(value.took[0]).toBe(value.first.latency);
  });

  it("undici's request (the npm package, through the global dispatcher)", async () => {
    const value = (await expectDeterministic(twoQuotes(async (url, body) => (await undiciRequest(url, { method: "POST", body })).body.json() as never))) as {
      first: { latency: number };
      took: number[];
    };
    expect(value.took[0]).toBe(value.first.latency);
  });

  it("a plain http.get streams a server-sent-events body chunk by chunk at the service's virtual times", async () => {
    const value = await expectDeterministic(
      () =>
        new Promise((resolve, reject) => {
          http
            .get("http://ticker.sim/stream", (res) => {
              const seen: string[] = [];
              res.setEncoding("utf8");
              res.on("data", (chunk: string) => seen.push(`${chunk.trim()} seen@${performance.now()}`));
              res.on("end", () => resolve({ status: res.statusCode, seen }));
            })
            .on("error", reject);
        }),
      false,
    );
    expect(value).toEqual({ status: 200, seen: ["data: 1@400 seen@400", "data: 2@800 seen@800", "data: 3@1200 seen@1200"] });
  });

  it("Node's fetch taken before the world (through undici's dispatcher), streaming included", async () => {
    const value = (await expectDeterministic(async () => {
      const quote = await (await capturedFetch("https://quotes.sim/captured", { method: "POST", body: "x" })).json();
      const res = await capturedFetch("https://ticker.sim/stream");
      const seen: string[] = [];
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) seen.push(`${decoder.decode(chunk).trim()} seen@${performance.now()}`);
      return { quote, seen };
    })) as { quote: { path: string; body: string }; seen: string[] };
    expect(value.quote).toMatchObject({ path: "/captured", body: "x" });
    // The stream starts once the quote has come back; each event is seen when the service sends it.
    const start = (value.quote as unknown as { latency: number }).latency;
    expect(value.seen).toEqual([1, 2, 3].map((n) => `data: ${n}@${start + 400 * n} seen@${start + 400 * n}`));
  });

  it("undici after the user sets its own global dispatcher, and node:dns for a simulated host", async () => {
    const before = getGlobalDispatcher();
    setGlobalDispatcher(new UndiciAgent({ keepAliveTimeout: 10 }));
    try {
      const value = (await expectDeterministic(async () => ({
        quote: await (await undiciRequest("https://quotes.sim/after-set")).body.json(),
        lookup: await dns.promises.lookup("quotes.sim"),
      }))) as { quote: { path: string }; lookup: unknown };
      expect(value.quote.path).toBe("/after-set");
      expect(value.lookup).toEqual({ address: "198.18.0.1", family: 4 });
    } finally {
      setGlobalDispatcher(before);
    }
  });

  it("axios's timeout fires on virtual time against a slow service", async () => {
    const sim = new Simulation({ seed: 1 });
    const slow: SimService = { host: "slow.sim", handle: () => answerAfter(sim, 20_000, () => jsonResponse(200, {})) };
    const wall = wallNow();
    const r = await runInWorld(
      sim,
      async () =>
        axios.get("https://slow.sim/", { timeout: 1_500 }).then(
          () => "answered",
          (e: { code?: string }) => `${e.code}@${performance.now()}`,
        ),
      {
        services: [slow],
      },
    );
    expect(r.agent).toEqual({ status: "done", value: "ECONNABORTED@1500" });
    expect(wallNow() - wall).toBeLessThan(5_000);
  });
});
