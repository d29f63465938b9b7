/** Fixed-width tables and number formats shared by every benchmark's output. */

export type Cell = string | number;

const NUMERIC = /^([-+]?[\d.,]+(x|%| ms| MiB)?|-|)$/;

/** Prints a table: columns of figures right-aligned, columns of words left-aligned. */
export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => (row[i] ?? '').length)),
  );
  const left = headers.map((_, i) => text.some((row) => !NUMERIC.test(row[i] ?? '')));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (left[i] ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of text) console.log(line(row));
}

/** Milliseconds with precision that suits the size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 1000) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function ratio(numerator: number, denominator: number): string {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return '-';
  return `${(numerator / denominator).toFixed(2)}x`;
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : '-';
}

export function percentChange(from: number, to: number): string {
  if (!Number.isFinite(from) || !Number.isFinite(to) || from === 0) return '-';
  const change = ((to - from) / from) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}
