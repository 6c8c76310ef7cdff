import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judge } from './index.js';
import { makeSeries, T0 } from '../../test/support/detect-series.js';

/** A random series: base, linear trend, sawtooth, noise, sometimes a step or a daily cycle. */
const arbitrarySeries = fc
  .record({
    hours: fc.integer({ min: 4, max: 30 }),
    base: fc.integer({ min: 100, max: 1000 }),
    slope: fc.double({ min: -10, max: 80, noNaN: true }),
    cycle: fc.integer({ min: 0, max: 100 }),
    step: fc.integer({ min: 0, max: 150 }),
    sawtooth: fc.integer({ min: 0, max: 150 }),
    noise: fc.integer({ min: 0, max: 30 }),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map((p) => ({
    p,
    samples: makeSeries({
      hours: p.hours,
      floorMiB: (h) =>
        p.base + p.slope * h + p.cycle * Math.sin((2 * Math.PI * h) / 24) + (h > p.hours / 2 ? p.step : 0),
      sawtoothMiB: p.sawtooth,
      noiseMiB: p.noise,
      seed: p.seed,
      stepSeconds: 120,
    }),
  }));

const end = (p: { hours: number }) => T0 + p.hours * 3600;

describe('judge: invariants', () => {
  it('moving the whole series by whole buckets changes nothing but the times', () => {
    fc.assert(
      fc.property(arbitrarySeries, fc.integer({ min: -2000, max: 2000 }), ({ p, samples }, buckets) => {
        const shift = buckets * 900;
        const a = judge({ samples, now: end(p) });
        const b = judge({ samples: samples.map((s) => ({ t: s.t + shift, v: s.v })), now: end(p) + shift });
        expect(b.kind).toBe(a.kind);
        expect(b.slope).toEqual(a.slope);
        expect(b.reasons).toEqual(a.reasons);
        expect(b.evidence.to - a.evidence.to).toBe(shift);
      }),
      { numRuns: 40 },
    );
  });

  it('raising the whole series by a constant never turns a non-leak into a leak', () => {
    // Not an equality: growth relative to the level is one of the proofs, and a higher baseline
    // only makes the same growth relatively smaller. Only a series judged not leaking counts: one
    // judged unknown (the generator can dip below zero, which is garbage data) may become judgeable.
    fc.assert(
      fc.property(arbitrarySeries, fc.integer({ min: 1, max: 2000 }), ({ p, samples }, addMiB) => {
        const before = judge({ samples, now: end(p) });
        const after = judge({ samples: samples.map((s) => ({ t: s.t, v: s.v + addMiB * 1024 * 1024 })), now: end(p) });
        if (before.kind === 'not-leaking') expect(after.kind).not.toBe('leaking');
      }),
      { numRuns: 60 },
    );
  });

  it('any non-finite or negative value in the window makes the verdict unknown', () => {
    fc.assert(
      fc.property(
        arbitrarySeries,
        fc.nat(),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1),
        ({ p, samples }, pick, bad) => {
          const firstInWindow = samples.findIndex((s) => s.t > end(p) - 24 * 3600);
          const i = firstInWindow + (pick % (samples.length - firstInWindow));
          const broken = samples.map((s, j) => (j === i ? { t: s.t, v: bad } : s));
          const verdict = judge({ samples: broken, now: end(p) });
          expect(verdict.kind).toBe('unknown');
          expect(verdict.reasons[0]).toMatch(/not finite/);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a series that never rises is never leaking, whatever the limit', () => {
    fc.assert(
      fc.property(arbitrarySeries, fc.option(fc.integer({ min: 1, max: 4000 })), ({ p, samples }, limitMiB) => {
        let low = Infinity;
        const falling = samples.map((s) => ({ t: s.t, v: (low = Math.min(low, s.v)) }));
        const verdict = judge({
          samples: falling,
          now: end(p),
          limitBytes: limitMiB === null ? undefined : limitMiB * 1024 * 1024,
        });
        expect(verdict.kind).not.toBe('leaking');
      }),
      { numRuns: 40 },
    );
  });

  it('data newer than `now` is ignored', () => {
    fc.assert(
      fc.property(arbitrarySeries, fc.integer({ min: 1, max: 3 }), ({ p, samples }, hoursBack) => {
        const now = end(p) - hoursBack * 3600;
        expect(judge({ samples, now })).toEqual(judge({ samples: samples.filter((s) => s.t <= now), now }));
      }),
      { numRuns: 30 },
    );
  });

  it('the verdict always carries a reason, and a slope interval that holds the slope', () => {
    fc.assert(
      fc.property(arbitrarySeries, ({ p, samples }) => {
        const v = judge({ samples, now: end(p) });
        expect(v.reasons.length).toBeGreaterThan(0);
        if (v.slope) {
          expect(v.slope.low).toBeLessThanOrEqual(v.slope.bytesPerHour);
          expect(v.slope.high).toBeGreaterThanOrEqual(v.slope.bytesPerHour);
        }
        if (v.kind === 'leaking') expect(v.slope).not.toBeNull();
      }),
      { numRuns: 40 },
    );
  });
});
