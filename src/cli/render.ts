/** Human output: verdict tables with sparklines, slopes in MiB/h and time to limit in hours. */
import type { Values } from '../model/units.js';
import type { Verdict } from '../detect/types.js';
import { wrap } from '../model/text.js';
import { formatHours, formatMiBPerHour, sparkline } from '../model/units.js';
import { renderTable } from './output.js';

export interface VerdictRow {
  name: string;
  verdict: Verdict;
  values: Values;
  lastAction?: string;
  /** The open incident's phase and what it waits for (status). */
  incident?: string;
}

export function formatSlope(verdict: Verdict): string {
  if (!verdict.slope) return '—';
  const { bytesPerHour, low, high } = verdict.slope;
  return `${formatMiBPerHour(bytesPerHour)} (${formatMiBPerHour(low, false)}–${formatMiBPerHour(high, false)})`;
}

export function formatTimeToLimit(verdict: Verdict): string {
  if (verdict.hoursToLimit === null) return '—';
  if (verdict.hoursToLimit <= 0) return 'at limit';
  return formatHours(verdict.hoursToLimit);
}

const verdictLabel: Record<Verdict['kind'], string> = { leaking: 'LEAKING', 'not-leaking': 'ok', unknown: 'unknown' };

/** One row per target; the detector's headline on its own indented line below, so rows stay narrow. */
export function renderVerdictTable(rows: readonly VerdictRow[], options: { withAction?: boolean } = {}): string {
  if (rows.length === 0) return 'no series';
  const header = [
    'TARGET',
    'VERDICT',
    'MEMORY',
    'SLOPE (95% CI)',
    'TO LIMIT',
    ...(options.withAction ? ['LAST ACTION'] : []),
  ];
  const body = rows.map((row) => [
    row.name,
    verdictLabel[row.verdict.kind],
    sparkline(row.values.filter(Number.isFinite), 24),
    formatSlope(row.verdict),
    formatTimeToLimit(row.verdict),
    ...(options.withAction ? [row.lastAction ?? '—'] : []),
  ]);
  const [head, ...lines] = renderTable([header, ...body]).split('\n');
  const below = (row: VerdictRow) => [
    ...wrap(row.verdict.reasons[0] ?? '', 112),
    ...(row.incident ? wrap(`incident: ${row.incident}`, 112) : []),
  ];
  return [head, ...lines.flatMap((line, i) => [line, ...below(rows[i]!).map((l) => `    ${l}`)])].join('\n');
}
