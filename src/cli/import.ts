/**
 * `agentsim import TRACES --out scenarios/NAME.yaml`: an incident's OpenTelemetry traces (GenAI
 * conventions, OTLP/JSON) into a scenario file and its workload module, ready for `run`, `check`
 * and `--mitigate`.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { EXIT, collectNames, type CliIo } from "./shared.js";
import { incidentFromSpans, NotGenAiTracesError, SPEND_MULTIPLE, type IncidentFindings } from "../import/incident-workload.js";
import { OtlpFormatError, readOtlpJson } from "../import/otlp-json.js";
import { scenarioFiles } from "../import/scenario-files.js";
import { writeFileAtomic } from "../run/atomic-write.js";
import { runScenario } from "../run/run-scenario.js";
import { incidentScenario, type IncidentWorkload } from "../scenarios/incident.js";
import { parseDuration } from "../sim/duration.js";

interface ImportOptions {
  out: string;
  name?: string;
  sideEffects?: string[];
  sla?: number;
  format: "text" | "json";
}

/** Adds `import` to the program; `exit` receives the exit code. */
export function registerImport(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("import")
    .description("turn an incident's OpenTelemetry traces (GenAI conventions, OTLP/JSON) into a scenario file")
    .argument("<traces>", "OTLP/JSON traces: an OTLP HTTP JSON body, or the Collector's file exporter output (one document per line)")
    .requiredOption("--out <file>", "the scenario file to write (NAME.yaml); its workload module NAME.workload.mjs is written beside it")
    .option("--name <name>", "the scenario's name (default: the --out file's stem)")
    .option("--side-effects <tools>", "tools whose calls have side effects, comma-separated (default: tools whose HTTP method writes)", collectNames)
    .option("--sla <duration>", "an end-to-end SLA per conversation, e.g. 30s: conversations over it are a violation", parseSla)
    .option("--format <format>", "what to print: text, or json (the workload and the findings)", "text")
    .addHelpText(
      "after",
      `
Examples:
  $ agentsim import examples/incident/refund-incident.otlp.jsonl --out incident.yaml --side-effects refund
  $ agentsim run incident.yaml
  $ agentsim check incident.yaml --runs 300 --out incident.repro.json
  $ agentsim run incident.yaml --mitigate idempotency-keys
  $ agentsim import examples/incident/cache-stampede.otlp.json --out stampede.yaml   # a prompt-cache stampede
  $ agentsim run stampede.yaml                                # exits 1
  $ agentsim run stampede.yaml --mitigate single-flight       # exits 0

Exit codes: 0 the files were written, 2 bad input (not OTLP/JSON, no GenAI spans, an unwritable path).`,
    )
    .action(async (traces: string, opts: ImportOptions) => exit(await importCommand(traces, opts, io)));
}

async function importCommand(traces: string, opts: ImportOptions, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(traces, "utf8");
  } catch (e) {
    io.stderr.write(`${traces}: cannot read: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  const stem = basename(opts.out, extname(opts.out));
  const name = opts.name ?? stem;
  let imported: ReturnType<typeof incidentFromSpans>;
  try {
    const spans = readOtlpJson(text);
    imported = incidentFromSpans(spans, {
      name,
      source: basename(traces),
      ...(opts.sideEffects ? { sideEffects: opts.sideEffects } : {}),
      ...(opts.sla !== undefined ? { slaMs: opts.sla } : {}),
    });
  } catch (e) {
    if (e instanceof OtlpFormatError) {
      io.stderr.write(`${traces}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof NotGenAiTracesError) {
      io.stderr.write(`${traces}: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  const { workload, findings } = imported;
  const reproduced = await firstReproducingSeed(workload, findings);
  if (reproduced) workload.seed = reproduced.seed;
  const moduleFile = `${stem}.workload.mjs`;
  const command = [
    "agentsim import",
    traces,
    "--out",
    opts.out,
    ...(opts.sideEffects ? ["--side-effects", opts.sideEffects.join(",")] : []),
    ...(opts.sla !== undefined ? ["--sla", `${opts.sla}ms`] : []),
  ].join(" ");
  const files = scenarioFiles(workload, findings, moduleFile, command);
  const modulePath = join(dirname(opts.out), moduleFile);
  try {
    writeFileAtomic(modulePath, files.module);
    writeFileAtomic(opts.out, files.yaml.replaceAll("THIS_FILE", opts.out));
  } catch (e) {
    io.stderr.write(`${opts.out}: cannot write: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  if (opts.format === "json") {
    io.stdout.write(`${JSON.stringify({ scenario: opts.out, module: modulePath, workload, findings }, null, 2)}\n`);
    return EXIT.held;
  }
  const tools = Object.entries(workload.tools).map(([n, t]) => `${n}${t.sideEffect ? " (side effects)" : ""}`);
  io.stdout.write(
    [
      `wrote ${opts.out} and ${modulePath}`,
      `  ${findings.conversations} conversations over ${Math.round(workload.conversations.windowMs / 1000)} s; model ${workload.model.name}; tools ${tools.join(", ")}`,
      `  client: timeout ${workload.client.timeoutMs} ms, up to ${workload.client.maxAttempts} attempts`,
      ...findings.duplicateEffects.map((d) => `  seen: ${d.tool} took effect ${d.times} times with the same arguments (${d.conversation})`),
      ...(findings.cache.mostWritesPerLifetime > 1
        ? [`  seen: ${findings.cache.mostWritesPerLifetime} model calls wrote the same cached prefix within one cache lifetime (a stampede)`]
        : []),
      ...(findings.spend?.worst && findings.spend.worst.ratio > SPEND_MULTIPLE
        ? [`  seen: a spend spike, ${findings.spend.worst.ratio.toFixed(1)}x the trailing rate`]
        : []),
      reproduced
        ? `  seed ${reproduced.seed} reproduces ${reproduced.invariant} (the first of seeds 1..${SEED_SEARCH}); it is the file's seed`
        : `  no seed of 1..${SEED_SEARCH} reproduces what the traces show with the defaults; \`agentsim check\` searches parameters and faults too`,
      "next:",
      `  agentsim run ${opts.out}`,
      `  agentsim check ${opts.out} --runs 300 --out ${stem}.repro.json`,
      ...(Object.values(workload.tools).some((t) => t.sideEffect) ? [`  agentsim run ${opts.out} --mitigate idempotency-keys`] : []),
      ...(workload.cache ? [`  agentsim run ${opts.out} --mitigate single-flight`] : []),
      "",
    ].join("\n"),
  );
  return EXIT.held;
}

/** Seeds tried at import for a default seed that reproduces the incident. */
const SEED_SEARCH = 50;

/** The first seed whose run breaks an invariant the incident itself broke (duplicate effects, SLA, cache stampede, spend spike), if any. */
async function firstReproducingSeed(workload: IncidentWorkload, findings: IncidentFindings): Promise<{ seed: number; invariant: string } | undefined> {
  const shown = new Set([
    ...findings.duplicateEffects.map((d) => `at-most-once-${d.tool}`),
    ...(findings.overSla.length ? ["e2e-within-sla"] : []),
    ...(findings.cache.mostWritesPerLifetime > 1 ? ["cache-writes-per-expiry"] : []),
    ...((findings.spend?.worst?.ratio ?? 0) > SPEND_MULTIPLE ? ["spend-spike"] : []),
  ]);
  if (shown.size === 0) return undefined;
  const scenario = incidentScenario(workload);
  for (let seed = 1; seed <= SEED_SEARCH; seed++) {
    const result = await runScenario({ scenario, seed });
    const hit = result.violations.find((v) => shown.has(v.invariant));
    if (hit) return { seed, invariant: hit.invariant };
  }
  return undefined;
}

function parseSla(value: string): number {
  try {
    return parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
