/**
 * User text (descriptions, keys, values, file names) made safe for a terminal: control characters
 * (C0 but tab and newline, DEL, C1) are written as escapes (`\x1b`), so that a scenario file
 * cannot move the cursor, recolour or retitle the terminal that prints it.
 */

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with control characters escaped; `oneLine` escapes newlines and tabs too. */
export function escapeControl(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? CONTROL_OR_NEWLINE : CONTROL, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
