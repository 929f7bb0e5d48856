/**
 * The width to fit tables to: the terminal's columns on a terminal, none with --wide, --out or
 * a pipe. Its own module: `irkit queries` needs it without the report's renderers.
 */
export function terminalWidth(wide: boolean | undefined, out: string | undefined): number | undefined {
  if (wide || out !== undefined || !process.stdout.isTTY) return undefined;
  return process.stdout.columns || undefined;
}
