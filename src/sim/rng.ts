/**
 * Seeded random streams. Every random draw in a run comes from a stream named for its purpose
 * (`"llm"`, `"tool:refund"`, `"worker:17"`), forked from the run's seed by name, so that adding an
 * actor or a draw in one stream never changes another stream's draws.
 *
 * Generator: seedrandom's `xor128` (about 15x faster than its default ARC4 here; see STACK.md).
 */
import seedrandom from "seedrandom";

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  /** A uniform draw in [0, 1). */
  next(): number;
  /** The stream's name, for traces and errors. */
  readonly name: string;
}

/** A stream with the helpers most draws need. */
export class RandomStream implements Rng {
  readonly name: string;
  readonly #gen: () => number;

  constructor(name: string, seed: string) {
    this.name = name;
    // xor128 seeds from a string by folding its char codes; we hash the label first so that
    // streams whose names differ only at the end still start far apart.
    this.#gen = seedrandom.xor128(mixSeed(seed));
  }

  next(): number {
    return this.#gen();
  }

  /** A uniform draw in (0, 1]: safe to take a logarithm of. */
  nextOpen(): number {
    return 1 - this.#gen();
  }

  /** An integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#gen() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.#gen() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error(`RandomStream(${this.name}).pick: empty array`);
    return items[Math.floor(this.#gen() * items.length)] as T;
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.#gen() * (i + 1));
      const t = items[i] as T;
      items[i] = items[j] as T;
      items[j] = t;
    }
    return items;
  }

  /** A hex id of `chars` characters (for job ids, request ids). */
  hex(chars = 12): string {
    let s = "";
    while (s.length < chars)
      s += Math.floor(this.#gen() * 0x100000000)
        .toString(16)
        .padStart(8, "0");
    return s.slice(0, chars);
  }
}

/** The named streams of one run. Asking twice for a name returns the same stream. */
export class RngStreams {
  readonly seed: number;
  readonly #streams = new Map<string, RandomStream>();

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The stream named `name`, created on first use from (seed, name). */
  stream(name: string): RandomStream {
    let s = this.#streams.get(name);
    if (!s) {
      s = new RandomStream(name, `${this.seed}\u0000${name}`);
      this.#streams.set(name, s);
    }
    return s;
  }
}

/** FNV-1a over the label, spread into a decimal string for seedrandom. */
function mixSeed(label: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ label.length;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  return `${h1 >>> 0}:${h2 >>> 0}:${label}`;
}
