/**
 * node:http and node:https on a simulated world's network: a request a client makes through an
 * `http.Agent` (axios's default adapter, got, node-fetch, a plain `http.request`) is handed a
 * socket that never touches the operating system. Its other end is an in-process HTTP server (one
 * per world, never listening) whose handler turns the bytes back into a standard `Request`, asks
 * the world's fetch (so the simulated service answers, traced as any fetch is) and writes the
 * `Response` back, chunk by chunk as the service produces it (a streamed body arrives at the
 * virtual times its chunks are produced).
 *
 * The socket looks enough like a connected `net.Socket` for Node's HTTP client and for the
 * libraries' timing code: it is writable and not connecting, has addresses, and its idle timeout
 * (`setTimeout`, what `req.setTimeout` and axios's `timeout` use) runs on the world's virtual
 * timers. The `Date` header, when the service sets none, is the world's virtual now. Nothing here is encrypted: an `https:` request is answered in clear, in process.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Duplex } from "node:stream";
import type { WorldRuntime } from "./world-context.js";
import type { VirtualTimeout } from "./virtual-timers.js";

/** One end of an in-process connection. */
export class SimSocket extends Duplex {
  /** The other end. */
  peer: SimSocket | undefined;
  connecting = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily = "IPv4";
  readonly localAddress = "127.0.0.1";
  readonly localPort: number;
  readonly encrypted: boolean;
  readonly #world: WorldRuntime;
  #idleMs = 0;
  #idle: VirtualTimeout | undefined;

  constructor(world: WorldRuntime, options: { remotePort: number; localPort: number; encrypted: boolean }) {
    super({ allowHalfOpen: true });
    this.#world = world;
    this.remoteAddress = "198.18.0.1"; // what node:dns answers for a simulated host (intercept.ts)
    this.remotePort = options.remotePort;
    this.localPort = options.localPort;
    this.encrypted = options.encrypted;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#touch();
    const peer = this.peer;
    if (peer && !peer.destroyed) {
      peer.#touch();
      peer.push(chunk);
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#idle?.close();
    const peer = this.peer;
    if (peer && !peer.destroyed) peer.destroy();
    callback(error);
  }

  /** Emits `timeout` after `ms` of virtual time without traffic (0 disables), as a socket's idle timeout. */
  setTimeout(ms: number, callback?: () => void /* nondeterminism-ok: net.Socket's API, run on the world's virtual timers */): this {
    if (callback) this.once("timeout", callback);
    this.#idleMs = ms;
    this.#touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  destroySoon(): void {
    this.end();
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: "IPv4", port: this.localPort };
  }

  #touch(): void {
    this.#idle?.close();
    this.#idle = undefined;
    if (this.#idleMs > 0 && !this.destroyed && this.#world.active) {
      this.#idle = this.#world.timers.timeout(() => this.emit("timeout"), this.#idleMs).unref();
    }
  }
}

/** The in-process HTTP server of one world, and the connections it has made. */
export class SimHttpServer {
  readonly #world: WorldRuntime;
  readonly #server: Server;
  readonly #sockets = new Set<SimSocket>();
  #ports = 40_000;

  constructor(world: WorldRuntime) {
    this.#world = world;
    this.#server = createServer((req, res) => void this.#answer(req, res));
    this.#server.keepAliveTimeout = 0;
    this.#server.headersTimeout = 0;
    this.#server.requestTimeout = 0;
  }

  /** A client socket connected to this server, for a request to `protocol//host:port`. */
  connect(protocol: string, port: number): SimSocket {
    const encrypted = protocol === "https:";
    const localPort = this.#ports++;
    const client = new SimSocket(this.#world, { remotePort: port, localPort, encrypted });
    const server = new SimSocket(this.#world, { remotePort: localPort, localPort: port, encrypted });
    client.peer = server;
    server.peer = client;
    for (const s of [client, server]) {
      this.#sockets.add(s);
      s.once("close", () => this.#sockets.delete(s));
    }
    (server as unknown as { encrypted?: boolean }).encrypted = encrypted;
    this.#server.emit("connection", server);
    return client;
  }

  /** Destroys every connection (when the world ends). */
  close(): void {
    for (const s of [...this.#sockets]) s.destroy();
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const encrypted = (req.socket as unknown as { encrypted?: boolean }).encrypted === true;
      const url = `${encrypted ? "https" : "http"}://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
      const headers = new Headers();
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
      const method = req.method ?? "GET";
      const body = chunks.length > 0 && method !== "GET" && method !== "HEAD" ? Buffer.concat(chunks) : undefined;
      const aborted = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) aborted.abort(new DOMException("The client closed the connection", "AbortError"));
      });
      const response = await this.#world.fetch(url, { method, headers, ...(body ? { body } : {}), signal: aborted.signal });
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, key) => {
        if (key !== "set-cookie") out[key] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) out["set-cookie"] = cookies;
      // Node's own Date header reads the real clock (and caches it on a real timer): the world's is virtual.
      res.sendDate = false;
      out.date ??= new Date(this.#world.sim.epochMs + this.#world.sim.now).toUTCString();
      res.writeHead(response.status, response.statusText, out);
      if (response.body) {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (res.destroyed) break;
          res.write(chunk);
        }
      }
      res.end();
    } catch (error) {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
