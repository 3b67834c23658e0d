/**
 * The files `agentsim import` writes: a scenario file a person reads and edits (`NAME.yaml`: the
 * parameters with what was seen, in comments what the incident shows and how each value was
 * inferred) and the module it names (`NAME.workload.mjs`: the workload as data, handed to
 * `incidentScenario`). Edit the YAML to change numbers; edit the module to change the steps or
 * which tools have side effects.
 */
import { stringify } from "yaml";
import { incidentInvariants, incidentParams, type IncidentWorkload } from "../scenarios/incident.js";
import { paramDefaults } from "../scenarios/params.js";
import { SPEND_MULTIPLE, type IncidentFindings } from "./incident-workload.js";

/** The entry point a generated module imports `incidentScenario` from. */
export const SCENARIOS_ENTRY = "agentsim-kit/scenarios";

/** The two files' text. */
export interface ScenarioFiles {
  yaml: string;
  module: string;
}

/** Renders the scenario file and its module; `moduleFile` is the module's file name beside the YAML. */
export function scenarioFiles(workload: IncidentWorkload, findings: IncidentFindings, moduleFile: string, command: string): ScenarioFiles {
  const invariants = incidentInvariants(workload);
  const header = [
    `Imported from ${workload.source} by \`${command}\`.`,
    `${findings.spans} spans, ${findings.genAiSpans} in the GenAI conventions, ${findings.conversations} conversations.`,
    "",
    "What the incident shows:",
    ...showLines(findings),
    "",
    "Invariants judged: " + invariants.map((i) => i.name).join(", "),
    "",
    "How each value was read:",
    ...findings.notes.map((n) => `  - ${n}`),
    ...(Object.keys(findings.unknownAttributes).length
      ? [
          "",
          "Attributes no convention names (kept, with examples):",
          ...Object.entries(findings.unknownAttributes).map(([k, v]) => `  - ${k}: ${v.map((x) => JSON.stringify(x)).join(", ")}`),
        ]
      : []),
    "",
    "Try:",
    `  agentsim run THIS_FILE`,
    `  agentsim check THIS_FILE --runs 300 --out incident.repro.json`,
    ...(Object.values(workload.tools).some((t) => t.sideEffect) ? [`  agentsim run THIS_FILE --mitigate idempotency-keys`] : []),
    ...(workload.cache ? [`  agentsim run THIS_FILE --mitigate single-flight`] : []),
  ];
  const body = stringify(
    {
      scenario: `./${moduleFile}`,
      description: `the incident in ${workload.source}, replayed: ${workload.conversations.count} conversations, tools ${Object.keys(workload.tools).join(", ")}`,
      seed: workload.seed ?? 1,
      params: paramDefaults(incidentParams(workload)),
      mitigations: [],
    },
    { lineWidth: 0, flowCollectionPadding: false },
  );
  const yaml = `${header.map((l) => (l ? `# ${l}` : "#")).join("\n")}\n${flowSamples(body)}`;
  const module = [
    `// The workload of ${workload.source}, as \`agentsim import\` read it; the scenario file beside this one runs it.`,
    "// Parameters (latencies, error rates, the client's timeout and retries) are in the YAML file;",
    "// here: the steps of a conversation, the tools and which of them have side effects.",
    `import { incidentScenario } from "${SCENARIOS_ENTRY}";`,
    "",
    `export default incidentScenario(${JSON.stringify(workload, null, 2)});`,
    "",
  ].join("\n");
  return { yaml, module };
}

/** What the incident shows, a line each. */
function showLines(f: IncidentFindings): string[] {
  const lines = [
    ...f.duplicateEffects.map((d) => `  - ${d.tool} took effect ${d.times} times with the same arguments ${JSON.stringify(d.args)} (${d.conversation})`),
    ...(f.abandonedCalls ? [`  - ${f.abandonedCalls} tool call(s) the client gave up on (timeout or abort) without a successful retry`] : []),
    ...f.overSla.map((o) => `  - ${o.conversation} took ${Math.round(o.ms)} ms, over the SLA`),
    ...(f.cache.writes || f.cache.reads ? [`  - prompt cache: ${f.cache.writes} model call(s) wrote it, ${f.cache.reads} read it`] : []),
    ...(f.cache.mostWritesPerLifetime > 1
      ? [
          `  - ${f.cache.mostWritesPerLifetime} model calls wrote the ${f.cache.prefixTokens ?? "?"}-token prefix within one cache lifetime (a stampede: one write is enough)`,
        ]
      : []),
    ...(f.spend?.worst && f.spend.worst.ratio > SPEND_MULTIPLE
      ? [
          `  - spend spike: $${f.spend.worst.usd.toFixed(2)} in one window from +${Math.round(f.spend.worst.fromMs / 1_000)} s, ${f.spend.worst.ratio.toFixed(1)}x the trailing rate`,
        ]
      : []),
    ...(f.rateLimited ? [`  - ${f.rateLimited} model call(s) answered 429`] : []),
  ];
  return lines.length ? lines : ["  - no duplicate effect, abandoned call, SLA breach, cache stampede or spend spike in the traces"];
}

/** Long lists of samples on one line each, so the file reads as parameters, not as a column of numbers. */
function flowSamples(yaml: string): string {
  return yaml.replace(/samples:\n((?:\s+- .+\n)+)/g, (_m, items: string) => {
    const values = items
      .trim()
      .split("\n")
      .map((l) => l.trim().replace(/^- /, ""));
    return `samples: [${values.join(", ")}]\n`;
  });
}
