import { describe, expect, it } from 'vitest';
import { formatBytesPerHour, formatHours, formatMiB, sparkline } from './format.js';

const MIB = 1024 * 1024;

describe('formatters', () => {
  it.each([
    [42 * MIB, '42.0 MiB/h'],
    [5.25 * MIB, '5.3 MiB/h'],
    [-1.5 * MIB, '-1.5 MiB/h'],
    [Number.NaN, 'n/a MiB/h'],
  ])('formatBytesPerHour(%d) = %s', (value, text) => {
    expect(formatBytesPerHour(value)).toBe(text);
  });

  it('drops the unit for interval ends', () => {
    expect(formatBytesPerHour(39.1 * MIB, false)).toBe('39.1');
  });

  it.each([
    [0.5, '30 min'],
    [6.24, '6.2 h'],
    [96, '4.0 d'],
    [Number.POSITIVE_INFINITY, 'n/a'],
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
