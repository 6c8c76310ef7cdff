import { describe, expect, it } from 'vitest';
import { CORPUS_START_SECONDS, fromQueryRange, generateCorpus, toQueryRange } from './corpus.js';
import { fieldLookAlikes, firstDayLookAlikes, leaks, lookAlikes } from './families.js';
import { derivAlertFiresAt } from './promql-deriv.js';
import { generateWorkloads } from './workloads.js';
import { backtestSeries, defaultDetectOptions, pastsOfSeries, workloadOfPod } from '../../src/detect/index.js';

describe('corpus', () => {
  const corpus = generateCorpus({ seed: 3, perFamily: 1, hours: 72 });

  it('covers every family, leaks with an onset and look-alikes without', () => {
    expect(corpus.map((s) => s.truth.family).sort()).toEqual(
      [
        ...Object.keys(leaks),
        ...Object.keys(lookAlikes),
        ...Object.keys(fieldLookAlikes),
        ...Object.keys(firstDayLookAlikes),
      ].sort(),
    );
    for (const s of corpus) {
      expect(s.truth.leak).toBe(s.truth.family in leaks);
      if (s.truth.leak) expect(s.truth.onset).toBeGreaterThanOrEqual(CORPUS_START_SECONDS);
      else expect(s.truth.onset).toBeNull();
    }
  });

  it('is 72 h at 60 s, with only scrape gaps missing', () => {
    for (const s of corpus) {
      expect(s.samples.length).toBeGreaterThan(4000);
      expect(s.samples.length).toBeLessThanOrEqual(72 * 60 + 1);
      expect(s.samples.every((p, i) => i === 0 || (p.t - s.samples[i - 1]!.t) % 60 === 0)).toBe(true);
    }
  });

  it('is the same for the same seed and different for another', () => {
    const again = generateCorpus({ seed: 3, perFamily: 1, hours: 72 });
    expect(again.map((s) => s.samples.slice(0, 50))).toEqual(corpus.map((s) => s.samples.slice(0, 50)));
    const other = generateCorpus({ seed: 4, perFamily: 1, hours: 72 });
    expect(other[0]!.samples.slice(0, 50)).not.toEqual(corpus[0]!.samples.slice(0, 50));
  });

  it('round-trips through the Prometheus query_range format', () => {
    const body = JSON.parse(JSON.stringify(toQueryRange(corpus.slice(0, 2)))) as {
      status: string;
      data: { resultType: string; result: { values: unknown[][] }[] };
    };
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    expect(typeof body.data.result[0]!.values[0]![1]).toBe('string');
    const parsed = fromQueryRange(body);
    expect(parsed.map((p) => p.samples)).toEqual(corpus.slice(0, 2).map((s) => s.samples));
    expect(parsed[0]!.labels).toEqual(corpus[0]!.labels);
  });
});

describe('PromQL deriv baseline', () => {
  const line = (mibPerHour: number) =>
    Array.from({ length: 600 }, (_, i) => ({
      t: CORPUS_START_SECONDS + i * 60,
      v: (300 + (mibPerHour * i) / 60) * 1024 * 1024,
    }));

  it('fires once the slope has stayed above the threshold for the `for` duration', () => {
    const firesAt = derivAlertFiresAt(line(10), {
      rangeSeconds: 3600,
      thresholdBytesPerHour: 5 * 1024 * 1024,
      forSeconds: 900,
    });
    // First evaluation with two samples is at +60 s; pending from then, firing 15 min later.
    expect(firesAt).toBe(CORPUS_START_SECONDS + 60 + 900);
  });

  it('stays silent below the threshold', () => {
    expect(
      derivAlertFiresAt(line(4), { rangeSeconds: 3600, thresholdBytesPerHour: 5 * 1024 * 1024, forSeconds: 900 }),
    ).toBeNull();
  });
});

describe('workload corpus (issue #17)', () => {
  const pods = generateWorkloads({ seed: 2, perFamily: 2, startSeconds: CORPUS_START_SECONDS });

  it('names pods as ReplicaSet pods are named, one workload per generated week, hash changing only at rollouts', () => {
    const byWorkload = new Map<string, Set<string>>();
    for (const p of pods) {
      expect(workloadOfPod(p.labels.pod!)).toBe(p.workload.name);
      byWorkload.set(
        p.workload.name,
        (byWorkload.get(p.workload.name) ?? new Set()).add(p.labels.pod!.split('-').at(-2)!),
      );
    }
    expect(byWorkload.size).toBe(12);
    expect(byWorkload.get('wlleakafterrestart-0')!.size).toBe(1);
    expect(byWorkload.get('wlrolloutfixed-0')!.size).toBeGreaterThanOrEqual(2);
  });

  it('with their history, healthy pods whose workload has shown its strong daily cycle raise no alarm, and later leaking pods are caught within hours of their start', () => {
    const pasts = pastsOfSeries(pods, new Map(), defaultDetectOptions);
    const detected = pods.map(
      (p, i) =>
        backtestSeries(p.samples, { everySeconds: 900, options: defaultDetectOptions, past: pasts[i]! }).detectedAt,
    );
    const shown = pods.filter((p) => p.workload.cycleShown);
    expect(shown.length).toBeGreaterThan(5);
    for (const p of shown) expect(detected[pods.indexOf(p)]).toBeNull();
    const later = pods
      .flatMap((p, i) =>
        p.workload.leakOrdinal! > 0 && detected[i] !== null ? [(detected[i]! - p.truth.onset!) / 3600] : [],
      )
      .sort((a, b) => a - b);
    expect(later.length).toBeGreaterThan(10);
    expect(later[later.length >> 1]).toBeLessThanOrEqual(3);
  });
});
