/**
 * Text that fits a terminal's width without cutting a token: prose wrapped at spaces, a list of
 * words cut to those that fit (`…`), a shell command continued with a backslash between arguments.
 * Widths count visible characters (ANSI colour codes do not count).
 */

/** Visible length: without ANSI colour codes. */
export function visible(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, "").length;
}

/** Prose wrapped at spaces into lines of at most `width`; the first line starts with `first`, the rest with `rest`. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const words = text.split(" ");
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && visible(line) + 1 + visible(w) > width) {
      out.push(line);
      line = rest + w;
    } else line = empty ? line + w : `${line} ${w}`;
    empty = false;
  }
  out.push(line);
  return out;
}

/** The words of `text` that fit in `width`, ending in `…` when some are left out. */
export function fitWords(text: string, width: number): string {
  if (text.length <= width) return text;
  let out = "";
  for (const w of text.split(" ")) {
    if ((out ? out.length + 1 : 0) + w.length + 1 > width) break;
    out = out ? `${out} ${w}` : w;
  }
  return out ? `${out}…` : "";
}

/** A shell command after `lead`, continued with ` \` at argument boundaries when it is wider than `width`. */
export function command(lead: string, cmd: string, width: number, rest: string): string[] {
  if (visible(lead) + cmd.length <= width) return [lead + cmd];
  const args = splitArgs(cmd);
  const out: string[] = [];
  let line = lead;
  let empty = true;
  for (const a of args) {
    if (!empty && visible(line) + 1 + a.length + 2 > width) {
      out.push(`${line} \\`);
      line = rest + a;
    } else line = empty ? line + a : `${line} ${a}`;
    empty = false;
  }
  out.push(line);
  return out;
}

/** Splits a command written by `shellQuote` into its arguments, keeping `--flag value` pairs together. */
function splitArgs(cmd: string): string[] {
  const words = cmd.match(/'(?:[^']|'\\'')*'|\S+/g) ?? [];
  const out: string[] = [];
  for (const w of words) {
    const prev = out.at(-1);
    if (prev !== undefined && /^--[\w-]+$/.test(prev)) out[out.length - 1] = `${prev} ${w}`;
    else out.push(w);
  }
  return out;
}
