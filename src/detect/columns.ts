/**
 * Samples as two columns, the form a fleet's history is held in. A `{ t, v }` object costs about
 * 50 bytes on V8's heap (the object and two boxed doubles); a row of two Float64Arrays costs 16,
 * off the heap. 1,000 containers × 24 h at 5 m is 289,000 samples: 4.6 MB instead of ~15 MB.
 */
import type { Values } from '../model/units.js';
import type { Sample } from './types.js';

/** Unix seconds and bytes, row i being one sample. Both columns have the same length. */
export interface SampleColumns {
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** What the detector accepts: rows (files, tests) or columns (the Prometheus client). */
export type SampleSeries = readonly Sample[] | SampleColumns;

export function isColumns(series: SampleSeries): series is SampleColumns {
  return !Array.isArray(series);
}

export function toColumns(series: SampleSeries): SampleColumns {
  if (isColumns(series)) return series;
  const t = new Float64Array(series.length);
  const v = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) {
    t[i] = series[i]!.t;
    v[i] = series[i]!.v;
  }
  return { t, v };
}

export function toSamples(series: SampleSeries): Sample[] {
  if (!isColumns(series)) return [...series];
  return Array.from(series.t, (t, i) => ({ t, v: series.v[i]! }));
}

/** The values alone, in time order (sparklines). */
export function valuesOf(series: SampleSeries): Values {
  return isColumns(series) ? series.v : series.map((s) => s.v);
}

/** The time of the newest sample, or undefined when there is none. */
export function lastTime(series: SampleSeries): number | undefined {
  return isColumns(series) ? series.t.at(-1) : series.at(-1)?.t;
}

/** Columns sorted by time; the input is returned as is when already sorted (the usual case). */
export function sortedColumns(columns: SampleColumns): SampleColumns {
  const { t, v } = columns;
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i++) sorted = t[i - 1]! <= t[i]!;
  if (sorted) return columns;
  const order = Array.from(t.keys()).sort((a, b) => t[a]! - t[b]! || a - b);
  return { t: Float64Array.from(order, (i) => t[i]!), v: Float64Array.from(order, (i) => v[i]!) };
}
