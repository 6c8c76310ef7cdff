import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncate } from './text.js';
import { MIB, formatHours, formatMiB, formatMiBPerHour, sparkline } from './units.js';

describe('formatters', () => {
  it.each([
    [42 * MIB, '42.0 MiB/h'],
    [5.25 * MIB, '5.3 MiB/h'],
    [-1.5 * MIB, '-1.5 MiB/h'],
    // One rounding everywhere: Slack once said "250 MiB/h" where the Event said "250.0 MiB/h".
    [250 * MIB, '250.0 MiB/h'],
    [Number.NaN, 'n/a'],
    [null, 'n/a'],
  ])('formatMiBPerHour(%d) = %s', (value, text) => {
    expect(formatMiBPerHour(value)).toBe(text);
  });

  it('drops the unit for interval ends', () => {
    expect(formatMiBPerHour(39.1 * MIB, false)).toBe('39.1');
  });

  it.each([
    [0.5, '30 min'],
    [6.24, '6.2 h'],
    [96, '4.0 d'],
    [Number.POSITIVE_INFINITY, 'n/a'],
    [null, 'n/a'],
  ])('formatHours(%d) = %s', (hours, text) => {
    expect(formatHours(hours)).toBe(text);
  });

  it('formats MiB', () => {
    expect(formatMiB(512 * MIB)).toBe('512 MiB');
  });
});

describe('sparkline', () => {
  it('maps the range onto the eight bars', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('keeps the peak of each cell when compressing', () => {
    expect(sparkline([0, 0, 0, 9, 0, 0], 2)).toBe('▁█');
  });

  it('is flat for a constant series and blank for no finite values', () => {
    expect(sparkline([3, 3, 3], 3)).toBe('▁▁▁');
    expect(sparkline([Number.NaN, Number.NaN], 2)).toBe('  ');
  });

  it('never returns more cells than values or than asked', () => {
    expect(sparkline([1, 2], 10)).toHaveLength(2);
    expect(sparkline([1, 2, 3, 4], 0)).toBe('');
  });

  it('draws what appending one bar at a time drew, at any width (its scratch grows, long lines come in pieces)', () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, 1e308));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), fc.integer({ min: 0, max: 300 }), (values, width) => {
        expect(sparkline(values, width)).toBe(sparklineOneBarAtATime(values, width));
        expect(sparkline(Float64Array.from(values), width)).toBe(sparklineOneBarAtATime(values, width));
      }),
    );
    const long = Array.from({ length: 9000 }, (_, i) => (i * 7919) % 1000);
    expect(sparkline(long, 9000)).toBe(sparklineOneBarAtATime(long, 9000));
    expect(sparkline([0, 7], 2)).toBe('▁█');
  });
});

/** The sparkline as it was first written (string appends), the reference for the one that builds codes. */
function sparklineOneBarAtATime(values: readonly number[], width: number): string {
  const bars = '▁▂▃▄▅▆▇█';
  const cells = Math.max(0, Math.min(Math.floor(width), values.length));
  if (cells === 0) return '';
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(cells);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  let out = '';
  for (let c = 0; c < cells; c++) {
    const share = values.slice(Math.floor((c * values.length) / cells), Math.floor(((c + 1) * values.length) / cells));
    const cell = Math.max(-Infinity, ...share.filter(Number.isFinite));
    if (cell === -Infinity) out += ' ';
    else {
      const ratio = (cell - lo) / (hi - lo);
      out += bars[Number.isFinite(ratio) ? Math.min(7, Math.floor(ratio * 8)) : 0];
    }
  }
  return out;
}

describe('truncate', () => {
  it('never exceeds the limit and marks the cut', () => {
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
