import { describe, expect, it } from 'vitest';
import { parseDurationSeconds, parseRateBytesPerHour, parseSizeBytes } from './units.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['24h', 86_400],
    ['15m', 900],
    ['90s', 90],
    ['1h30m', 5400],
    ['2d', 172_800],
    ['0.5h', 1800],
    ['500ms', 0.5],
  ])('%s → %d s', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(['5x', '', 'h', '10', '1h 30m', '-5m', '1h30'])('rejects %j', (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });
});

describe('parseSizeBytes', () => {
  it.each([
    ['512MiB', 512 * 2 ** 20],
    ['512Mi', 512 * 2 ** 20],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['400MB', 400e6],
    ['1024', 1024],
  ])('%s', (text, bytes) => expect(parseSizeBytes(text)).toBe(bytes));

  it.each(['5XB', 'MiB', '-1Mi', '1e3'])('rejects %j', (text) => expect(parseSizeBytes(text)).toBeNull());
});

describe('parseRateBytesPerHour', () => {
  it('reads MiB per hour', () => expect(parseRateBytesPerHour('5MiB/h')).toBe(5 * 2 ** 20));
  it('converts per-minute rates', () => expect(parseRateBytesPerHour('1MiB/m')).toBe(60 * 2 ** 20));
  it.each(['5MiB', '5MiB/x', '/h', 'fast'])('rejects %j', (text) => expect(parseRateBytesPerHour(text)).toBeNull());
});
