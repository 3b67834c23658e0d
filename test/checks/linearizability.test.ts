import { describe, expect, it } from "vitest";
import { checkLinearizable, counterModel, linearizable, registerModel, type HistoryOp } from "../../src/checks/linearizability.js";

function op<I, O>(process: string, invokedAt: number, returnedAt: number, input: I, output: O, eventId: number): HistoryOp<I, O> {
  return { process, invokedAt, returnedAt, input, output, eventId };
}

describe("linearizability", () => {
  it("accepts concurrent register ops that some real-time order explains", () => {
    const h = [
      op("A", 0, 10, { op: "write" as const, value: 1 }, { ok: true }, 1),
      op("B", 5, 15, { op: "read" as const }, { ok: true, value: 0 }, 2), // overlaps the write: may see the old value
      op("C", 20, 25, { op: "read" as const }, { ok: true, value: 1 }, 3),
    ];
    expect(checkLinearizable(h, registerModel({ value: 0, version: 0 })).linearizable).toBe(true);
  });

  it("rejects a stale read after a write returned", () => {
    const h = [op("A", 0, 10, { op: "write" as const, value: 1 }, { ok: true }, 1), op("B", 11, 15, { op: "read" as const }, { ok: true, value: 0 }, 2)];
    const r = checkLinearizable(h, registerModel({ value: 0, version: 0 }));
    expect(r).toMatchObject({ linearizable: false, culprit: 1, failedAt: 15 });
  });

  it("compare-and-set: a stale version must be rejected", () => {
    const model = registerModel({ value: 100, version: 1 });
    const ok = [
      op("A", 0, 5, { op: "cas" as const, expectedVersion: 1, value: 90 }, { ok: true, version: 2 }, 1),
      op("B", 6, 9, { op: "cas" as const, expectedVersion: 1, value: 95 }, { ok: false }, 2),
    ];
    expect(checkLinearizable(ok, model).linearizable).toBe(true);
    const wrong = [ok[0]!, op("B", 6, 9, { op: "cas" as const, expectedVersion: 1, value: 95 }, { ok: true, version: 3 }, 2)];
    expect(checkLinearizable(wrong, model).linearizable).toBe(false);
  });

  it("read-modify-write updates that overlap lose an update", () => {
    // Two agents each read 100 and write back their own result: the final 95 fits no serial order.
    const h = [
      op("A", 0, 30, { op: "update" as const, delta: -10 }, { result: 90 }, 1),
      op("B", 10, 40, { op: "update" as const, delta: -5 }, { result: 95 }, 2),
      op("audit", 50, 51, { op: "read" as const }, { result: 95 }, 3),
    ];
    const v = linearizable(h, counterModel(100), { invariant: "no-lost-updates", object: "inventory" });
    expect(v.held).toBe(false);
    expect(v.violations[0]?.message).toContain("B applied -5 and left 95");
    const serial = [
      op("A", 0, 30, { op: "update" as const, delta: -10 }, { result: 90 }, 1),
      op("B", 31, 40, { op: "update" as const, delta: -5 }, { result: 85 }, 2),
    ];
    expect(linearizable(serial, counterModel(100)).held).toBe(true);
  });
});
