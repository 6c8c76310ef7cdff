import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, median, selectKth, selectRanks, selectRanksInBuckets, theilSen } from './stats.js';

describe('selectKth', () => {
  it('agrees with sorting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 200 }),
        fc.nat(),
        (values, kSeed) => {
          const k = kSeed % values.length;
          const expected = [...values].sort((a, b) => a - b)[k];
          expect(selectKth([...values], values.length, k)).toBe(expected);
        },
      ),
    );
  });

  it('median of an even count is the mean of the middle pair', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('theilSen', () => {
  const t = Array.from({ length: 40 }, (_, i) => i * 900);

  it('recovers an exact line, per hour, with an interval around it', () => {
    const y = t.map((s) => 1000 + (s / 3600) * 20);
    const fit = theilSen(t, y, 0, t.length)!;
    expect(fit.slope).toBeCloseTo(20, 9);
    expect(fit.low).toBeCloseTo(20, 9);
    expect(fit.high).toBeCloseTo(20, 9);
    expect(fit.intercept).toBeCloseTo(1000, 6);
  });

  it('ignores a quarter of wild outliers where least squares does not', () => {
    const y = t.map((s, i) => 500 + (s / 3600) * 10 + (i % 4 === 0 ? 5000 * ((i % 8) - 3) : 0));
    const fit = theilSen(t, y, 0, t.length)!;
    expect(Math.abs(fit.slope - 10)).toBeLessThan(2);
    expect(Math.abs(leastSquaresSlope(t, y, 0, t.length) - 10)).toBeGreaterThan(10);
  });

  it('interval straddles zero on pure noise and excludes zero on a clear trend', () => {
    const noise = t.map((_, i) => Math.sin(i * 12.9898) * 50);
    const flat = theilSen(t, noise, 0, t.length)!;
    expect(flat.low).toBeLessThan(0);
    expect(flat.high).toBeGreaterThan(0);
    const trend = theilSen(
      t,
      noise.map((v, i) => v + i * 10),
      0,
      t.length,
    )!;
    expect(trend.low).toBeGreaterThan(0);
  });

  it('is unchanged by adding a constant (translation invariance)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 5, maxLength: 30 }),
        fc.integer({ min: -1e6, max: 1e6 }),
        (ys, c) => {
          const ts = ys.map((_, i) => i * 600);
          const a = theilSen(ts, ys, 0, ys.length)!;
          const b = theilSen(
            ts,
            ys.map((v) => v + c),
            0,
            ys.length,
          )!;
          expect(b.slope).toBeCloseTo(a.slope, 6);
          expect(b.low).toBeCloseTo(a.low, 6);
          expect(b.high).toBeCloseTo(a.high, 6);
        },
      ),
    );
  });

  it('needs three points', () => {
    expect(theilSen([0, 1], [1, 2], 0, 2)).toBeNull();
  });

  it('gives the ranks of every pairwise slope, sorted, as Sen defined them (with ties, equal times, 3 to 120 points)', () => {
    /** Sen's estimate the plain way: every pairwise slope with distinct times, sorted, read at its ranks. */
    const bySorting = (ts: readonly number[], ys: readonly number[]) => {
      const n = ts.length;
      const slopes: number[] = [];
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++)
          if (ts[j]! > ts[i]!) slopes.push(((ys[j]! - ys[i]!) / (ts[j]! - ts[i]!)) * 3600);
      if (slopes.length === 0) return null;
      slopes.sort((a, b) => a - b);
      const m = slopes.length;
      const mid = m >> 1;
      const c = 1.959964 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
      const slope = slopes[mid]!;
      const residuals = ys.map((y, i) => y - (slope * (ts[i]! - ts[0]!)) / 3600).sort((a, b) => a - b);
      return {
        slope,
        low: slopes[Math.min(mid, Math.max(0, Math.floor((m - c) / 2) - 1))]!,
        high: slopes[Math.max(mid, Math.min(m - 1, Math.ceil((m + c) / 2)))]!,
        intercept: residuals[n >> 1]!,
        t0: ts[0]!,
      };
    };
    fc.assert(
      fc.property(
        // Few distinct values and steps: many tied slopes and some equal times; up to 7,140 pairs.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -40, max: 40 })), {
          minLength: 3,
          maxLength: 120,
        }),
        fc.integer({ min: 1, max: 2 ** 20 }),
        (points, scale) => {
          let at = 0;
          const ts = points.map(([step]) => (at += step * 300));
          const ys = points.map(([, v], i) => v * scale + i * (scale >> 4));
          expect(theilSen(ts, ys, 0, ts.length)).toEqual(bySorting(ts, ys));
        },
      ),
      { numRuns: 300 },
    );
    // Values past 1e140 or times under a millisecond apart: the pairs' loop tests each pair (a later
    // time, a slope within bounds) and falls back to comparisons; the same ranks.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.double({ min: -1e200, max: 1e200, noNaN: true })), {
          minLength: 34,
          maxLength: 80,
        }),
        fc.constantFrom(1e-4, 300),
        (points, step) => {
          let at = 0;
          const ts = points.map(([k]) => (at += k * step));
          const ys = points.map(([, v]) => (step < 1 ? v / 1e100 : v));
          // −0 and 0 (a slope's underflow keeps its sign) are ties: either may sit at a rank.
          const zeros = (fit: ReturnType<typeof theilSen>) =>
            fit && Object.fromEntries(Object.entries(fit).map(([k, v]) => [k, v + 0]));
          expect(zeros(theilSen(ts, ys, 0, ts.length))).toEqual(zeros(bySorting(ts, ys)));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('selectRanks', () => {
  /** Three ranks r0 ≤ r1 ≤ r2 of n values, from three seeds. */
  const threeRanks = (n: number, seeds: [number, number, number]) =>
    seeds.map((seed) => seed % n).sort((a, b) => a - b) as [number, number, number];
  /** −0 and 0 sort as equals, so either may sit at a rank: compared as numbers. */
  const asNumbers = (values: Iterable<number>) => [...values].map((v) => v + 0);

  it('gives the ranks around the median of a few thousand slopes, as sorting does', () => {
    const values = Float64Array.from({ length: 4560 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const sorted = [...values].sort((a, b) => a - b);
    const out = new Float64Array(3);
    expect(selectRanks(values.slice(), 4560, 1971, 2280, 2589, out)).toBe(true);
    expect([...out]).toEqual([sorted[1971], sorted[2280], sorted[2589]]);
  });

  it('gives any three ranks of any values as sorting does: ties, magnitudes from 1e-300 to 1e150, both signs', () => {
    const value = fc.oneof(
      fc.integer({ min: -50, max: 50 }),
      fc.double({ min: -1e150, max: 1e150, noNaN: true }),
      fc.double({ min: -1e-6, max: 1e-6, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 512, maxLength: 3000 }),
        fc.tuple(fc.nat(), fc.nat(), fc.nat()),
        (values, seeds) => {
          const n = values.length;
          const ranks = threeRanks(n, seeds);
          const sorted = [...values].sort((a, b) => a - b);
          const out = new Float64Array(3);
          // Declines only when its sample cannot bracket the ranks with any width (all it drew equal).
          if (!selectRanks(Float64Array.from(values), n, ...ranks, out)) return;
          expect(asNumbers(out)).toEqual(asNumbers(ranks.map((r) => sorted[r]!)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is exact whatever the bracket: one that misses the ranks, or cuts values at the edge of a bucket', () => {
    // Values at whole buckets and one step of the float on either side of each edge, with brackets
    // that put every edge on them, that hold none of the ranks, or that hold no value at all.
    const edge = fc.tuple(fc.integer({ min: -20, max: 140 }), fc.constantFrom(-1, 0, 1));
    fc.assert(
      fc.property(
        fc.array(edge, { minLength: 1, maxLength: 600 }),
        fc.constantFrom<[number, number]>([-1, 125], [0, 126], [0, 1e-9], [200, 300], [-1e9, -1e8], [1e-140, 2e-140]),
        fc.tuple(fc.nat(), fc.nat(), fc.nat()),
        (edges, [lowest, highest], seeds) => {
          const values = edges.map(([at, step]) =>
            step === 0 ? at : at + step * Number.EPSILON * Math.max(1, Math.abs(at)),
          );
          const n = values.length;
          const ranks = threeRanks(n, seeds);
          const sorted = [...values].sort((a, b) => a - b);
          const out = new Float64Array(3);
          expect(selectRanksInBuckets(Float64Array.from(values), n, lowest, highest, ...ranks, out)).toBe(true);
          expect(asNumbers(out)).toEqual(asNumbers(ranks.map((r) => sorted[r]!)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('declines a bracket of no width, and too few values to pay', () => {
    const out = new Float64Array(3);
    expect(selectRanksInBuckets(new Float64Array(600), 600, 0, 0, 1, 2, 3, out)).toBe(false);
    expect(
      selectRanks(
        Float64Array.from({ length: 100 }, (_, i) => i),
        100,
        1,
        2,
        3,
        out,
      ),
    ).toBe(false);
  });
});
