import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toColumns } from './columns.js';
import { defaultDetectOptions, judge } from './index.js';
import type { TargetFacts } from '../model/workload.js';
import { judgeTargets, TargetJudging, type Series } from './targets.js';
import { MIB, T0, makeSeries } from '../../test/support/detect-series.js';

const hours = 8;
const now = T0 + hours * 3600;

const target = (pod: string): TargetFacts => ({
  profile: 'p',
  workload: { kind: 'Deployment', namespace: 'ns', name: 'op', uid: 'u' },
  pod: { name: pod, uid: `uid-${pod}`, startTime: T0 - 3600, ready: true, terminating: false, controlled: true },
  container: 'c',
  image: 'op:v1',
  version: '1',
  limitBytes: pod === 'p1' ? 512 * MIB : null,
  restartCount: 0,
  gitopsOwner: null,
  rollingOut: false,
  unreadyReplicas: 0,
  env: {},
});

/** A series for `pod` (p9 is no target's) growing at `mibPerHour`, with one seed's noise. */
const seriesArb: fc.Arbitrary<Series> = fc
  .record({
    pod: fc.constantFrom('p0', 'p1', 'p2', 'p9'),
    mibPerHour: fc.constantFrom(0, 0.5, 20, 80),
    seed: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ pod, mibPerHour, seed }) => ({
    labels: { namespace: 'ns', pod, container: 'c' },
    samples: toColumns(
      makeSeries({ hours, stepSeconds: 300, floorMiB: (h) => 100 + mibPerHour * h, noiseMiB: 2, seed }),
    ),
  }));

describe('TargetJudging', () => {
  it('judges series handed one at a time, before or after the targets are known, as judgeTargets judges the answer', () => {
    fc.assert(
      fc.property(fc.array(seriesArb, { maxLength: 6 }), fc.nat(), (series, cut) => {
        const targets = ['p0', 'p1', 'p2', 'p3'].map(target);
        const split = cut % (series.length + 1);
        const judging = new TargetJudging(now, defaultDetectOptions);
        series.slice(0, split).forEach((s) => judging.add(s));
        judging.pairWith(targets);
        series.slice(split).forEach((s) => judging.add(s));
        const judged = judging.result();
        expect(judged).toEqual(judgeTargets(targets, series, now, defaultDetectOptions));
        judged.forEach((j) => {
          const mine = series.filter((s) => s.labels.pod === j.facts.pod.name);
          expect(j.seriesCount).toBe(mine.length);
          if (mine.length === 1) {
            const limit = j.facts.limitBytes === null ? {} : { limitBytes: j.facts.limitBytes };
            expect(j.verdict).toEqual(judge({ samples: mine[0]!.samples, now, knownAffected: false, ...limit }));
          }
          if (mine.length === 0) expect(j.verdict.kind).toBe('unknown');
        });
      }),
      { numRuns: 60 },
    );
  });
});
