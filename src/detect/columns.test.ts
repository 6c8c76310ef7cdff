import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortedColumns, toColumns, toSamples, valuesOf } from './columns.js';
import { judge } from './judge.js';
import { makeSeries } from '../../test/support/detect-series.js';
import type { Sample } from './types.js';

describe('sample columns', () => {
  it('round-trips rows through columns, NaN and infinities included', () => {
    const rows: Sample[] = [
      { t: 1, v: 5 },
      { t: 2, v: Number.NaN },
      { t: 3, v: Infinity },
    ];
    expect(toSamples(toColumns(rows))).toEqual(rows);
    expect(Array.from(valuesOf(rows))).toEqual([5, Number.NaN, Infinity]);
  });

  it('sorts unsorted columns by time, keeping each value with its time, and leaves sorted ones as they are', () => {
    const unsorted = toColumns([
      { t: 30, v: 3 },
      { t: 10, v: 1 },
      { t: 20, v: 2 },
    ]);
    expect(toSamples(sortedColumns(unsorted))).toEqual([
      { t: 10, v: 1 },
      { t: 20, v: 2 },
      { t: 30, v: 3 },
    ]);
    const sorted = toColumns([{ t: 1, v: 1 }]);
    expect(sortedColumns(sorted)).toBe(sorted);
  });

  it('the detector gives the same verdict for rows and for columns (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 2 ** 31 }), (mibPerHour, seed) => {
        const rows = makeSeries({
          hours: 30,
          floorMiB: (h) => 300 + mibPerHour * h,
          sawtoothMiB: 20,
          noiseMiB: 4,
          seed,
        });
        const now = rows.at(-1)!.t;
        expect(judge({ samples: toColumns(rows), now })).toEqual(judge({ samples: rows, now }));
      }),
      { numRuns: 25 },
    );
  });
});
