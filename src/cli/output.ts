/** How results are printed: human text on a terminal, JSON when piped (or as asked with --output). */
import { UsageError } from './errors.js';

export type OutputFormat = 'text' | 'json';

export function chooseOutput(requested: string | undefined, isTty: boolean): OutputFormat {
  if (requested === undefined) return isTty ? 'text' : 'json';
  if (requested === 'text' || requested === 'json') return requested;
  throw new UsageError(`--output: expected text or json, got ${JSON.stringify(requested)}`);
}

/** Pads cells to column widths; the first row is the header. Width counts code points (sparklines). */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length))).join('  '))
    .join('\n');
}
