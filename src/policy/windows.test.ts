import { describe, expect, it } from 'vitest';
import { isInsideAnyWindow, isInsideWindow } from './windows.js';
import type { TimeWindow } from './types.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('isInsideWindow (UTC, Prometheus time)', () => {
  it.each<[string, TimeWindow, string, boolean]>([
    [
      'weekday office hours',
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
      '2026-11-25T09:00:00Z',
      true,
    ],
    ['end is exclusive', { start: '09:00', end: '17:00' }, '2026-11-25T17:00:00Z', false],
    ['wrong day', { days: ['sat', 'sun'], start: '09:00', end: '17:00' }, '2026-11-25T10:00:00Z', false],
    ['overnight, before midnight', { days: ['sat'], start: '22:00', end: '04:00' }, '2026-11-28T23:30:00Z', true],
    [
      'overnight, after midnight belongs to the start day',
      { days: ['sat'], start: '22:00', end: '04:00' },
      '2026-11-29T03:59:00Z',
      true,
    ],
    [
      'overnight, after midnight of another start day',
      { days: ['sat'], start: '22:00', end: '04:00' },
      '2026-11-28T03:00:00Z',
      false,
    ],
    ['start = end is the whole day', { days: ['wed'], start: '00:00', end: '00:00' }, '2026-11-25T23:59:00Z', true],
  ])('%s', (_name, window, iso, expected) => expect(isInsideWindow(at(iso), window)).toBe(expected));

  it('no windows means always; several windows are alternatives', () => {
    expect(isInsideAnyWindow(at('2026-11-25T03:00:00Z'), [])).toBe(true);
    const windows: TimeWindow[] = [
      { start: '01:00', end: '02:00' },
      { start: '02:30', end: '03:30' },
    ];
    expect(isInsideAnyWindow(at('2026-11-25T03:00:00Z'), windows)).toBe(true);
    expect(isInsideAnyWindow(at('2026-11-25T02:15:00Z'), windows)).toBe(false);
  });

  it('rejects a malformed time of day', () => {
    expect(() => isInsideWindow(0, { start: '9:00', end: '17:00' })).toThrow(/HH:MM/);
  });
});
