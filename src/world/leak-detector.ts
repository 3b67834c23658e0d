/**
 * Catches real time and real I/O started from inside a simulated world.
 *
 * While enabled, an async hook sees every async resource Node creates. One created in the world's
 * scope whose kind is a real timer or real I/O (a `Timeout` from a `setTimeout` captured before
 * the world started, a file read, a socket, a DNS lookup, a child process) is a leak: its
 * completion would arrive on the real clock, outside the simulation's control. Each is reported
 * once, with its kind and the first frame of user code that started it, to `onLeak`.
 *
 * Not reported: promises, microtasks, `process.nextTick` and immediates (they read no time and
 * settle before the kernel advances it), writes (console output changes nothing simulated), HTTP
 * parsers (node:http on a world's network runs over in-process sockets, `sim-socket.ts`) and
 * thread-pool jobs (zlib, crypto: the kernel waits for them, `intercept.ts`). Network connections
 * never get this far: `intercept.ts` refuses them before they open; this is the second line.
 * The origin named is the user's frame (`call-site.ts`), never agentsim's own files.
 */
import { createHook, type AsyncHook } from "node:async_hooks";
import { captureStack, fromUser } from "./call-site.js";
import { anyScope, type WorldRuntime } from "./world-context.js";

/** Async resource types that mean real time or real input, and what to call them. */
const LEAKS: Readonly<Record<string, string>> = {
  Timeout: "a real timer (a setTimeout or setInterval captured before the world started)",
  FSREQCALLBACK: "file-system I/O",
  FSREQPROMISE: "file-system I/O",
  FILEHANDLE: "file-system I/O",
  FSEVENTWRAP: "a file-system watcher",
  STATWATCHER: "a file-system watcher",
  TCPWRAP: "network I/O (a TCP socket)",
  TCPCONNECTWRAP: "network I/O (a TCP connection)",
  TCPSERVERWRAP: "network I/O (a TCP server)",
  TLSWRAP: "network I/O (a TLS socket)",
  PIPECONNECTWRAP: "network I/O (a pipe connection)",
  UDPWRAP: "network I/O (a UDP socket)",
  UDPSENDWRAP: "network I/O (a UDP send)",
  GETADDRINFOREQWRAP: "a DNS lookup",
  GETNAMEINFOREQWRAP: "a DNS lookup",
  QUERYWRAP: "a DNS query",
  PROCESSWRAP: "a child process",
  WORKER: "a worker thread",
  SIGNALWRAP: "a signal handler",
};

/** Watches for leaks from one world while enabled. */
export class LeakDetector {
  readonly #world: WorldRuntime;
  readonly #hook: AsyncHook;
  readonly #seen = new Set<string>();

  /** `onLeak` is told each distinct leak (its description) once. */
  constructor(world: WorldRuntime, onLeak: (what: string) => void) {
    this.#world = world;
    this.#hook = createHook({
      init: (_id, type) => {
        const kind = LEAKS[type];
        if (kind === undefined || anyScope()?.world !== this.#world || !this.#world.active) return;
        const what = `agentsim: ${kind} was started inside the simulation (async resource ${type}${fromUser(captureStack())}); it would complete on the real clock, outside the simulation`;
        if (this.#seen.has(what)) return;
        this.#seen.add(what);
        onLeak(what);
      },
    });
  }

  enable(): void {
    this.#hook.enable();
  }

  disable(): void {
    this.#hook.disable();
  }
}
