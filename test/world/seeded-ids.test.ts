/**
 * Randomness user code reaches comes from the world's seeded streams: node:crypto's randomBytes,
 * randomInt, randomFillSync, randomFill, getRandomValues and randomUUID, Web Crypto's, and the
 * libraries built on them (nanoid 5; uuid v7, which also reads the clock). The same seed gives the
 * same ids and trace hash; another seed, others.
 *
 * nanoid keeps a pool of random bytes and uuid v7 a monotonic counter at module level, so a second
 * world in the same process continues where the first left off, as a second call would in one
 * program. "Same seed, same run" is about the same program: each run here loads a fresh copy of
 * the library (as a fresh process, or `agentsim replay`, would).
 */
import { describe, it, expect } from "vitest";
import crypto, { randomBytes as namedRandomBytes, randomInt as namedRandomInt } from "node:crypto";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { Simulation } from "../../src/sim/simulation.js";
import { runInWorld, type WorldRun } from "../../src/world/run-in-world.js";
import { answerAfter, jsonResponse, type SimService } from "../../src/world/sim-fetch.js";

/** A service that records the ids it is sent in the URL (so they reach the trace). */
function idSink(sim: Simulation): SimService {
  return { host: "ids.sim", handle: () => answerAfter(sim, 10, () => jsonResponse(200, { ok: true })) };
}

const require = createRequire(import.meta.url);
let fresh = 0;

/** A fresh instance of a module file (its own module-level state), as a new process would load it. */
async function load<T>(file: string): Promise<T> {
  return (await import(/* @vite-ignore */ `${pathToFileURL(file).href}?fresh=${++fresh}`)) as T;
}

type Nanoid = typeof import("nanoid");
const nanoidFile = join(dirname(require.resolve("nanoid")), "index.js");
const uuidDir = dirname(require.resolve("uuid"));

async function run<T>(seed: number, agent: () => Promise<T>): Promise<WorldRun<T>> {
  const sim = new Simulation({ seed });
  const r = await runInWorld(sim, agent, { services: [idSink(sim)] });
  expect(r.leaks).toEqual([]);
  expect(r.agent.status, JSON.stringify(r.agent)).toBe("done");
  return r;
}

/**
 * Runs `agent` on seeds 1, 1, 2 (each with what `prepare` loads first, outside the world) and
 * returns the three values, asserting the hashes follow the seed.
 */
async function bySeed<T, L = undefined>(agent: (loaded: L) => Promise<T>, prepare: () => Promise<L> = async () => undefined as L): Promise<[T, T, T]> {
  const once = async (seed: number) => {
    const loaded = await prepare();
    return run(seed, () => agent(loaded));
  };
  const [a, b, c] = [await once(1), await once(1), await once(2)];
  expect(a.traceHash).toBe(b.traceHash);
  expect(c.traceHash).not.toBe(a.traceHash);
  const v = (r: WorldRun<T>) => (r.agent as { value: T }).value;
  return [v(a), v(b), v(c)];
}

/** Sends each id to the sink (its URL is traced), 1 s apart, and returns them. */
async function report(ids: string[]): Promise<string[]> {
  for (const id of ids) {
    await fetch(`https://ids.sim/${encodeURIComponent(id)}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return ids;
}

describe("seeded ids from libraries nobody here wrote", () => {
  it("nanoid 5 (Web Crypto's getRandomValues)", async () => {
    const [a, b, c] = await bySeed(
      async ({ nanoid, customAlphabet }) => report([nanoid(), nanoid(10), customAlphabet("0123456789", 8)()]),
      () => load<Nanoid>(nanoidFile),
    );
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a[0]).toMatch(/^[\w-]{21}$/);
  });

  it("uuid v7 (random bits and the virtual clock) and v4", async () => {
    const [a, b, c] = await bySeed(
      async ({ v7, v4 }) => report([v7(), v7(), v4()]),
      async () => ({
        v7: (await load<{ default: () => string }>(join(uuidDir, "v7.js"))).default,
        v4: (await load<{ default: () => string }>(join(uuidDir, "v4.js"))).default,
      }),
    );
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    // v7's first 48 bits are the virtual Unix ms: the world's epoch, 2026-03-09T08:00:00Z.
    const ms = (u: string) => parseInt(u.replaceAll("-", "").slice(0, 12), 16);
    expect(ms(a[0] as string)).toBe(Date.UTC(2026, 2, 9, 8, 0, 0));
    expect(ms(a[1] as string)).toBe(Date.UTC(2026, 2, 9, 8, 0, 0));
    expect(a[1]! > a[0]!).toBe(true);
  });
});

describe("node:crypto and Web Crypto randomness", () => {
  it("every entry point draws from the seed", async () => {
    const [a, b, c] = await bySeed(async () => {
      const filled = Buffer.alloc(8);
      crypto.randomFillSync(filled, 2, 4);
      const asyncFilled = new Uint8Array(6);
      await promisify(crypto.randomFill)(asyncFilled);
      const ids = [
        crypto.randomBytes(8).toString("hex"),
        namedRandomBytes(4).toString("hex"),
        (await promisify(crypto.randomBytes)(4)).toString("hex"),
        String(crypto.randomInt(1_000_000)),
        String(namedRandomInt(10, 20)),
        String(await new Promise<number>((resolve) => crypto.randomInt(5, (_e, n) => resolve(n)))),
        filled.toString("hex"),
        Buffer.from(asyncFilled).toString("hex"),
        Buffer.from(crypto.getRandomValues(new Uint8Array(4))).toString("hex"),
        crypto.randomUUID(),
        globalThis.crypto.randomUUID(),
        Buffer.from(globalThis.crypto.getRandomValues(new Uint32Array(2)).buffer).toString("hex"),
        crypto.webcrypto.randomUUID(),
        (crypto as unknown as { pseudoRandomBytes: (n: number) => Buffer }).pseudoRandomBytes(4).toString("hex"),
      ];
      return report(ids);
    });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect((a[6] as string).slice(0, 4)).toBe("0000");
    expect((a[6] as string).slice(12)).toBe("0000");
    expect(Number(a[4])).toBeGreaterThanOrEqual(10);
    expect(Number(a[4])).toBeLessThan(20);
  });

  it("keeps node:crypto's argument checks", async () => {
    const r = await run(1, async () => {
      const errors: string[] = [];
      for (const f of [() => crypto.randomInt(5, 5), () => crypto.randomBytes(-1), () => crypto.randomFillSync(Buffer.alloc(2), 3)]) {
        try {
          f();
          errors.push("none");
        } catch (e) {
          errors.push((e as Error).name);
        }
      }
      return errors;
    });
    expect((r.agent as { value: string[] }).value).toEqual(["RangeError", "RangeError", "RangeError"]);
  });

  it("outside a world, node:crypto is real", () => {
    expect(crypto.randomBytes(16).equals(crypto.randomBytes(16))).toBe(false);
  });
});
