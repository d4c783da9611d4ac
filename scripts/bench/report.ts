/** Prints benchmark measurements: a readable table for people, JSON lines for machines. */
import type { Measurement } from './types';

/** One JSON object per line, one line per measurement. */
export function jsonLines(measurements: readonly Measurement[]): string {
  return measurements.map((m) => JSON.stringify(m)).join('\n');
}

/** A plain-text table: one row per measurement, one column per figure any measurement has. */
export function table(measurements: readonly Measurement[]): string {
  if (measurements.length === 0) return '(no measurements)';
  const columns = ['bench', ...new Set(measurements.flatMap((m) => Object.keys(m).filter((key) => key !== 'bench')))];
  const cells = measurements.map((m) => columns.map((column) => (m[column] === undefined ? '' : String(m[column]))));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
