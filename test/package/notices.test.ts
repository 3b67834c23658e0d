/**
 * What the build bundles (tsdown.config.ts, `onlyBundle`) ships with its license: each such package
 * has its section in THIRD-PARTY-NOTICES.md, which the tarball carries, and is a development
 * dependency only (a runtime dependency would be installed beside the copy that is bundled).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const config = readFileSync("tsdown.config.ts", "utf8");
const bundled = JSON.parse(/onlyBundle:\s*(\[[^\]]*\])/.exec(config)?.[1] ?? "[]") as string[];
const notices = readFileSync("THIRD-PARTY-NOTICES.md", "utf8");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  files: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

describe("bundled packages", () => {
  it("are read from the build's configuration", () => {
    expect(bundled).toContain("chalk");
  });

  it.each(bundled)("%s: its license is in THIRD-PARTY-NOTICES.md, and it is a development dependency only", (name) => {
    const version = (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
    expect(notices).toContain(`## ${name} ${version} (`);
    expect(pkg.dependencies?.[name]).toBeUndefined();
    expect(pkg.devDependencies?.[name]).toBe(version);
  });

  it("ship their notices in the package", () => {
    expect(pkg.files).toContain("THIRD-PARTY-NOTICES.md");
  });
});
