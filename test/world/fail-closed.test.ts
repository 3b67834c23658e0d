/**
 * Fail closed: a real HTTP server on 127.0.0.1, started by the test, counts the requests (and TCP
 * connections) that agent code makes. Every leak below must leave both counts at zero: a host no
 * service answers, by fetch and by node:http (and the other clients); code that awaits real
 * thread-pool work (zlib, pbkdf2) before calling out; code that outlives its world.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import http from "node:http";
import net from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import crypto from "node:crypto";
import dns from "node:dns";
import http2 from "node:http2";
import tls from "node:tls";
import { Worker } from "node:worker_threads";
import { execSync } from "node:child_process";
import axios from "axios";
import got from "got";
import nodeFetch from "node-fetch";
import { request as undiciRequest } from "undici";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld } from "../../src/world/run-in-world.js";
import { answerAfter, jsonResponse, SimulationLeakError, type SimService } from "../../src/world/sim-fetch.js";

/** Real timer functions, taken before any world swaps the globals. */
const realSetTimeout = globalThis.setTimeout;

let server: http.Server;
let requests = 0;
let connections = 0;
let base = "";

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    requests++;
    res.end("real");
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  // The test's own request, outside any world, is served (and leaves keep-alive sockets in both pools).
  expect(await (await fetch(`${base}/warm`)).text()).toBe("real");
  expect(await new Promise((resolve) => http.get(`${base}/warm`, (res) => res.resume().on("end", () => resolve(res.statusCode))))).toBe(200);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Requests and connections the real server saw from now on. */
function counter(): () => { requests: number; connections: number } {
  const r0 = requests;
  const c0 = connections;
  return () => ({ requests: requests - r0, connections: connections - c0 });
}

const sleepReal = (ms: number) => new Promise((r) => realSetTimeout(r, ms));

/** A service for `api.sim`, so that the world has a network at all. */
function apiService(sim: Simulation): SimService {
  return { host: "api.sim", handle: () => answerAfter(sim, 100, () => jsonResponse(200, { ok: true })) };
}

/** Runs `agent`, waits a little real time for anything it might still send, and returns the run and the counts. */
async function attempt<T>(agent: () => Promise<T>) {
  const count = counter();
  const sim = new Simulation({ seed: 1 });
  const run = await runInWorld(sim, agent, { services: [apiService(sim)] });
  await sleepReal(150);
  return { run, count: count() };
}

/** What a call threw or emitted, as `code: message`. */
const caught = (e: unknown) => `${(e as { code?: string }).code}: ${(e as Error).message}`;

describe("a host no simulated service answers is refused before a byte leaves", () => {
  it("by fetch", async () => {
    const { run, count } = await attempt(() => fetch(`${base}/fetch`).then(() => "answered", caught));
    expect(count).toEqual({ requests: 0, connections: 0 });
    expect((run.agent as { value: string }).value).toMatch(
      /^ERR_AGENTSIM_REFUSED: agentsim: fetch to http:\/\/127\.0\.0\.1:\d+ refused: no simulated service answers 127\.0\.0\.1, from .*fail-closed\.test\.ts:\d+:\d+/,
    );
    expect(run.outcome.status).toBe("crashed");
  });

  it("by node:http, naming the host and the user's call site", async () => {
    const { run, count } = await attempt(
      () =>
        new Promise((resolve) => {
          http.get(`${base}/http`, () => resolve("answered")).on("error", (e) => resolve(caught(e)));
        }),
    );
    expect(count).toEqual({ requests: 0, connections: 0 });
    expect((run.agent as { value: string }).value).toMatch(
      /^ERR_AGENTSIM_REFUSED: agentsim: an HTTP request \(node:http\) to http:\/\/127\.0\.0\.1:\d+ refused: no simulated service answers http:\/\/127\.0\.0\.1:\d+, from .*fail-closed\.test\.ts:\d+:\d+/,
    );
    expect(run.leaks).toHaveLength(1);
    expect(run.leaks[0]).not.toMatch(/src\/world|dist\/world/);
  });

  it("by axios, got, node-fetch, undici, net, tls, http2, dns, a child process, a worker and an explicit no-agent request, while the world runs and after it crashed", async () => {
    const count = counter();
    let all!: Promise<Record<string, string>>;
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      // The first refusal fails the run; the rest run on (as a real client's would) in a world that has ended.
      all = (async () => {
        const outcomes: Record<string, string> = {};
        const tryIt = async (name: string, fn: () => Promise<unknown>) => {
          outcomes[name] = await fn().then(
            () => "answered",
            (e: unknown) =>
              JSON.stringify(e, Object.getOwnPropertyNames(e)).includes("ERR_AGENTSIM_REFUSED") ||
              String((e as { cause?: unknown }).cause ?? e).includes("refused")
                ? "refused"
                : caught(e),
          );
        };
        await tryIt("axios", () => axios.get(`${base}/axios`));
        await tryIt("got", () => got(`${base}/got`, { retry: { limit: 0 } }));
        await tryIt("node-fetch", () => nodeFetch(`${base}/node-fetch`));
        await tryIt("undici", () => undiciRequest(`${base}/undici`));
        await tryIt("agent:false", () => new Promise((resolve, reject) => http.get(`${base}/no-agent`, { agent: false }, resolve).on("error", reject)));
        await tryIt(
          "net",
          () => new Promise((resolve, reject) => net.connect(Number(new URL(base).port), "127.0.0.1", () => resolve("connected")).on("error", reject)),
        );
        await tryIt("http2", () => new Promise((resolve, reject) => http2.connect(base).on("error", reject).on("close", resolve)));
        await tryIt(
          "tls",
          () =>
            new Promise((resolve, reject) =>
              tls.connect(Number(new URL(base).port), "127.0.0.1", { rejectUnauthorized: false }, () => resolve("connected")).on("error", reject),
            ),
        );
        await tryIt("child_process", async () => execSync(`curl -s ${base}/curl`));
        await tryIt("worker", async () => new Worker(`fetch(${JSON.stringify(`${base}/worker`)})`, { eval: true }));
        await tryIt("dns", () => dns.promises.lookup("example.com"));
        return outcomes;
      })();
      return all;
    });
    const outcomes = await all;
    await sleepReal(150);
    expect(count()).toEqual({ requests: 0, connections: 0 });
    expect(run.outcome.status).toBe("crashed");
    expect(outcomes).toEqual({
      axios: "refused",
      got: "refused",
      "node-fetch": "refused",
      undici: "refused",
      "agent:false": "refused",
      net: "refused",
      http2: "refused",
      tls: "refused",
      child_process: "refused",
      worker: "refused",
      dns: "refused",
    });
    expect(run.leaks.length).toBeGreaterThanOrEqual(11);
    // Each names the user's line, except got's: got's event-emitter flow breaks V8's async stack, so
    // its own frame stands in. None names agentsim's files.
    for (const leak of run.leaks) expect(leak).toMatch(/, from .*(fail-closed\.test\.ts|node_modules\/got\/).*:\d+:\d+/);
    expect(run.leaks.filter((l) => l.includes("fail-closed.test.ts"))).toHaveLength(10);
    for (const leak of run.leaks) expect(leak).not.toMatch(/src\/world|dist\/world/);
  });
});

describe("code that awaits real thread-pool work before calling out", () => {
  it("zlib: virtual time holds while it runs, and the next fetch is refused inside the world", async () => {
    const { run, count } = await attempt(async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      const zipped = await promisify(zlib.gzip)(Buffer.alloc(2_000_000, 7));
      const at = performance.now();
      const outcome = await fetch(`${base}/after-zlib`).then(() => "answered", caught);
      return { bytes: zipped.length > 0, at, outcome };
    });
    expect(count).toEqual({ requests: 0, connections: 0 });
    expect(run.agent).toMatchObject({
      status: "done",
      value: { bytes: true, at: 1_000, outcome: expect.stringMatching(/^ERR_AGENTSIM_REFUSED: .*refused: no simulated service answers 127\.0\.0\.1/) },
    });
  });

  it("pbkdf2: the same, and the run is the same on every seed-1 run while a service works concurrently", async () => {
    const once = async () => {
      const sim = new Simulation({ seed: 1 });
      const count = counter();
      const run = await runInWorld(
        sim,
        async () => {
          const call = fetch("https://api.sim/slow").then((r) => r.json());
          const key = await promisify(crypto.pbkdf2)("secret", "salt", 200_000, 32, "sha256");
          const at = performance.now();
          const sim = await call;
          const real = await fetch(`${base}/after-pbkdf2`).then(() => "answered", caught);
          return { key: key.toString("hex"), at, sim, simAt: performance.now(), real: real.startsWith("ERR_AGENTSIM_REFUSED") };
        },
        { services: [apiService(sim)] },
      );
      await sleepReal(100);
      return { run, count: count() };
    };
    const [a, b] = [await once(), await once()];
    expect(a.count).toEqual({ requests: 0, connections: 0 });
    expect(b.count).toEqual({ requests: 0, connections: 0 });
    expect(a.run.agent).toMatchObject({ status: "done", value: { at: 0, sim: { ok: true }, simAt: 100, real: true } });
    expect(a.run.traceHash).toBe(b.run.traceHash);
  });
});

describe("code that awaits real file-system I/O before calling out", () => {
  it("fails the run at the read, and its next fetch, after teardown, is refused", async () => {
    let after!: Promise<string>;
    const count = counter();
    const run = await runInWorld(new Simulation({ seed: 1 }), async () => {
      after = (async () => {
        await readFile(fileURLToPath(import.meta.url), "utf8");
        return fetch(`${base}/after-fs`).then(
          () => "answered",
          (e: { cause?: { code?: string } }) => e.cause?.code ?? "?",
        );
      })();
      return after;
    });
    expect(await after).toBe("ERR_AGENTSIM_REFUSED");
    await sleepReal(100);
    expect(count()).toEqual({ requests: 0, connections: 0 });
    expect(run.outcome.status).toBe("crashed");
    expect(run.leaks[0]).toMatch(/^agentsim: file-system I\/O was started inside the simulation \(async resource \w+, from .*fail-closed\.test\.ts:\d+:\d+\)/);
  });
});

describe("code that outlives its world", () => {
  it("cannot reach the network or real time after teardown", async () => {
    const log: string[] = [];
    let fired = false;
    let finished!: () => void;
    const done = new Promise<void>((r) => {
      finished = r;
    });
    const { run } = await attempt(async () => {
      // A real timer (taken before the world) fires after the world has ended; it is a leak, and
      // the run ends as crashed, but its callback still runs later, in the dead world's scope.
      realSetTimeout(async () => {
        log.push(
          `fetch: ${await fetch(`${base}/late-fetch`).then(
            () => "answered",
            (e: { code?: string; cause?: { code?: string } }) => e.cause?.code ?? e.code,
          )}`,
        );
        log.push(
          `http: ${await new Promise((resolve) => http.get(`${base}/late-http`, () => resolve("answered")).on("error", (e: { code?: string }) => resolve(e.code)))}`,
        );
        log.push(
          `undici: ${await undiciRequest(`${base}/late-undici`).then(
            () => "answered",
            (e: { code?: string }) => e.code,
          )}`,
        );
        setTimeout(() => {
          fired = true;
        }, 5);
        setInterval(() => {
          fired = true;
        }, 5);
        finished();
      }, 20);
      return "returned";
    });
    const count = counter();
    await done;
    await sleepReal(100);
    log.push(`timers fired: ${fired}`);
    expect(run.outcome.status).toBe("crashed");
    expect(count()).toEqual({ requests: 0, connections: 0 });
    expect(log).toEqual(["fetch: ERR_AGENTSIM_REFUSED", "http: ERR_AGENTSIM_REFUSED", "undici: ERR_AGENTSIM_REFUSED", "timers fired: false"]);
    expect(run.leaks.filter((l) => /its simulated world has ended/.test(l))).toHaveLength(3);
    expect(run.leaks.filter((l) => /real timer was started after its simulated world ended, from .*fail-closed\.test\.ts/.test(l))).toHaveLength(2);
  });

  it("its global fetch outside any world still reaches the real server (the interception is scoped)", async () => {
    const count = counter();
    expect(await (await fetch(`${base}/outside`)).text()).toBe("real");
    expect(count().requests).toBe(1);
    expect(SimulationLeakError).toBeDefined();
  });
});
