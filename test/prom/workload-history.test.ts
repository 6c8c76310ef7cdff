// Workload history against a real Prometheus (issue #17): the one extra query of a profile brings
// back the earlier pods' floors and their owners, and the judge gets from it what it gets offline.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { defaultDetectOptions, judgeWithPast, ownersFromSeries, pastsOfSeries } from '../../src/detect/index.js';
import type { TargetFacts } from '../../src/model/workload.js';
import { PrometheusSource } from '../../src/prom/index.js';
import { prometheusNow } from '../../src/prom/history.js';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { observeProfile } from '../../src/run/observe.js';
import { TestCluster } from '../support/test-cluster.js';
import { makeSeries } from '../support/detect-series.js';
import { METRIC, toOpenMetrics, type LabelledSeries } from '../support/memory-history.js';
import { PROMETHEUS_SETUP_MS, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { answered } from '../support/answers.js';
import { operatorTarget } from '../support/metrics-run.js';

const HOUR = 3600;
const warmup = (age: number) => -60 * Math.exp(-age / 0.15);
/** Every pod of "op" leaks 30 MiB/h from its start (a bad version, restarted three times already). */
const leaking = (age: number) => 300 + warmup(age) + 30 * age;

// Pod names that follow no convention: only kube_pod_owner says they are one workload's pods.
const PODS = [
  { pod: 'op-first', from: 52.5, to: 32.5 },
  { pod: 'op-second', from: 32.5, to: 18.5 },
  { pod: 'op-third', from: 18.5, to: 2.5 },
  { pod: 'op-current', from: 2.5, to: 0 },
];
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const pods: LabelledSeries[] = PODS.map(({ pod, from, to }, k) => ({
  labels: { namespace: 'leaky', pod, container: 'app' },
  samples: makeSeries({
    hours: from - to,
    start: end - from * HOUR,
    floorMiB: leaking,
    sawtoothMiB: 20,
    noiseMiB: 3,
    seed: k + 1,
  }),
}));
const owners: LabelledSeries[] = pods.map(({ labels, samples }) => ({
  labels: {
    namespace: 'leaky',
    pod: labels.pod!,
    uid: `uid-${labels.pod}`,
    owner_kind: 'ReplicaSet',
    owner_name: 'op-6b7c9d5f4',
    owner_is_controller: 'true',
  },
  samples: samples.filter((_, i) => i % 2 === 0).map(({ t }) => ({ t, v: 1 })),
}));
// A neighbour in the namespace that the pod pattern leaves out of the answer.
const neighbour: LabelledSeries = {
  labels: { namespace: 'leaky', pod: 'other-0', container: 'app' },
  samples: makeSeries({ hours: 52, start: end - 52 * HOUR, floorMiB: () => 200 }),
};

let prometheus: RunningPrometheus;

beforeAll(async () => {
  const families = [toOpenMetrics(METRIC, [...pods, neighbour]), toOpenMetrics('kube_pod_owner', owners)].map((text) =>
    text.replace('# EOF\n', ''),
  );
  prometheus = await startPrometheus({ openMetrics: `${families.join('')}# EOF\n` });
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await prometheus?.stop();
});

it('one extra query brings back the earlier pods and their owners; the new pod is judged as offline with them', async () => {
  const config = parseConfig(
    `prometheus: {url: "${prometheus.url}"}\nprofiles:\n  - {name: op, namespace: leaky, selector: app=op, container: app}\n`,
  );
  const current = pods.at(-1)!;
  const start = current.samples[0]!.t;
  const facts: TargetFacts = {
    ...operatorTarget('leaky', 'op-current', 'app', start),
    profile: 'op',
    workload: { kind: 'Deployment', namespace: 'leaky', name: 'op', uid: 'uid-op' },
    pod: {
      name: 'op-current',
      uid: 'uid-op-current',
      startTime: start,
      ready: true,
      terminating: false,
      controlled: true,
    },
  };
  const source = new PrometheusSource({ url: prometheus.url, version: 'test' });
  const queries: string[] = [];
  const metrics = {
    query: source.query.bind(source),
    queryRange: (q: Parameters<typeof source.queryRange>[0]) => (queries.push(q.query), source.queryRange(q)),
  };
  const clock = await prometheusNow(source);
  const now = clock.now!;
  const deps = { cluster: new TestCluster([facts]), metrics, prometheus: config.prometheus, catalog: buildCatalog() };

  const without = await observeProfile(
    { ...deps, workloadHistory: false },
    config.profiles[0]!,
    clock,
    defaultDetectOptions,
  );
  expect(without.judged[0]!.verdict.kind).toBe('unknown');

  queries.length = 0;
  const seen = await observeProfile(
    { ...deps, workloadHistory: 7 * 24 * HOUR },
    config.profiles[0]!,
    clock,
    defaultDetectOptions,
  );
  expect(seen.warnings).toEqual([]);
  expect(queries).toHaveLength(2);
  const answer = await answered(
    source.queryRange({
      query: queries[1]!,
      start: Math.ceil((now - 7 * 24 * HOUR) / 900) * 900,
      end: Math.floor(now / 900) * 900,
      stepSeconds: 900,
    }),
  );
  // The four pods' floors (15 min apart) and their four owners; the neighbour is not asked for.
  expect(answer.series.map((s) => [s.labels.pod, s.labels.owner_name ?? s.labels.container]).sort()).toEqual(
    ['op-current', 'op-first', 'op-second', 'op-third']
      .flatMap((pod) => [
        [pod, 'app'],
        [pod, 'op-6b7c9d5f4'],
      ])
      .sort(),
  );
  expect(
    ownersFromSeries(
      answer.series.map((s) => s.labels),
      (l) => l.owner_name !== undefined,
    ).get('leaky/op-first'),
  ).toBe('op');

  const verdict = seen.judged[0]!.verdict;
  expect(verdict.kind).toBe('leaking');
  expect(verdict.reasons[1]).toMatch(
    /^the 3 previous pods of this workload leaked, growing \d+\.\d–\d+\.\d MiB\/h from start; this one \d+\.\d MiB\/h over [12]\.\d h$/,
  );
  // Offline, from the raw samples and the same owners: the same kind, from the same lesson.
  const offlinePast = pastsOfSeries(
    pods,
    new Map(pods.map((p) => [`leaky/${p.labels.pod}`, 'op'])),
    defaultDetectOptions,
  ).at(-1)!;
  const offline = judgeWithPast({ samples: current.samples, now }, offlinePast, defaultDetectOptions);
  expect(offline.kind).toBe('leaking');
  expect(offline.reasons[1]).toMatch(/^the 3 previous pods of this workload leaked/);
});
