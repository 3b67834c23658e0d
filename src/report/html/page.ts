/**
 * The document shell every HTML report shares: one file with its stylesheet, its data and its
 * script inline, nothing fetched (a strict Content-Security-Policy says so to the browser too).
 */
import { esc, inlineJson } from "./html.js";
import { PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";

/** What goes in the page. */
export interface PageParts {
  title: string;
  /** The `<main>` content (HTML). */
  body: string;
  /** Hover details of the timeline's events, by event id. */
  details?: Record<string, string[]>;
}

/** The whole document. */
export function htmlPage(parts: PageParts): string {
  return [
    "<!doctype html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="agentsim">`,
    `<title>${esc(parts.title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    "</head>",
    "<body>",
    `<main>${parts.body}</main>`,
    `<div id="tip" class="tip" hidden></div>`,
    `<script type="application/json" id="event-details">${inlineJson(parts.details ?? {})}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
