/**
 * Fail closed: every way Node offers to reach the network, intercepted before a byte leaves.
 *
 * Installed once per process when the first world is made, and never removed (a world's code can
 * outlive it: a continuation resumed by real work after teardown still carries the world's async
 * scope, `world-context.ts`). Each interception looks at the caller's scope:
 * - no world: the real function, untouched (the test runner, code outside any world);
 * - a live world: a request to a host a simulated service answers goes to that service (node:http
 *   and node:https through any `http.Agent`, undici's global dispatcher: Node's fetch and the npm
 *   package's `request`, `fetch`, `stream`); anything else is refused;
 * - a world that has ended: refused, whatever the host (its timers never fire either: a real timer
 *   created from a dead world's scope is disarmed at creation).
 *
 * | what                                                     | intercepted at                                   |
 * | -------------------------------------------------------- | ------------------------------------------------ |
 * | node:http, node:https (axios, got, node-fetch, ...)      | `http.Agent.prototype.addRequest` (every agent)  |
 * | Node's fetch, npm undici (`request`, `fetch`, `stream`)  | undici's global dispatcher (`undici.globalDispatcher.1`) |
 * | node:net, node:tls, node:http2, undici's own `Agent`s, `agent: false` requests | `net.Socket.prototype.connect` (all TCP, TLS and pipe connects) |
 * | writes on a socket opened before the world (keep-alive pools) | `net.Socket.prototype._writeGeneric`         |
 * | node:dns                                                 | `lookup`, `resolve*`, `reverse`, promises and `Resolver` |
 * | node:dgram                                               | `Socket.prototype.send`, `connect`               |
 * | node:child_process                                       | `ChildProcess.prototype.spawn`, `spawnSync`, `execSync`, `execFileSync` |
 * | node:worker_threads (a worker runs outside the world's scope) | the `Worker` constructor                    |
 *
 * A refusal is an error (a `SimulationLeakError`, code `ERR_AGENTSIM_REFUSED`) delivered the way the
 * real call reports a failure (an `error` event, a rejected promise, a callback), naming the host
 * and the user's call site (`call-site.ts`); a live world also fails its run with it.
 */
import { createHook } from "node:async_hooks";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { Duplex } from "node:stream";
import { captureStack, fromUser } from "./call-site.js";
import { REFUSED_CODE, SimulationLeakError } from "./sim-fetch.js";
import { SimHttpServer } from "./sim-socket.js";
import { anyScope, outsideWorld, worldRegistry, type WorldRuntime, type WorldScope } from "./world-context.js";

const require = createRequire(import.meta.url);
type Any = Record<string, unknown> & ((...args: unknown[]) => unknown);
const net = require("node:net") as { Socket: { prototype: Record<string, unknown> } };
const http = require("node:http") as { Agent: { prototype: Record<string, unknown> } };
const dns = require("node:dns") as Record<string, unknown> & { promises: Record<string, unknown>; Resolver: { prototype: Record<string, unknown> } };
const http2 = require("node:http2") as Record<string, unknown>;
const dgram = require("node:dgram") as { Socket: { prototype: Record<string, unknown> } };
const workerThreads = require("node:worker_threads") as Record<string, unknown>;
const childProcess = require("node:child_process") as Record<string, unknown> & { ChildProcess: { prototype: Record<string, unknown> } };

/** Installs every interception (once per process; later calls do nothing). */
export function installNetworkGuards(): void {
  const { guards } = worldRegistry();
  if (guards.has("network")) return;
  guards.add("network");
  guardConnect();
  guardHttpAgents();
  guardHttp2();
  guardUndici();
  guardDns();
  guardDgram();
  guardChildProcess();
  guardWorkers();
  guardDeadTimers();
  guardThreadPool();
  syncBuiltinESMExports();
}

/** Builds (and, for a live world, reports) the refusal of `what` to `target`. */
export function refusal(scope: WorldScope, what: string, target: string, stack: Error): SimulationLeakError {
  const live = scope.world.active;
  const why = live ? `no simulated service answers ${target}` : "its simulated world has ended (code that outlives its world cannot reach the network)";
  const error = new SimulationLeakError(`agentsim: ${what} to ${target} refused: ${why}${fromUser(stack)}`);
  (error as { code?: string; what?: string }).code = REFUSED_CODE;
  (error as { what?: string }).what = `agentsim: ${what} to ${target} refused: ${why}`;
  scope.world.refuse(error);
  return error;
}

// ---------------------------------------------------------------------------------------------
// node:net (and everything built on it: tls, http2, undici's agents)
// ---------------------------------------------------------------------------------------------

function guardConnect(): void {
  const proto = net.Socket.prototype;
  const realConnect = proto.connect as Any;
  proto.connect = function connect(this: { destroy(e: Error): void; connecting: boolean }, ...args: unknown[]) {
    const scope = anyScope();
    if (!scope) return Reflect.apply(realConnect, this, args);
    const error = refusal(scope, "a connection (node:net)", connectTarget(args), captureStack());
    // Still "connecting" (as a real socket is until its error): nothing waits for a connect that never comes.
    this.connecting = true;
    process.nextTick(() => this.destroy(error));
    return this;
  };
  const realWrite = proto._writeGeneric as Any | undefined;
  if (typeof realWrite === "function") {
    proto._writeGeneric = function _writeGeneric(this: { destroy(e: Error): void; remoteAddress?: string; remotePort?: number }, ...args: unknown[]) {
      const scope = anyScope();
      // Only network sockets: stdout and stderr are sockets too (pipes), and stay writable.
      if (!scope || typeof this.remoteAddress !== "string") return Reflect.apply(realWrite, this, args);
      const error = refusal(scope, "a write on a socket opened outside the world", `${this.remoteAddress ?? "?"}:${this.remotePort ?? "?"}`, captureStack());
      const cb = args[3];
      this.destroy(error);
      if (typeof cb === "function") process.nextTick(cb as (e: Error) => void, error);
      return false;
    };
  }
}

/** `host:port` (or the pipe's path) of a `socket.connect(...)` call. */
function connectTarget(args: unknown[]): string {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === "object") {
    const o = first as { host?: string; port?: number | string; path?: string };
    if (o.path) return o.path;
    return `${o.host ?? "localhost"}:${o.port ?? "?"}`;
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) return first;
  return `${typeof args[1] === "string" ? args[1] : "localhost"}:${String(first)}`;
}

// ---------------------------------------------------------------------------------------------
// node:http and node:https
// ---------------------------------------------------------------------------------------------

interface ClientRequestLike {
  onSocket(socket: unknown, err?: Error): void;
  protocol?: string;
  host?: string;
}

const servers = new WeakMap<WorldRuntime, SimHttpServer>();

/** Ends every in-process connection `world` made (when it ends). */
export function closeWorldConnections(world: WorldRuntime): void {
  servers.get(world)?.close();
}

function guardHttpAgents(): void {
  const proto = http.Agent.prototype;
  const realAddRequest = proto.addRequest as Any;
  proto.addRequest = function addRequest(this: { protocol?: string }, req: ClientRequestLike, options: Record<string, unknown>) {
    const scope = anyScope();
    if (!scope) return Reflect.apply(realAddRequest, this, [req, options]);
    const protocol = String(options.protocol ?? req.protocol ?? this.protocol ?? "http:");
    const host = String(options.hostname ?? options.host ?? req.host ?? "localhost").replace(/^\[|\]$/g, "");
    const port = Number(options.port ?? (protocol === "https:" ? 443 : 80));
    const world = scope.world;
    if (!world.active || !world.hasService(host)) {
      req.onSocket(null, refusal(scope, `an HTTP request (node:${protocol === "https:" ? "https" : "http"})`, `${protocol}//${host}:${port}`, captureStack()));
      return;
    }
    let server = servers.get(world);
    if (!server) {
      server = new SimHttpServer(world);
      servers.set(world, server);
    }
    req.onSocket(server.connect(protocol, port));
  };
}

/**
 * node:http2: no simulated service speaks HTTP/2, so every session from a world is refused: it is
 * made over a socket that goes nowhere and destroyed with the refusal (its `error` event).
 */
function guardHttp2(): void {
  const realConnect = http2.connect as Any;
  http2.connect = function connect(this: unknown, authority: unknown, ...rest: unknown[]) {
    const scope = anyScope();
    if (!scope) return Reflect.apply(realConnect, this, [authority, ...rest]);
    const error = refusal(scope, "an HTTP/2 session (node:http2)", String(authority instanceof URL ? authority.origin : authority), captureStack());
    const options = rest[0] !== null && typeof rest[0] === "object" ? (rest[0] as Record<string, unknown>) : {};
    const listener = rest.find((a) => typeof a === "function");
    // A socket that stays "connecting" until it fails with the refusal: the session never starts.
    const nowhere = Object.assign(new Duplex({ read() {}, write: (_c, _e, cb) => cb() }), { connecting: true });
    const session = Reflect.apply(realConnect, this, [authority, { ...options, createConnection: () => nowhere }, ...(listener ? [listener] : [])]) as unknown;
    process.nextTick(() => nowhere.destroy(error));
    return session;
  };
}

// ---------------------------------------------------------------------------------------------
// undici: Node's fetch and the npm package share one global dispatcher
// ---------------------------------------------------------------------------------------------

const DISPATCHER = Symbol.for("undici.globalDispatcher.1");
const DISPATCHER_V2 = Symbol.for("undici.globalDispatcher.2");

interface Dispatcher {
  dispatch(opts: Record<string, unknown>, handler: Record<string, unknown>): boolean;
}

/** The dispatchers this module made (so a replaced global dispatcher is noticed and wrapped again). */
const wrappers = new WeakSet<object>();

/**
 * Wraps undici's global dispatcher (Node's fetch and the npm package read the same slot): a
 * dispatch from a world is answered by its services or refused; any other goes to the dispatcher
 * it wraps. Called at install and each time a world starts, so a dispatcher set with undici's
 * `setGlobalDispatcher` after install is wrapped before the next world runs.
 */
export function guardUndici(): void {
  const g = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  if (g[DISPATCHER] === undefined) {
    // Node's bundled undici creates its global dispatcher when fetch is first called.
    void outsideWorld(() => (globalThis.fetch as (u: string) => Promise<unknown>)("data:,").catch(() => undefined));
  }
  const original = g[DISPATCHER];
  if (original === undefined || wrappers.has(original)) return;
  const dispatch = (opts: Record<string, unknown>, handler: Record<string, unknown>): boolean => {
    const scope = anyScope();
    if (!scope) return original.dispatch(opts, handler);
    return simDispatch(scope, opts, handler, captureStack());
  };
  const wrapped = new Proxy(original as object, {
    get(target, key) {
      if (key === "dispatch") return dispatch;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as Any).bind(target) : value;
    },
  });
  wrappers.add(wrapped);
  g[DISPATCHER] = wrapped as Dispatcher;
  if (g[DISPATCHER_V2] !== undefined) g[DISPATCHER_V2] = wrapped as Dispatcher;
}

/** Answers one undici dispatch from the world's services (or refuses it); drives either handler API. */
function simDispatch(scope: WorldScope, opts: Record<string, unknown>, handler: Record<string, unknown>, stack: Error): boolean {
  const call = (name: string, ...args: unknown[]): unknown => (typeof handler[name] === "function" ? (handler[name] as Any).apply(handler, args) : undefined);
  const modern = typeof handler.onRequestStart === "function" || typeof handler.onResponseStart === "function";
  const origin = String(opts.origin ?? "");
  const url = new URL(String(opts.path ?? "/"), origin);
  let failed = false;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    if (modern) call("onResponseError", controller, error);
    else call("onError", error);
  };
  const aborter = new AbortController();
  const abort = (reason?: unknown): void => {
    if (aborter.signal.aborted) return;
    aborter.abort(reason ?? new DOMException("The operation was aborted", "AbortError"));
    fail(aborter.signal.reason);
  };
  const controller = {
    abort,
    pause(): void {},
    resume(): void {},
    get aborted(): boolean {
      return aborter.signal.aborted;
    },
    get paused(): boolean {
      return false;
    },
    get reason(): unknown {
      return aborter.signal.reason as unknown;
    },
  };
  if (modern) call("onRequestStart", controller, {});
  else call("onConnect", abort, {});
  if (aborter.signal.aborted) return true;
  const world = scope.world;
  if (!world.active || !world.hasService(url.hostname)) {
    const error = refusal(scope, "a request (undici)", url.origin, stack);
    queueMicrotask(() => fail(error));
    return true;
  }
  void (async () => {
    const body = await collectBody(opts.body);
    const method = String(opts.method ?? "GET");
    const response = await world.fetch(url, {
      method,
      headers: headerPairs(opts.headers),
      ...(body !== undefined && method !== "GET" && method !== "HEAD" ? { body } : {}),
      signal: aborter.signal,
    });
    if (failed) return;
    const headers: Record<string, string | string[]> = {};
    const raw: Buffer[] = [];
    response.headers.forEach((value, key) => {
      if (key === "set-cookie") return;
      headers[key] = value;
      raw.push(Buffer.from(key), Buffer.from(value));
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    for (const c of cookies) raw.push(Buffer.from("set-cookie"), Buffer.from(c));
    if (modern) call("onResponseStart", controller, response.status, headers, response.statusText);
    else call("onHeaders", response.status, raw, () => undefined, response.statusText);
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (failed) return;
        const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (modern) call("onResponseData", controller, buf);
        else call("onData", buf);
      }
    }
    if (failed) return;
    failed = true;
    if (modern) call("onResponseEnd", controller, {});
    else call("onComplete", []);
  })().catch(fail);
  return true;
}

/** undici's request headers (an object, a flat array or an iterable of pairs) as fetch headers. */
function headerPairs(headers: unknown): [string, string][] {
  const out: [string, string][] = [];
  if (headers === null || headers === undefined) return out;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) for (const [k, v] of headers as [string, string][]) out.push([String(k), String(v)]);
    else for (let i = 0; i + 1 < headers.length; i += 2) out.push([String(headers[i]), String(headers[i + 1])]);
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [k, v] of headers as Iterable<[string, string]>) out.push([String(k), String(v)]);
    return out;
  }
  for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, String(x)]);
    else if (v !== undefined) out.push([k, String(v)]);
  }
  return out;
}

/** undici's request body (a string, bytes, a stream or an async iterable) as bytes. */
async function collectBody(body: unknown): Promise<Uint8Array | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function" || typeof (body as Iterable<unknown>)[Symbol.iterator] === "function") {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<unknown>) chunks.push(typeof c === "string" ? Buffer.from(c) : Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  }
  if (typeof Blob !== "undefined" && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  return Buffer.from(String(body));
}

// ---------------------------------------------------------------------------------------------
// node:dns, node:dgram, node:child_process
// ---------------------------------------------------------------------------------------------

const DNS_FUNCTIONS = [
  "lookup",
  "lookupService",
  "resolve",
  "resolve4",
  "resolve6",
  "resolveAny",
  "resolveCaa",
  "resolveCname",
  "resolveMx",
  "resolveNaptr",
  "resolveNs",
  "resolvePtr",
  "resolveSoa",
  "resolveSrv",
  "resolveTxt",
  "reverse",
];

function guardDns(): void {
  const promises = dns.promises as Record<string, unknown> & { Resolver: { prototype: Record<string, unknown> } };
  for (const [target, style] of [
    [dns, "callback"],
    [dns.Resolver.prototype, "callback"],
    [promises, "promise"],
    [promises.Resolver.prototype, "promise"],
  ] as const) {
    for (const name of DNS_FUNCTIONS) {
      const real = target[name];
      if (typeof real !== "function") continue;
      target[name] = function (this: unknown, ...args: unknown[]) {
        const scope = anyScope();
        if (!scope) return Reflect.apply(real as Any, this, args);
        const host = String(args[0]);
        if (name === "lookup" && scope.world.active && scope.world.hasService(host)) return simLookup(args, style);
        const error = refusal(scope, `a DNS query (node:dns ${name})`, host, captureStack());
        (error as { code?: string; hostname?: string }).code = "ENOTFOUND";
        (error as { hostname?: string }).hostname = host;
        if (style === "promise") return Promise.reject(error);
        const cb = args.findLast((a) => typeof a === "function") as ((e: Error) => void) | undefined;
        if (cb) process.nextTick(cb, error);
        return undefined;
      };
    }
  }
}

/** The address a simulated host resolves to (TEST-NET-2 benchmarking space: routes nowhere real). */
const SIM_ADDRESS = "198.18.0.1";

/** `dns.lookup` of a host a service answers: its simulated address, as the real call answers. */
function simLookup(args: unknown[], style: "callback" | "promise"): unknown {
  const options = args[1];
  const all = options !== null && typeof options === "object" && (options as { all?: boolean }).all === true;
  const answer = all ? [{ address: SIM_ADDRESS, family: 4 }] : { address: SIM_ADDRESS, family: 4 };
  if (style === "promise") return Promise.resolve(answer);
  const cb = args.findLast((a) => typeof a === "function") as ((e: null, a: unknown, f?: number) => void) | undefined;
  if (cb) process.nextTick(() => (all ? cb(null, answer) : cb(null, SIM_ADDRESS, 4)));
  return undefined;
}

function guardDgram(): void {
  const proto = dgram.Socket.prototype;
  for (const name of ["send", "connect"]) {
    const real = proto[name] as Any;
    proto[name] = function (this: { emit(e: string, x: Error): void }, ...args: unknown[]) {
      const scope = anyScope();
      if (!scope) return Reflect.apply(real, this, args);
      const error = refusal(scope, `a UDP ${name} (node:dgram)`, String(args.find((a) => typeof a === "string") ?? "?"), captureStack());
      const cb = args.findLast((a) => typeof a === "function") as ((e: Error) => void) | undefined;
      if (cb) process.nextTick(cb, error);
      else process.nextTick(() => this.emit("error", error));
      return undefined;
    };
  }
}

function guardChildProcess(): void {
  const proto = childProcess.ChildProcess.prototype;
  const realSpawn = proto.spawn as Any;
  proto.spawn = function spawn(this: unknown, ...args: unknown[]) {
    const scope = anyScope();
    if (!scope) return Reflect.apply(realSpawn, this, args);
    throw refusal(scope, "a child process (node:child_process)", String((args[0] as { file?: string } | undefined)?.file ?? "?"), captureStack());
  };
  for (const name of ["spawnSync", "execSync", "execFileSync"]) {
    const real = childProcess[name] as Any;
    childProcess[name] = function (this: unknown, ...args: unknown[]) {
      const scope = anyScope();
      if (!scope) return Reflect.apply(real, this, args);
      throw refusal(scope, "a child process (node:child_process)", String(args[0]), captureStack());
    };
  }
}

/**
 * node:worker_threads: a worker runs on its own event loop, outside the world's async scope, where
 * nothing above could tell its requests from the test runner's; so a world may not start one.
 */
function guardWorkers(): void {
  const RealWorker = workerThreads.Worker as new (...args: unknown[]) => object;
  const Worker = class Worker extends RealWorker {
    constructor(...args: unknown[]) {
      const scope = anyScope();
      if (scope) throw refusal(scope, "a worker thread (node:worker_threads)", String(args[0]), captureStack());
      super(...args);
    }
  };
  workerThreads.Worker = Worker;
}

// ---------------------------------------------------------------------------------------------
// Real timers started by code that outlived its world
// ---------------------------------------------------------------------------------------------

/**
 * A real `Timeout` created from the scope of a world that has ended (its code resumed by real
 * work after teardown, when the globals are real again) is disarmed before it is armed: its
 * callback and repeat are cleared and it no longer keeps the process alive.
 */
function guardDeadTimers(): void {
  createHook({
    init(_id, type, _trigger, resource) {
      if (type !== "Timeout") return;
      const scope = anyScope();
      if (!scope || scope.world.active) return;
      const t = resource as { _onTimeout: unknown; _repeat: unknown; unref?: () => void };
      t._onTimeout = () => undefined;
      t._repeat = null;
      t.unref?.();
      scope.world.refuse(
        new SimulationLeakError(`agentsim: a real timer was started after its simulated world ended${fromUser(captureStack())}; it will never fire`),
      );
    },
  }).enable();
}

// ---------------------------------------------------------------------------------------------
// Real thread-pool work (zlib, crypto) started in a live world
// ---------------------------------------------------------------------------------------------

/** Async resource types of thread-pool jobs that complete with one callback. */
const POOL_JOBS = new Set([
  "PBKDF2REQUEST",
  "SCRYPTREQUEST",
  "RANDOMBYTESREQUEST",
  "RANDOMPRIMEREQUEST",
  "CHECKPRIMEREQUEST",
  "HKDFREQUEST",
  "KEYGENREQUEST",
  "KEYPAIRGENREQUEST",
  "SECRETKEYGENREQUEST",
  "HASHREQUEST",
  "CIPHERREQUEST",
  "SIGNREQUEST",
  "VERIFYREQUEST",
  "DERIVEBITSREQUEST",
  "KEYEXPORTREQUEST",
]);

/** How long real work may take before the world gives up on it and fails the run, in ms. */
export const POOL_WORK_LIMIT_MS = 30_000;

/** The real `setTimeout`, for the bound on real work (the world's own, not user code's). */
const realSetTimeout = globalThis.setTimeout;

/**
 * Thread-pool work started from a live world (a crypto job, a zlib write) holds the kernel: virtual
 * time does not advance until the job's callback has run, so its continuation (say, the agent's next
 * fetch) lands at the same virtual time on every run. A job still running after
 * `POOL_WORK_LIMIT_MS` of real time fails the run, naming the job and where it was started.
 */
function guardThreadPool(): void {
  const pending = new Map<number, () => void>();
  /** zlib writes in flight per handle: each write ends in one callback (one `after`). */
  const writes = new Map<number, number>();
  const start = (scope: WorldScope, id: number, what: string): void => {
    const stack = captureStack();
    let release!: () => void;
    const work = new Promise<void>((resolve) => {
      release = resolve;
    });
    const timer = outsideWorld(() =>
      realSetTimeout(() => {
        // nondeterminism-ok: a bound on real work; reaching it fails the run, it never shapes one
        scope.world.refuse(
          new SimulationLeakError(`agentsim: real thread-pool work (${what}) did not finish within ${POOL_WORK_LIMIT_MS} ms of real time${fromUser(stack)}`),
        );
        done();
      }, POOL_WORK_LIMIT_MS),
    );
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      pending.delete(id);
      release();
    };
    pending.set(id, done);
    scope.world.hold(work);
  };
  createHook({
    init(id, type, _trigger, resource) {
      if (type !== "ZLIB" && !POOL_JOBS.has(type)) return;
      const scope = anyScope();
      if (!scope || !scope.world.active) return;
      if (type !== "ZLIB") {
        start(scope, id, type);
        return;
      }
      // A zlib handle lives as long as its stream; each asynchronous write is one job.
      const handle = resource as { write?: Any };
      const write = handle.write;
      if (typeof write !== "function") return;
      handle.write = function (this: unknown, ...args: unknown[]) {
        const live = anyScope();
        if (live?.world.active) {
          writes.set(id, (writes.get(id) ?? 0) + 1);
          if (!pending.has(id)) start(live, id, "zlib");
        }
        return Reflect.apply(write, this, args);
      } as Any;
    },
    after(id) {
      const inFlight = writes.get(id);
      if (inFlight !== undefined) {
        if (inFlight > 1) {
          writes.set(id, inFlight - 1);
          return;
        }
        writes.delete(id);
      }
      pending.get(id)?.();
    },
  }).enable();
}
