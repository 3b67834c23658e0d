/**
 * A sweep's results as a JSON-lines stream on disk (`agentsim sweep --stream file.jsonl`): a
 * header line naming the sweep, then one line per finished seed, each appended and written
 * through to the file as its seed completes, and one `units` line as soon as the metric units are
 * known. A sweep killed at any moment loses at most the seeds in flight (a torn last line is
 * dropped on reading), `--resume` continues from what is on disk, and `merge` reads these files
 * as it reads sweep json reports.
 *
 * ```jsonl
 * {"kind":"agentsim.sweep-stream/1","scenario":"double-refund","file":"…","fileHash":"…","version":"0.1.0","overrides":[],"mitigations":[],"seedSpec":"1..1000","shard":"1/4","checkedDeterminism":false,"invariants":["at-most-once-effect"]}
 * {"units":{"refunds":"count"}}
 * {"seed":1,"verdict":"violated","violated":["at-most-once-effect"],"metrics":{…},"traceHash":"…"}
 * ```
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import type { Metric } from "../scenarios/scenario.js";
import { parseJsonData } from "./json-data.js";
import type { SeedSummary } from "./sweep-summary.js";

/** The `kind` tag of a sweep stream's header line. */
export const STREAM_KIND = "agentsim.sweep-stream/1";

/** The header line: what the sweep runs (a resumed sweep must run the same). */
export interface StreamHeader {
  kind: typeof STREAM_KIND;
  scenario: string;
  file: string;
  /** sha256 of the scenario file's bytes: a changed file is another sweep. */
  fileHash: string;
  version: string;
  overrides: string[];
  mitigations: string[];
  seedSpec: string;
  shard?: string;
  checkedDeterminism: boolean;
  invariants: string[];
}

type Units = Record<string, NonNullable<Metric["unit"]>>;

/** What a stream file holds. */
export interface StreamContents {
  header: StreamHeader;
  results: SeedSummary[];
  units: Units;
  /** Bytes of whole lines (a torn last line, from a kill mid-write, is past this). */
  wholeBytes: number;
}

/** Reads a stream file's text; a torn last line is left out. */
export function parseSweepStream(text: string, name: string): { ok: true; contents: StreamContents } | { ok: false; message: string } {
  const end = text.lastIndexOf("\n") + 1;
  const lines = text.slice(0, end).split("\n");
  lines.pop();
  const first = lines[0];
  if (first === undefined) return { ok: false, message: `${name}: empty: expected a sweep stream written by agentsim sweep --stream` };
  const head = parseJsonData(first);
  if (!head.ok) return { ok: false, message: `${name}:1:${head.col}: ${head.message}` };
  const h = head.value as Partial<StreamHeader> | null;
  if (h === null || typeof h !== "object" || h.kind !== STREAM_KIND)
    return { ok: false, message: `${name}:1:1: expected a sweep stream header ("kind": "${STREAM_KIND}"), as written by agentsim sweep --stream` };
  const results: SeedSummary[] = [];
  let units: Units = {};
  const seen = new Set<number>();
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line === "") continue;
    const r = parseJsonData(line);
    if (!r.ok) return { ok: false, message: `${name}:${i + 1}:${r.col}: ${r.message}` };
    const v = r.value as Partial<SeedSummary> & { units?: Units };
    if (v && typeof v === "object" && v.units && typeof v.units === "object") {
      units = { ...units, ...v.units };
      continue;
    }
    if (
      !v ||
      typeof v !== "object" ||
      typeof v.seed !== "number" ||
      !["held", "violated", "crashed", "error"].includes(String(v.verdict)) ||
      !Array.isArray(v.violated) ||
      typeof v.metrics !== "object"
    ) {
      return { ok: false, message: `${name}:${i + 1}:1: expected a seed's summary ({"seed": …, "verdict": …})` };
    }
    if (seen.has(v.seed)) continue;
    seen.add(v.seed);
    results.push(v as SeedSummary);
  }
  return { ok: true, contents: { header: h as StreamHeader, results, units, wholeBytes: Buffer.byteLength(text.slice(0, end)) } };
}

/** An open stream file, appended to seed by seed. */
export class SweepStreamWriter {
  readonly #fd: number;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Starts a new stream file (replacing any file at `path`) with its header. */
  static create(path: string, header: StreamHeader): SweepStreamWriter {
    const w = new SweepStreamWriter(openSync(path, "w"));
    w.#line(header);
    return w;
  }

  /** Reopens a stream to append to it, after cutting a torn last line. */
  static resume(path: string, wholeBytes: number): SweepStreamWriter {
    const fd = openSync(path, "r+");
    ftruncateSync(fd, wholeBytes);
    closeSync(fd);
    return new SweepStreamWriter(openSync(path, "a"));
  }

  /** Appends one seed's summary (written through to the file before returning). */
  seed(summary: SeedSummary): void {
    this.#line(summary);
  }

  units(units: Units): void {
    this.#line({ units });
  }

  close(): void {
    closeSync(this.#fd);
  }

  #line(value: unknown): void {
    const bytes = Buffer.from(JSON.stringify(value) + "\n", "utf8");
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off, bytes.length - off);
  }
}

/** Reads a stream file from disk. */
export function readSweepStream(path: string): { ok: true; contents: StreamContents } | { ok: false; message: string } {
  return parseSweepStream(readFileSync(path, "utf8"), path);
}
