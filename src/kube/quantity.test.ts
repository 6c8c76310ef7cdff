import { describe, expect, it } from 'vitest';
import { parseQuantityBytes } from './quantity.js';

describe('parseQuantityBytes', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['500M', 500e6],
    ['1G', 1e9],
    ['129e6', 129e6],
    ['128974848', 128974848],
    ['100k', 100_000],
    ['64Ki', 65536],
    ['0.5', 1],
    ['1500m', 2],
  ] as const)('%s → %d bytes', (q, bytes) => {
    expect(parseQuantityBytes(q)).toBe(bytes);
  });

  it.each(['', 'abc', '1Zi', '12 Mi', '-1Gi', 'Mi'])('rejects %j', (q) => {
    expect(parseQuantityBytes(q)).toBeNull();
  });

  it('treats a missing limit as no limit', () => {
    expect(parseQuantityBytes(undefined)).toBeNull();
  });
});
