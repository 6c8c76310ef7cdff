import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildFloor, CEILING_QUANTILE, floorInWindow, trimPartialBuckets } from './floor.js';

/** The ceiling as the detector first defined it: each bucket's samples copied, sorted, nearest rank. */
function ceilingBySorting(v: Float64Array, from: number, to: number): number {
  const sorted = v.slice(from, to).sort();
  return sorted[Math.min(to - from - 1, Math.ceil(CEILING_QUANTILE * (to - from)) - 1)]!;
}

describe('buildFloor', () => {
  it("gives each bucket's minimum and the ceiling a sorted copy of its samples gives", () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom(0, -0, Number.NaN, Infinity, 5 * 2 ** 20),
      fc.double({ noNaN: false }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 12 }),
        (buckets) => {
          // Bucket k holds (900k, 900(k+1)]: its samples a second apart from its start.
          const t = Float64Array.from(buckets.flatMap((b, k) => b.map((_, i) => 900 * k + 1 + i)));
          const v = Float64Array.from(buckets.flat());
          const floor = buildFloor({ t, v }, 0, t.length, 900);
          let from = 0;
          buckets.forEach((b, k) => {
            expect(Object.is(floor.top![k], ceilingBySorting(v, from, from + b.length))).toBe(true);
            from += b.length;
          });
          expect(floor.bucket).toEqual(buckets.map((_, k) => k));
        },
      ),
      // -0 sorts before +0 and NaN last: the nearest rank of these picks +0 and NaN.
      { examples: [[[[0, -0]]], [[[Number.NaN, 7, 3]]], [[[5, 5, 1, 9, 9, 2, 8, 0, 4, 6]]]] },
    );
  });
});

describe('trimPartialBuckets', () => {
  it('leaves out a bucket that holds only a sample or two after a gap: their minimum sits on the GC sawtooth', () => {
    // A sample a minute on a 5-minute sawtooth of 60 MiB over a flat 300 MiB floor, a gap of 20 minutes,
    // then one sample at the top of a tooth (the newest bucket of bench seed 25's wlRolloutFixed pod).
    const MIB = 2 ** 20;
    const t: number[] = [];
    const v: number[] = [];
    for (let s = 60; s <= 2 * 3600; s += 60) {
      t.push(s);
      v.push((300 + 12 * ((s / 60) % 5)) * MIB);
    }
    // Nothing from 2 h to 2.5 h; then one sample, at the top of a tooth.
    t.push(2.5 * 3600);
    v.push(348 * MIB);
    const floor = trimPartialBuckets(
      buildFloor({ t: Float64Array.from(t), v: Float64Array.from(v) }, 0, t.length, 900),
      0,
      2.5 * 3600,
      900,
    );
    expect(Math.max(...floor.v) / MIB).toBe(300);
    expect(floor.bucket.at(-1)).toBe(7);
  });

  it('keeps every bucket when each holds about as many samples as usual, and one sample per bucket', () => {
    const t = Float64Array.from({ length: 40 }, (_, i) => 900 * (i + 1));
    const v = Float64Array.from({ length: 40 }, (_, i) => 1000 + i);
    expect(trimPartialBuckets(buildFloor({ t, v }, 0, 40, 900), 0, 900 * 40, 900).v).toHaveLength(40);
  });
});

describe('floorInWindow', () => {
  it('is the floor trimPartialBuckets leaves of the whole floor, for any samples in the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          // Times on a bucket's end too: it closes that bucket.
          fc.tuple(
            fc.oneof(
              fc.integer({ min: 1, max: 20_000 }),
              fc.integer({ min: 1, max: 22 }).map((k) => 900 * k),
            ),
            fc.integer({ min: 0, max: 1000 }),
          ),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 1800 }),
        fc.integer({ min: 0, max: 1800 }),
        (points, startShift, endShift) => {
          const sorted = points.sort((a, b) => a[0] - b[0]);
          const t = Float64Array.from(sorted, ([s]) => s);
          const v = Float64Array.from(sorted, ([, x]) => x);
          // Every sample inside the window (windowStart, now], which reaches up to two buckets beyond them.
          const windowStart = (t[0] ?? 0) - 0.25 - startShift;
          const now = (t.at(-1) ?? 0) + endShift;
          const samples = { t, v };
          expect(floorInWindow(samples, 0, t.length, windowStart, now, 900)).toEqual(
            trimPartialBuckets(buildFloor(samples, 0, t.length, 900), windowStart, now, 900),
          );
        },
      ),
      // A first bucket the window cuts, closed by a sample on its end; a last one it cuts.
      {
        examples: [
          [
            [
              [17_000, 5],
              [17_100, 3],
              [17_200, 4],
            ],
            0,
            0,
          ],
          [
            [
              [17_000, 5],
              [17_101, 3],
            ],
            1000,
            100,
          ],
        ],
      },
    );
  });
});
