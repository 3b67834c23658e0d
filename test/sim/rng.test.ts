import { describe, it, expect } from "vitest";
import { RandomStream, RngStreams } from "../../src/sim/rng.js";

function draws(stream: RandomStream, n: number): number[] {
  return Array.from({ length: n }, () => stream.next());
}

describe("RngStreams", () => {
  it("gives the same sequence for the same (seed, name), in separate instances", () => {
    const a = draws(new RngStreams(42).stream("worker:1"), 1_000);
    const b = draws(new RngStreams(42).stream("worker:1"), 1_000);
    expect(a).toEqual(b);
  });

  it("returns the same stream object when a name is asked for twice", () => {
    const rngs = new RngStreams(7);
    const s = rngs.stream("llm");
    expect(rngs.stream("llm")).toBe(s);
  });

  it("keeps streams independent: creating and drawing from other streams does not change one stream's draws", () => {
    const alone = draws(new RngStreams(42).stream("tool:refund"), 500);

    const rngs = new RngStreams(42);
    const noisy = rngs.stream("llm");
    draws(noisy, 300);
    const target = rngs.stream("tool:refund");
    const interleaved: number[] = [];
    for (let i = 0; i < 500; i++) {
      interleaved.push(target.next());
      rngs.stream(`extra:${i}`).next(); // a new actor appears every step
      noisy.next();
    }
    expect(interleaved).toEqual(alone);
  });

  it("gives different names different sequences, even names that differ only in the last character", () => {
    const rngs = new RngStreams(42);
    const a = draws(rngs.stream("worker:1"), 100);
    const b = draws(rngs.stream("worker:2"), 100);
    expect(a).not.toEqual(b);
    // Not merely shifted copies of each other either.
    expect(b.filter((x) => a.includes(x)).length).toBe(0);
  });

  it("gives different seeds different sequences for the same name", () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) seen.add(draws(new RngStreams(seed).stream("llm"), 4).join(","));
    expect(seen.size).toBe(50);
  });

  it("draws uniformly in [0, 1): the mean and the decile counts match a uniform law", () => {
    const s = new RngStreams(1).stream("uniformity");
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = s.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      bins[Math.floor(x * 10)]! += 1;
    }
    expect(outside).toBe(0);
    // The mean of n uniforms has sd 1/sqrt(12 n) = 0.00091; 5 sd is 0.0046.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0046);
    // Each decile count is Binomial(n, 0.1): sd = sqrt(n * 0.1 * 0.9) = 95; allow 5 sd.
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(5 * 95);
  });
});

describe("RandomStream helpers", () => {
  it("int(min, max) stays in range, inclusive at both ends", () => {
    const s = new RngStreams(3).stream("int");
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(s.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("nextOpen() is in (0, 1], so it is safe to take a logarithm of", () => {
    const s = new RngStreams(4).stream("open");
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = s.nextOpen();
      if (!(v > 0 && v <= 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it("chance(p) comes up at rate p", () => {
    const s = new RngStreams(5).stream("chance");
    let hits = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) if (s.chance(0.2)) hits++;
    // Binomial sd = sqrt(n p (1-p)) = 89; allow 5 sd.
    expect(Math.abs(hits - n * 0.2)).toBeLessThan(5 * 89);
    expect(s.chance(0)).toBe(false);
    expect(s.chance(1)).toBe(true);
  });

  it("shuffle permutes in place and is reproducible", () => {
    const a = new RngStreams(6).stream("shuffle").shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const b = new RngStreams(6).stream("shuffle").shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("pick draws from the array and rejects an empty one with the stream's name", () => {
    const s = new RngStreams(8).stream("pick");
    const items = ["a", "b", "c"];
    for (let i = 0; i < 100; i++) expect(items).toContain(s.pick(items));
    expect(() => s.pick([])).toThrow("RandomStream(pick).pick: empty array");
  });

  it("hex(n) gives n lowercase hex characters", () => {
    const s = new RngStreams(9).stream("hex");
    expect(s.hex()).toMatch(/^[0-9a-f]{12}$/);
    expect(s.hex(20)).toMatch(/^[0-9a-f]{20}$/);
  });
});
