import { describe, expect, it } from 'vitest';
import { expiryAllowanceMs, judgeLease, longestTermMs } from './lease.js';

const lease = (renewTime: string | undefined, leaseDurationSeconds = 600) => ({
  spec: { holderIdentity: 'a', renewTime: renewTime as never, leaseDurationSeconds },
});
const t0 = Date.parse('2026-11-26T10:00:00Z');

describe('judgeLease (API server clock on both sides)', () => {
  it('keeps a lease renewed within its duration', () => {
    expect(judgeLease(lease('2026-11-26T10:00:00.000000Z'), t0 + 599_000).expired).toBe(false);
  });

  it('keeps it through the allowance that covers Date-header resolution and HA server skew', () => {
    expect(expiryAllowanceMs(600)).toBe(60_000);
    expect(judgeLease(lease('2026-11-26T10:00:00.000000Z'), t0 + 600_000 + 59_000).expired).toBe(false);
  });

  it('expires it after duration plus allowance', () => {
    const judged = judgeLease(lease('2026-11-26T10:00:00.000000Z'), t0 + 600_000 + 61_000);
    expect(judged.expired).toBe(true);
    expect(judged.remainingMs).toBe(-1000);
  });

  it('treats a lease without a renew time as expired', () => {
    expect(judgeLease(lease(undefined), t0).expired).toBe(true);
  });

  it('uses at least 5 s of allowance for short leases', () => {
    expect(expiryAllowanceMs(10)).toBe(5_000);
  });

  it('calls a term longer than our own lock.duration allows invalid: a 68-year lease, a renewTime in the future', () => {
    expect(judgeLease(lease('2026-11-26T10:00:00.000000Z', 2_147_483_647), t0, 600)).toMatchObject({
      expired: false,
      invalid: true,
    });
    expect(judgeLease(lease('2027-11-26T10:00:00.000000Z'), t0, 600)).toMatchObject({ expired: false, invalid: true });
  });

  it('keeps a term just renewed by a server whose clock is a little ahead valid', () => {
    expect(longestTermMs(600)).toBe(720_000);
    expect(judgeLease(lease('2026-11-26T10:00:30.000000Z'), t0, 600)).toMatchObject({ expired: false, invalid: false });
    expect(judgeLease(lease('2026-11-26T10:01:01.000000Z'), t0, 600).invalid).toBe(true);
  });
});
