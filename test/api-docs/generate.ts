/**
 * `npm run docs`: rewrites the generated part of docs/API.md from the exports of every entry
 * point (src/index.ts and src/entry/*.ts) and their doc comments. test/api-docs.test.ts fails when
 * the committed file is out of date.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { API_DOC, readApiDoc, readPackageApi, renderPackageReference, REPO, withReference } from "./api-reference.js";

const apis = readPackageApi(REPO);
writeFileSync(join(REPO, API_DOC), withReference(readApiDoc(REPO), renderPackageReference(apis)));
for (const { entry, entries } of apis) {
  const undocumented = entries.filter((e) => e.doc === "").map((e) => e.name);
  console.log(`${entry.specifier}: ${entries.length} exports${undocumented.length ? `; undocumented: ${undocumented.join(", ")}` : ""}`);
}
