import { describe, expect, it } from 'vitest';
import { tooLateToAct } from './deadline.js';

describe('tooLateToAct', () => {
  const at = (ms: number) => () => ms;
  it("lets an action start before the deadline and within the lock's term", () => {
    expect(
      tooLateToAct({
        signal: new AbortController().signal,
        lockRequestedAtMs: 1000,
        lockSeconds: 600,
        monotonicMs: at(1000 + 599_999),
      }),
    ).toBeNull();
  });

  it('stops it once the deadline has passed', () => {
    expect(
      tooLateToAct({ signal: AbortSignal.abort(), lockRequestedAtMs: 1000, lockSeconds: 600, monotonicMs: at(1001) }),
    ).toBe('the run deadline has passed');
  });

  it('stops it once the lock could have expired, counted from before it was requested, deadline or not', () => {
    expect(tooLateToAct({ lockRequestedAtMs: 1000, lockSeconds: 600, monotonicMs: at(1000 + 600_000) })).toBe(
      'the run lock may have expired',
    );
  });
});
