/**
 * `fetch` answered by simulated services: the network of a simulated world.
 *
 * A `SimNetwork` maps hosts to `SimService`s. Its `fetch` has the standard signature (so a real
 * client such as the Anthropic SDK takes it as its `fetch` option, or finds it as the world's
 * global), and:
 * - builds the standard `Request`, traces an `http.request` span (layer `gateway`, actor the
 *   calling agent, parent the event that started it), and hands the request to the service for
 *   its host; the service answers on the kernel's timers with a standard `Response`;
 * - honours the request's `signal`: when it aborts, the fetch rejects at once with the signal's
 *   reason (as Node's fetch does), and the service, like a real server, may go on working;
 * - for a host no service answers, rejects with a `SimulationLeakError` (code
 *   `ERR_AGENTSIM_REFUSED`) naming the host and the user's call site, and reports the leak (the
 *   world fails the run with it): nothing real is ever contacted. The trace records the refusal
 *   without the call site (a file path differs between machines; the trace hash must not).
 */
import type { Simulation } from "../sim/simulation.js";
import { captureStack, fromUser } from "./call-site.js";
import { currentScope } from "./world-context.js";

/** The `code` of a refusal: a request (or connection, DNS query, ...) the world did not let out. */
export const REFUSED_CODE = "ERR_AGENTSIM_REFUSED";

/** Thrown (and reported) when user code reaches for something the simulation cannot answer. */
export class SimulationLeakError extends Error {
  override name = "SimulationLeakError";
}

/** What a service is told about one request besides the request itself. */
export interface Exchange {
  /** The request's number on this network, from 1. */
  readonly id: number;
  /** The trace id of the `http.request` span: the causal parent of the service's work. */
  readonly span: number;
  /** The calling agent's name. */
  readonly caller: string;
  /** The client's abort signal, if it passed one (a server learns of it as a dropped connection). */
  readonly signal: AbortSignal | undefined;
}

/** A simulated server for one host. */
export interface SimService {
  /** The host it answers for, e.g. `api.anthropic.com`. */
  readonly host: string;
  /**
   * Answers one request. The promise must settle from the simulation: from a process's wait, or
   * from a kernel timer that calls `sim.wake()` first (see `answerAfter`), so that the caller's
   * continuation runs at the virtual time of the answer.
   */
  handle(request: Request, exchange: Exchange): Promise<Response>;
}

/** How a simulated network reports a fetch that no service answers. */
export interface SimNetworkOptions {
  /** Told of each leak (a fetch to a host no service answers); the world fails the run. */
  onLeak?: (error: SimulationLeakError) => void;
  /** Whether the network still runs (default always): a fetch after its world ended is refused, not left hanging. */
  isOpen?: () => boolean;
}

/** The hosts of a simulated world and the fetch that reaches them. */
export class SimNetwork {
  readonly #sim: Simulation;
  readonly #services = new Map<string, SimService>();
  readonly #onLeak: ((error: SimulationLeakError) => void) | undefined;
  readonly #isOpen: () => boolean;
  #requests = 0;

  constructor(sim: Simulation, services: readonly SimService[] = [], options: SimNetworkOptions = {}) {
    this.#sim = sim;
    this.#onLeak = options.onLeak;
    this.#isOpen = options.isOpen ?? (() => true);
    for (const s of services) this.add(s);
  }

  /** Requests made so far. */
  get requests(): number {
    return this.#requests;
  }

  /** Hosts with a service. */
  get hosts(): string[] {
    return [...this.#services.keys()];
  }

  /** Adds a service; a host may have only one. */
  add(service: SimService): void {
    const host = service.host.toLowerCase();
    if (this.#services.has(host)) throw new Error(`SimNetwork: host ${host} already has a service`);
    this.#services.set(host, service);
  }

  /** The standard fetch, answered by this network's services. */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    try {
      return this.#fetch(input, init);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  #fetch(input: string | URL | Request, init: RequestInit | undefined): Promise<Response> {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!this.#isOpen()) {
      const error = new SimulationLeakError(
        `agentsim: fetch to ${url.origin} refused: its simulated world has ended (code that outlives its world cannot reach the network)${fromUser(captureStack())}`,
      );
      (error as { code?: string }).code = REFUSED_CODE;
      return Promise.reject(error);
    }
    const service = url.protocol === "http:" || url.protocol === "https:" ? this.#services.get(url.hostname.toLowerCase()) : undefined;
    const scope = currentScope();
    const caller = scope?.actor ?? "fetch";
    const sim = this.#sim;
    if (!service) return Promise.reject(this.#leak(url, caller, scope?.parent));
    const id = ++this.#requests;
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const span = sim.trace.begin({
      actor: caller,
      layer: "gateway",
      kind: "http.request",
      parent: scope?.parent,
      attrs: { method: request.method, url: `${url.origin}${url.pathname}`, requestId: id },
    });
    if (signal?.aborted) {
      sim.trace.end(span, { aborted: reasonName(signal.reason) });
      return Promise.reject(signal.reason);
    }
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        sim.trace.end(span, { aborted: reasonName(signal?.reason) });
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      service.handle(request, { id, span, caller, signal }).then(
        (response) => {
          signal?.removeEventListener("abort", onAbort);
          if (settled) return;
          settled = true;
          sim.trace.end(span, { status: response.status });
          resolve(withUrl(response, request.url));
        },
        (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          if (settled) return;
          settled = true;
          sim.trace.end(span, { error: String(error) });
          reject(error);
        },
      );
    });
  }

  #leak(url: URL, caller: string, parent: number | undefined): SimulationLeakError {
    const where =
      url.protocol === "http:" || url.protocol === "https:"
        ? `no simulated service answers ${url.hostname}`
        : `no simulated service answers ${url.protocol} URLs`;
    const what = `agentsim: fetch to ${url.origin === "null" ? url.href : url.origin} refused: ${where}`;
    const error = new SimulationLeakError(`${what}${fromUser(captureStack())}`);
    (error as { code?: string }).code = REFUSED_CODE;
    this.#sim.trace.instant({ actor: caller, layer: "sim", kind: "world.leak", parent, attrs: { what } });
    this.#onLeak?.(error);
    return error;
  }
}

/**
 * A promise that resolves `value` after `delayMs` of virtual time, waking the kernel so that its
 * continuations run then: how a service answers from a timer.
 */
export function answerAfter<T>(sim: Simulation, delayMs: number, value: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    sim.schedule(delayMs, () => {
      sim.wake();
      try {
        resolve(value());
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** A JSON response with these headers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** The response with its `url` set, as a real fetch's is. */
function withUrl(response: Response, url: string): Response {
  if (response.url === "") Object.defineProperty(response, "url", { value: url });
  return response;
}

function reasonName(reason: unknown): string {
  return reason instanceof Error || reason instanceof DOMException ? reason.name : String(reason);
}
