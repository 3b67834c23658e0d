/**
 * Writes a whole file atomically: the bytes go to a temporary file beside the target, are flushed
 * to disk, and the temporary file is renamed over the target. A crash, a kill or a full disk
 * leaves either the previous file or the new one, never a truncated file, and the previous file
 * survives any failure. Every file agentsim writes (HTML report, trace, repro, sweep report,
 * merge) goes through here; only a sweep's JSONL stream is appended to instead (see
 * `sweep-stream.ts`).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/** Writes `data` to `path` atomically (temporary file, fsync, rename). Throws the file-system error, the temporary file removed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`); // nondeterminism-ok: the pid only names a temporary file
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o666);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
