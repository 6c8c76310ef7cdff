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
});

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
