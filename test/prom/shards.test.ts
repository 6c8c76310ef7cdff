// A profile with more pods than one answer may hold is read in shards of whole workloads, each answer
// within the caps, against a real Prometheus: the same verdicts as one answer under larger caps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { defaultDetectOptions } from '../../src/detect/index.js';
import { TestCluster } from '../support/test-cluster.js';
import type { TargetFacts } from '../../src/model/workload.js';
import { PrometheusSource } from '../../src/prom/index.js';
import type { RangeQuery } from '../../src/prom/types.js';
import { prometheusNow } from '../../src/prom/history.js';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { observeProfile } from '../../src/run/observe.js';
import { podShards, podsPerShard } from '../../src/prom/history.js';
import { makeSeries } from '../support/detect-series.js';
import { METRIC, toOpenMetrics, type LabelledSeries } from '../support/memory-history.js';
import { operatorTarget } from '../support/metrics-run.js';
import { PROMETHEUS_SETUP_MS, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const HOUR = 3600;
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
/** 7 workloads of 2 pods (one of them leaking 40 MiB/h), and two naked pods; names sort apart from their workloads. */
const PODS = [...Array.from({ length: 7 }, (_, w) => [`op${w}-5d7f-a`, `op${w}-5d7f-b`]).flat(), 'solo-x', 'solo-y'];
const leaks = (pod: string) => pod.startsWith('op3-') || pod === 'solo-y';
const series: LabelledSeries[] = PODS.map((pod, k) => ({
  labels: { namespace: 'fleet', pod, container: 'app' },
  samples: makeSeries({
    hours: 26,
    start: end - 26 * HOUR,
    floorMiB: (h) => 300 + (leaks(pod) ? 40 * h : 0),
    sawtoothMiB: 10,
    noiseMiB: 2,
    seed: k + 1,
  }),
}));
const targets: TargetFacts[] = PODS.map((pod) => {
  const facts = operatorTarget('fleet', pod, 'app', end);
  const workload = pod.startsWith('solo')
    ? { kind: 'Pod' as const, namespace: 'fleet', name: pod, uid: `uid-${pod}` }
    : { ...facts.workload, name: pod.slice(0, -2) };
  return { ...facts, profile: 'fleet', workload };
});

let prometheus: RunningPrometheus;
beforeAll(async () => {
  prometheus = await startPrometheus({ openMetrics: toOpenMetrics(METRIC, series) });
}, PROMETHEUS_SETUP_MS);
afterAll(async () => {
  await prometheus?.stop();
});

async function observe(caps: string, expectedPods = 1) {
  const config = parseConfig(
    `prometheus: {url: "${prometheus.url}", ${caps}}\nprofiles:\n  - {name: fleet, namespace: fleet, selector: app=op, container: app, expectedPods: ${expectedPods}}\n`,
  );
  const source = new PrometheusSource({
    url: prometheus.url,
    version: 'test',
    maxSeries: config.prometheus.maxSeries,
    maxResponseBytes: config.prometheus.maxResponseBytes,
  });
  const answers: { query: string; series: number | string; streamed: number }[] = [];
  const metrics = {
    query: source.query.bind(source),
    queryRange: async (q: RangeQuery) => {
      // Series handed over as they stream in (RangeQuery.onSeries), for a query whose asker judges them so.
      let streamed = 0;
      const onSeries = q.onSeries;
      const answer = await source.queryRange(onSeries ? { ...q, onSeries: (s) => (streamed++, onSeries(s)) } : q);
      answers.push({
        query: q.query,
        series: answer.outcome === 'answered' ? answer.series.length : answer.error.code,
        streamed,
      });
      return answer;
    },
  };
  const seen = await observeProfile(
    {
      cluster: new TestCluster(targets),
      metrics,
      prometheus: config.prometheus,
      workloadHistory: false,
      catalog: buildCatalog(),
    },
    config.profiles[0]!,
    await prometheusNow(source),
    defaultDetectOptions,
  );
  const verdicts = Object.fromEntries(seen.judged.map((j) => [j.facts.pod.name, [j.verdict.kind, j.samples.t.length]]));
  return { seen, answers, verdicts };
}

describe('a profile read in shards', () => {
  it('splits pods into shards of whole workloads, none over the size a workload allows', () => {
    const shards = podShards(targets, 5, (t) => t.workload.name);
    expect(shards.flat().sort()).toEqual([...PODS].sort());
    expect(shards.map((s) => s.length)).toEqual([4, 4, 4, 4]);
    expect(shards.every((s) => s.every((pod) => s.includes(pod.startsWith('op') ? `${pod.slice(0, -1)}a` : pod)))).toBe(
      true,
    );
    expect(podsPerShard({ maxSeries: 2000, maxResponseBytes: 64 * 2 ** 20, step: 300 }, 24 * HOUR)).toBe(1000);
    expect(podsPerShard({ maxSeries: 100_000, maxResponseBytes: 64 * 2 ** 20, step: 60 }, 24 * HOUR)).toBe(727);
  });

  it('over the caps, the window is read again in shards within them: the verdicts of one answer under larger caps', async () => {
    const whole = await observe('maxSeries: 100');
    expect(whole.answers).toHaveLength(1);
    expect(Object.values(whole.verdicts).filter(([kind]) => kind === 'leaking')).toHaveLength(3);

    const refused = await observe('maxSeries: 5');
    expect(refused.answers[0]).toEqual(expect.objectContaining({ series: 'limit' }));
    // 2 pods a shard (half of maxSeries): whole workloads, 8 shards; every answer within the caps.
    expect(refused.answers.slice(1).map((a) => a.series)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(refused.verdicts).toEqual(whole.verdicts);
    expect(refused.seen.failures).toEqual([]);

    // A profile that expects more pods than a shard holds skips the refused answer.
    const expected = await observe('maxSeries: 5', PODS.length);
    expect(expected.answers.map((a) => a.series)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(expected.verdicts).toEqual(whole.verdicts);
    // Shards are judged whole as each comes in, but the last one asked as it streams: nothing waits behind it.
    const lastShard = expected.answers.find((a) => a.query.includes('solo-y'))!;
    expect(expected.answers.map((a) => a.streamed)).toEqual(expected.answers.map((a) => (a === lastShard ? 2 : 0)));
    // One that expects more than it has is still read, in one answer.
    const fewer = await observe('maxSeries: 100', 60);
    expect(fewer.answers.map((a) => a.series)).toEqual([16]);
    expect(fewer.verdicts).toEqual(whole.verdicts);
  }, 60_000);
});
