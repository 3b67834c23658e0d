/**
 * `agentsim explain <scenario>`: everything a scenario lets a user change, from its declarations
 * (src/scenarios/params.ts), so parameters can be discovered without reading source: each
 * parameter's `--set` path, type and unit, default, allowed range, the range `check` explores, what
 * it means and where its default comes from; then the invariants, mitigations (with what each
 * addresses), fault kinds and run defaults. The scenario is a catalog name or a scenario file (its
 * values, where they differ from the defaults, are shown beside them).
 */
import { Option, type Command } from "commander";
import { unknownName } from "../config/did-you-mean.js";
import { loadScenarioFile } from "../config/load-scenario-file.js";
import { fitWords, wrap } from "../report/fit-text.js";
import { catalog, findScenario } from "../scenarios/catalog.js";
import { paramLeaves, type Param } from "../scenarios/params.js";
import type { ScenarioDefinition } from "../scenarios/scenario.js";
import { EXIT, reportProblems, terminalWidth, type CliIo } from "./shared.js";

/** One parameter as `explain` describes it. */
export interface ParamInfo {
  /** The path after `params.` (`returns.count`); `--set params.<path>=...` changes it. */
  path: string;
  type: Param["type"];
  /** The unit a value is read in. */
  unit: string;
  default: unknown;
  /** The file's value, when a file was explained and it differs from the default. */
  value?: unknown;
  min?: unknown;
  max?: unknown;
  /** The range `check` and property tests draw from. */
  explore?: readonly [unknown, unknown];
  choices?: readonly string[];
  doc: string;
  source?: string;
}

/** Adds `explain` to the program; `exit` receives the exit code. */
export function registerExplain(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("explain")
    .description("describe a scenario's parameters (default, range, unit, meaning, source), invariants, mitigations and faults")
    .argument("<scenario>", "a catalog scenario's name, or a scenario file (YAML)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `\nExamples:\n  $ agentsim explain double-refund\n  $ agentsim explain scenarios/stampede.yaml\n  $ agentsim explain latency-tail --format json\n\nExit codes: 0 described, 2 no such scenario or a bad file.`,
    )
    .action(async (scenario: string, opts: { format: "text" | "json" }) => exit(await explainCommand(scenario, opts.format, io)));
}

async function explainCommand(ref: string, format: "text" | "json", io: CliIo): Promise<number> {
  let def: ScenarioDefinition | undefined = findScenario(ref);
  let written: Record<string, unknown> | undefined;
  let file: string | undefined;
  if (!def) {
    if (!/\.ya?ml$/i.test(ref)) {
      io.stderr.write(
        `${unknownName(
          "scenario",
          ref,
          catalog.map((s) => s.name),
        )} (or a scenario file, .yaml)\n`,
      );
      return EXIT.usage;
    }
    const loaded = await loadScenarioFile(ref);
    if (!loaded.ok) return reportProblems(loaded.problems, io);
    def = loaded.config.scenario;
    written = loaded.config.params;
    file = ref;
  }
  const params = describeParams(def, written);
  if (format === "json") {
    io.stdout.write(
      JSON.stringify(
        {
          name: def.name,
          title: def.title,
          summary: def.summary,
          ...(file ? { file } : {}),
          params,
          invariants: def.invariants,
          mitigations: def.mitigations,
          faults: def.faults ?? [],
          defaults: def.defaults,
        },
        null,
        2,
      ) + "\n",
    );
    return EXIT.held;
  }
  io.stdout.write(explainText(def, params, terminalWidth(io) ?? 100, file) + "\n");
  return EXIT.held;
}

/** Every parameter of a scenario, in declaration order, with the file's value where it differs. */
export function describeParams(def: ScenarioDefinition, written?: Record<string, unknown>): ParamInfo[] {
  return paramLeaves(def.params).map(({ path, param }) => {
    const o = param.options as { min?: unknown; max?: unknown; explore?: [unknown, unknown]; choices?: readonly string[]; doc: string; source?: string };
    const value = written === undefined ? undefined : valueAt(written, path);
    return {
      path: path.join("."),
      type: param.type,
      unit: unitOf(path.at(-1) ?? "", param),
      default: param.defaultValue,
      ...(value !== undefined && JSON.stringify(value) !== JSON.stringify(param.defaultValue) ? { value } : {}),
      ...(o.min !== undefined ? { min: o.min } : {}),
      ...(o.max !== undefined ? { max: o.max } : {}),
      ...(o.explore ? { explore: o.explore } : {}),
      ...(o.choices ? { choices: o.choices } : {}),
      doc: o.doc,
      ...(o.source !== undefined ? { source: o.source } : {}),
    };
  });
}

/** The unit a parameter's value is read in, from its type (and, for numbers, the `…Usd` naming convention). */
function unitOf(name: string, param: Param): string {
  const usd = /Usd$/.test(name);
  switch (param.type) {
    case "duration":
      return "duration";
    case "probability":
      return "probability";
    case "int":
      return usd ? "USD" : "whole number";
    case "number":
      return usd ? "USD" : "number";
    case "boolean":
      return "true or false";
    case "string":
      return "text";
    case "instant":
      return "UTC instant (2026-03-09T09:00:00Z)";
    case "distribution":
      return param.options.unit === "number" ? `distribution of ${usd ? "USD" : "numbers"}` : "distribution of durations";
  }
}

function valueAt(tree: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = tree;
  for (const k of path) cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** A value as it is written in YAML or after `--set path=`: `20`, `30m`, `{ lognormal: { p50: 8s, p99: 40s } }`. */
function written(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `[${v.map(written).join(", ")}]`;
  return `{ ${Object.entries(v)
    .map(([k, x]) => `${k}: ${written(x)}`)
    .join(", ")} }`;
}

function range(p: ParamInfo): string | undefined {
  if (p.choices) return `one of ${p.choices.join(", ")}`;
  if (p.min === undefined && p.max === undefined) return undefined;
  if (p.max === undefined) return `at least ${written(p.min)}`;
  if (p.min === undefined) return `at most ${written(p.max)}`;
  return `${written(p.min)} … ${written(p.max)}`;
}

/** The text form: one block per parameter, lines fitted to `width`. */
export function explainText(def: ScenarioDefinition, params: readonly ParamInfo[], width: number, file?: string): string {
  const w = Math.max(60, width);
  const out: string[] = [];
  out.push(...wrap(`${def.name} — ${def.title}`, w, "", "  "));
  out.push(...wrap(def.summary, w, "  ", "  "));
  if (file) out.push(`  file: ${file} (its values are shown as "in file")`);
  out.push("", ...wrap(`Parameters (${params.length}): set one with --set params.PATH=VALUE, or under params: in the file`, w, "", "  "));
  out.push(
    ...wrap("Durations are written 200ms, 7.9s, 5m, 1h30m; a distribution as its default is, e.g. { lognormal: { p50: 8s, p99: 40s } }.", w, "  ", "  "),
  );
  for (const p of params) {
    out.push(`  ${p.path}`);
    const facts = [`${p.unit}`, `default ${written(p.default)}`];
    if (p.value !== undefined) facts.push(`in file ${written(p.value)}`);
    const r = range(p);
    if (r) facts.push(r.startsWith("at ") || r.startsWith("one of") ? r : `range ${r}`);
    if (p.explore) facts.push(`explored ${written(p.explore[0])} … ${written(p.explore[1])}`);
    out.push(...wrap(facts.join(" · "), w, "      ", "        "));
    out.push(...wrap(p.doc, w, "      ", "      "));
    if (p.source) out.push(...wrap(`source: ${p.source}`, w, "      ", "        "));
  }
  const named = (title: string, items: readonly { name: string; description: string; addresses?: readonly string[] }[]): void => {
    if (!items.length) return;
    out.push("", title);
    const nw = Math.max(...items.map((i) => i.name.length));
    for (const i of items) {
      const extra = i.addresses ? ` (addresses ${i.addresses.join(", ")})` : "";
      out.push(...wrap(`${i.name.padEnd(nw)}  ${i.description}${extra}`, w, "  ", " ".repeat(nw + 4)));
    }
  };
  named("Invariants", def.invariants);
  named("Mitigations (--mitigate NAME)", def.mitigations);
  named(
    "Fault kinds (faults: in the file)",
    (def.faults ?? []).map((f) => ({ ...f, description: f.targets ? `${f.description}; targets: ${f.targets.join(", ")}` : f.description })),
  );
  const d = def.defaults;
  out.push("", fitWords(`Run defaults: seed ${d.seed}, horizon ${d.horizon}${d.maxEvents !== undefined ? `, at most ${d.maxEvents} events` : ""}`, w));
  const example = params[0];
  if (example) out.push("", "Example:", `  $ agentsim run scenarios/${def.name}.yaml --set params.${example.path}=${shellWord(written(example.default))}`);
  return out.join("\n");
}

function shellWord(s: string): string {
  return /^[\w./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
