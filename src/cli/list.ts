/** `agentsim list`: the built-in scenarios with their invariants and mitigations (text or json). */
import { Option, type Command } from "commander";
import { catalog } from "../scenarios/catalog.js";
import { EXIT, type CliIo } from "./shared.js";

/** Adds `list` to the program; `exit` receives the exit code. */
export function registerList(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command("list")
    .description("list the built-in scenarios with their invariants and mitigations")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .addHelpText(
      "after",
      `\nExamples:\n  $ agentsim list\n  $ agentsim list --format json\n\nEvery parameter of a scenario, with its default, range, unit and source: agentsim explain <scenario>.`,
    )
    .action((opts: { format: "text" | "json" }) => exit(listCommand(opts.format, io)));
}

function listCommand(format: "text" | "json", io: CliIo): number {
  if (format === "json") {
    const entries = catalog.map((s) => ({
      name: s.name,
      title: s.title,
      summary: s.summary,
      invariants: s.invariants,
      mitigations: s.mitigations,
      faults: s.faults ?? [],
      defaults: s.defaults,
    }));
    io.stdout.write(JSON.stringify(entries, null, 2) + "\n");
    return EXIT.held;
  }
  if (!catalog.length) {
    io.stdout.write("No scenarios in the catalog yet. A file can name a module of its own: scenario: ./my-scenario.js\n");
    return EXIT.held;
  }
  const width = Math.max(...catalog.map((s) => s.name.length));
  const lines = catalog.flatMap((s) => [
    `${s.name.padEnd(width)}  ${s.summary}`,
    `${"".padEnd(width)}  invariants:  ${s.invariants.map((i) => i.name).join(", ")}`,
    `${"".padEnd(width)}  mitigations: ${s.mitigations.map((m) => m.name).join(", ")}`,
  ]);
  io.stdout.write(lines.join("\n") + "\n");
  return EXIT.held;
}
