/** Writes a file whole or not at all: to a temporary file beside it, then renamed over it. */
import { rename, rm, writeFile } from "node:fs/promises";

export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
