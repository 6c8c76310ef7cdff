import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHours, formatMiBPerHour, sparkline, truncate } from './format.js';

describe('format', () => {
  it.each([
    [12.34 * 1048576, '12.3 MiB/h'],
    [250 * 1048576, '250 MiB/h'],
    [null, 'n/a'],
    [Number.NaN, 'n/a'],
  ])('formatMiBPerHour(%s) = %s', (v, s) => expect(formatMiBPerHour(v)).toBe(s));

  it.each([
    [0.5, '30 min'],
    [18.46, '18.5 h'],
    [72, '3.0 d'],
    [null, 'n/a'],
  ])('formatHours(%s) = %s', (v, s) => expect(formatHours(v)).toBe(s));

  it('sparkline rises with a rising series and spans the full range', () => {
    const s = sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8);
    expect(s).toBe('▁▂▃▄▅▆▇█');
  });

  it('sparkline: length is min(width, n), gaps are spaces', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: false })), fc.integer({ min: 1, max: 60 }), (vals, w) => {
        const s = sparkline(vals, w);
        expect(Array.from(s).length).toBe(vals.length === 0 ? 0 : Math.min(w, vals.length));
      }),
    );
    expect(sparkline([1, Number.NaN, 3], 3)).toBe('▁ █');
  });

  it('truncate never exceeds the limit and marks the cut', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 50 }), (s, max) => {
        const t = truncate(s, max);
        expect(Array.from(t).length).toBeLessThanOrEqual(max);
        if (Array.from(s).length > max) expect(t.endsWith('…')).toBe(true);
        else expect(t).toBe(s);
      }),
    );
  });
});
