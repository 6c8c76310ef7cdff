/**
 * The working set as a Mermaid `xychart-beta` line chart for the PR body (GitHub renders Mermaid):
 * one point per hour — the hour's floor, what a leak grows — and the memory limit as a second line.
 */
import { sortedColumns, toColumns, type SampleSeries } from '../detect/columns.js';
import { buildFloor, trimPartialBuckets } from '../detect/floor.js';
import { MIB } from '../model/units.js';

/** More points than this and the chart's labels run together; buckets widen instead. */
const MAX_POINTS = 48;

/** `14:00`, or `11-24 14:00` when an hour would repeat: the axis is a set of categories, so labels must be unique. */
function label(unixSeconds: number, withDay: boolean): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return withDay ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

/** A round axis top a little above `maxMiB`. */
function axisTop(maxMiB: number): number {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(maxMiB, 1))) - 1);
  return Math.ceil((maxMiB * 1.05) / step) * step;
}

/** The fenced ```mermaid block, or null when there are fewer than two points to draw. */
export function memoryChart(samples: SampleSeries, limitBytes: number | null): string | null {
  const columns = sortedColumns(toColumns(samples));
  const n = columns.t.length;
  if (n === 0) return null;
  const spanHours = (columns.t[n - 1]! - columns.t[0]!) / 3600;
  const hoursPerPoint = Math.max(1, Math.ceil(spanHours / MAX_POINTS));
  const bucketSeconds = hoursPerPoint * 3600;
  // An hour the window cuts to less than half has no floor worth drawing.
  const floor = trimPartialBuckets(
    buildFloor(columns, 0, n, bucketSeconds),
    columns.t[0]!,
    columns.t[n - 1]!,
    bucketSeconds,
  );
  if (floor.v.length < 2) return null;
  const points = floor.v.map(mib);
  const hours = floor.bucket.map((k) => label(k * bucketSeconds, false));
  const labels = new Set(hours).size === hours.length ? hours : floor.bucket.map((k) => label(k * bucketSeconds, true));
  const limit = limitBytes !== null && limitBytes > 0 ? mib(limitBytes) : null;
  const top = axisTop(Math.max(...points, limit ?? 0));
  const every = hoursPerPoint === 1 ? 'hourly' : `every ${hoursPerPoint} h`;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "Working set floor, ${every} (MiB, UTC)${limit === null ? '' : '; flat line: memory limit'}"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "MiB" 0 --> ${top}`,
    `  line [${points.join(', ')}]`,
  ];
  if (limit !== null) lines.push(`  line [${points.map(() => limit).join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}
