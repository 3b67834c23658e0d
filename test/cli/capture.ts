/** Runs `main` in-process with captured output streams. */
import { main, type CliIo } from "../../src/cli.js";

/** What one invocation printed and returned. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Calls `main(argv)` with string-capturing streams (not a terminal, colour off unless `tty`). */
export async function cli(argv: string[], options: { tty?: boolean; env?: Record<string, string | undefined> } = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
