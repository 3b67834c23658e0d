/**
 * Runs one measurement of a benchmark in a fresh Node.js process: the benchmark's own file, forked
 * with the same flags (so tsx and --expose-gc carry over) and `args`, which tell it what to
 * measure; it sends its result with `process.send`. No engine inherits another's JIT feedback or heap.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The result the child at `benchUrl` (its `import.meta.url`) sends for `args`. */
export function inChild<T>(benchUrl: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    let got: T | undefined;
    const child = fork(fileURLToPath(benchUrl), args, { execArgv: process.execArgv });
    child.on("message", (m) => {
      got = m as T;
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 && got !== undefined ? resolve(got) : reject(new Error(`${args.join(" ")} failed with exit code ${code}`))));
  });
}
