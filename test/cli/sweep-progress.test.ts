/** The sweep's progress bar: drawn on a terminal only, one rewritten line, cleared at the end. */
import { describe, expect, it } from "vitest";
import { progressBar, progressLine } from "../../src/cli/progress.js";

describe("progress bar", () => {
  it("says how far, how fast and how long to go", () => {
    expect(progressLine("sweep", "seeds", 250, 1000, 5)).toBe(`sweep [${"█".repeat(6)}${"░".repeat(18)}]  250/1,000 seeds  25%  50/s  ETA 15s`);
    expect(progressLine("sweep", "seeds", 1000, 1000, 10)).toBe(`sweep [${"█".repeat(24)}]  1,000/1,000 seeds  100%  100/s  ETA 0s`);
    expect(progressLine("sweep", "seeds", 0, 10, 0)).toBe(`sweep [${"░".repeat(24)}]  0/10 seeds  0%  0/s`);
  });

  it("writes nothing when the stream is not a terminal", () => {
    let written = "";
    const bar = progressBar({ write: (s: string) => (written += s), isTTY: false }, "sweep", "seeds");
    bar.update(5, 10);
    bar.update(10, 10);
    expect(bar.finish()).toBeGreaterThanOrEqual(0);
    expect(written).toBe("");
  });

  it("on a terminal, rewrites one line and clears it when done", () => {
    const writes: string[] = [];
    const bar = progressBar({ write: (s: string) => writes.push(s), isTTY: true }, "sweep", "seeds");
    bar.update(10, 10);
    bar.finish();
    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^\r\x1b\[Ksweep \[█{24}\] {2}10\/10 seeds {2}100%/);
    expect(writes[1]).toBe("\r\x1b[K");
  });
});
