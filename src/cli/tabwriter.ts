/**
 * Go's text/tabwriter as docker configures it (minwidth 10, tabwidth 1, padding 3, ' '):
 * tab-terminated cells are aligned per column block; a line's last cell is not a column.
 */
export function tabwrite(text: string, minWidth = 10, padding = 3): string {
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[][] = cells.map((c) => new Array<number>(Math.max(c.length - 1, 0)).fill(0));
  formatBlock(cells, widths, 0, 0, cells.length, minWidth, padding);
  const out = cells.map((row, r) =>
    row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat((widths[r]?.[c] ?? 0) - displayWidth(cell)) : cell)).join(''),
  );
  return out.join('\n') + (trailing ? '\n' : '');
}

// Column c of lines [start, end) forms blocks of consecutive lines that have a cell terminated
// at column c; each block gets one width, then the next column is handled within that block.
function formatBlock(cells: string[][], widths: number[][], col: number, start: number, end: number, minWidth: number, padding: number): void {
  let r = start;
  while (r < end) {
    if ((cells[r]?.length ?? 0) - 1 <= col) {
      r++;
      continue;
    }
    const blockStart = r;
    let width = 0;
    while (r < end && (cells[r]?.length ?? 0) - 1 > col) {
      width = Math.max(width, displayWidth(cells[r]?.[col] ?? '') + padding);
      r++;
    }
    width = Math.max(width, minWidth);
    for (let i = blockStart; i < r; i++) {
      const w = widths[i];
      if (w !== undefined) w[col] = width;
    }
    formatBlock(cells, widths, col + 1, blockStart, r, minWidth, padding);
  }
}

function displayWidth(s: string): number {
  return [...s].length;
}
