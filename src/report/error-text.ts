/** An error as one short line for users: its name and first line of message, never its stack. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n")[0]}`;
  return String(error);
}
