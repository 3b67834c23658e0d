/**
 * Suggestions for misspelt names: the closest valid name by edit distance, when it is close enough
 * to be what the user meant (`mitigation` -> `mitigations`, `horizn` -> `horizon`).
 */

/** The valid name closest to `input`, or undefined when none is plausibly meant. */
export function didYouMean(input: string, valid: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of valid) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(1, Math.floor(input.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** `unknown X "y" [where]; did you mean "z"? expected one of: a, b, c` in one clause. */
export function unknownName(what: string, input: string, valid: readonly string[], where?: string): string {
  const guess = didYouMean(input, valid);
  const hint = guess ? `; did you mean "${guess}"?` : ";";
  const expected = valid.length ? `expected one of: ${valid.join(", ")}` : `there are none`;
  return `unknown ${what} "${input}"${where ? ` ${where}` : ""}${hint} ${expected}`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}
