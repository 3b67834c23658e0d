import { describe, expect, it } from "vitest";
import { lostUpdates, type CommittedUpdate } from "../../src/checks/lost-updates.js";

/** An update by `process` that read version `read` and wrote version `wrote`. */
function u(process: string, read: number, wrote: number, delta = -1): CommittedUpdate {
  return { process, label: `${process}@v${wrote}`, delta, readVersion: read, writtenVersion: wrote, value: 0, returnedAt: wrote * 1_000, eventId: wrote };
}

describe("lostUpdates", () => {
  it("finds nothing when every write read the version just before its own (compare-and-set)", () => {
    expect(lostUpdates([u("a", 0, 1), u("b", 1, 2), u("a", 2, 3)])).toEqual([]);
  });

  it("a write computed from an old version overwrites every version it jumped over", () => {
    // a and b both read v0; a writes v1, b writes v2 from v0: a's update is gone.
    const a = u("a", 0, 1);
    const b = u("b", 0, 2);
    expect(lostUpdates([a, b])).toEqual([{ lost: a, overwrittenBy: b }]);
  });

  it("names the first write that overwrote each lost version", () => {
    // a, b and c all read v0: b overwrites a's v1, then c overwrites b's v2 (and a's v1 a second time).
    const [a, b, c] = [u("a", 0, 1), u("b", 0, 2), u("c", 0, 3)];
    expect(lostUpdates([a, b, c])).toEqual([
      { lost: a, overwrittenBy: b },
      { lost: b, overwrittenBy: c },
    ]);
  });

  it("a write that read a lost version is lost too when a later write jumps over it", () => {
    // v1 (a, from v0), v2 (b, from v0: loses v1), v3 (c, from v1: reads a lost version), v4 (a, from v2: loses v3).
    const ups = [u("a", 0, 1), u("b", 0, 2), u("c", 1, 3), u("a", 2, 4)];
    const lost = lostUpdates(ups);
    expect(lost.map((l) => [l.lost.writtenVersion, l.overwrittenBy.writtenVersion])).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("the surviving chain's deltas are exactly what the final value holds", () => {
    const ups = [u("a", 0, 1, -2), u("b", 0, 2, -3), u("c", 2, 3, -1), u("d", 2, 4, -5), u("a", 4, 5, -1)];
    const lost = new Set(lostUpdates(ups).map((l) => l.lost));
    const surviving = ups.filter((x) => !lost.has(x)).reduce((s, x) => s + x.delta, 0);
    // Chain back from v5: v5 <- v4 <- v2 <- v0, so -1 - 5 - 3 survive; v1 and v3 are lost.
    expect(surviving).toBe(-9);
    expect([...lost].map((x) => x.writtenVersion).sort()).toEqual([1, 3]);
  });
});
