import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bandAround, leastSquaresSlope, median, selectKth, theilSen } from './stats.js';

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
  });
});

describe('bandAround', () => {
  it('finds the band of a few thousand slopes around their median, well under half of them', () => {
    const values = Float64Array.from({ length: 4560 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
    const sorted = [...values].sort((a, b) => a - b);
    const band = bandAround(values.slice(), 4560, 1971, 2589)!;
    expect(band.count).toBeLessThan(0.4 * 4560);
    const inside = [...band.values.subarray(0, band.count)].sort((a, b) => a - b);
    expect([inside[1971 - band.below], inside[2280 - band.below], inside[2589 - band.below]]).toEqual([
      sorted[1971],
      sorted[2280],
      sorted[2589],
    ]);
  });

  it('holds every value between those ranked fromRank and toRank, and counts those below', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1024, maxLength: 3000 }),
        fc.nat(),
        fc.nat({ max: 400 }),
        (values, at, width) => {
          const n = values.length;
          const fromRank = at % n;
          const toRank = Math.min(n - 1, fromRank + width);
          const sorted = [...values].sort((a, b) => a - b);
          const band = bandAround(Float64Array.from(values), n, fromRank, toRank);
          if (band === null) return; // the sample missed: theilSen then selects among all
          const inside = [...band.values.subarray(0, band.count)].sort((a, b) => a - b);
          for (let r = fromRank; r <= toRank; r++) expect(inside[r - band.below]).toBe(sorted[r]);
          expect(sorted.slice(0, band.below).every((v) => v <= inside[0]!)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
