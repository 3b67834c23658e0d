/**
 * `npm run docs`: rewrites the generated part of docs/API.md from the exports of src/index.ts
 * and their doc comments. test/api-docs.test.ts fails when the committed file is out of date.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { API_DOC, readApi, readApiDoc, renderReference, REPO, withReference } from "./api-reference.js";

const entries = readApi(REPO);
writeFileSync(join(REPO, API_DOC), withReference(readApiDoc(REPO), renderReference(entries)));
const undocumented = entries.filter((e) => e.doc === "").map((e) => e.name);
console.log(`${API_DOC}: ${entries.length} exports${undocumented.length ? `; undocumented: ${undocumented.join(", ")}` : ""}`);
