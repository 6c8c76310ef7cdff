import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leastSquaresSlope, median, selectKth, theilSen } from './stats.js';

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
});
