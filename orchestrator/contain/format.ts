/** A plain text table: columns padded, the last column free (it holds the long details). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => (c === header.length - 1 ? 0 : r[c].length))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
