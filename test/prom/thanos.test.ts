// Thanos Query (built from the Go module proxy) over two Prometheus replicas of one cluster and a
// second cluster: deduplication, a replica down, and one cluster's slice of the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSource } from '../../src/prom/index.js';
import {
  METRIC,
  syntheticHistory,
  toOpenMetrics,
  type LabelledSeries,
  type SyntheticHistory,
} from '../support/memory-history.js';
import { operatorTarget, runAgainst } from '../support/metrics-run.js';
import { PROMETHEUS_SETUP_MS } from '../support/prometheus.js';
import { startQuery, startThanos, thanosMissing, type RunningThanos } from '../support/thanos.js';
import { answered } from '../support/answers.js';

const missing = thanosMissing();
if (missing) console.warn(`test/prom/thanos.test.ts skipped: ${missing}`);

let history: SyntheticHistory;
let thanos: RunningThanos;

/** prod-us runs operators of the same names; only its cert-manager leaks. */
function usHistory(): LabelledSeries[] {
  const { leaking, flat } = history.series;
  return [
    { labels: leaking.labels, samples: flat.samples },
    { labels: flat.labels, samples: leaking.samples },
  ];
}

describe.skipIf(missing !== undefined)('Thanos Query over two replicas of prod-eu and one of prod-us', () => {
  beforeAll(async () => {
    history = syntheticHistory(Math.floor(Date.now() / 1000));
    const eu = toOpenMetrics(METRIC, Object.values(history.series));
    thanos = await startThanos([
      { openMetrics: eu, externalLabels: { cluster: 'prod-eu', replica: 'a' } },
      { openMetrics: eu, externalLabels: { cluster: 'prod-eu', replica: 'b' } },
      { openMetrics: toOpenMetrics(METRIC, usHistory()), externalLabels: { cluster: 'prod-us', replica: 'a' } },
    ]);
  }, PROMETHEUS_SETUP_MS);

  afterAll(async () => {
    await thanos?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const targets = () =>
    Object.values(history.series).map((s) => operatorTarget('operators', s.labels['pod']!, 'manager', now()));
  const eu = { namespace: 'operators', container: 'manager', prometheus: `matchers: 'cluster="prod-eu"'` };

  it('deduplicates the replicas: one series per container, with the cluster label and without the replica label', async () => {
    const source = new PrometheusSource({ url: thanos.url, version: 'test' });
    const result = await answered(
      source.queryRange({
        query: `${METRIC}{cluster="prod-eu"}`,
        start: history.start,
        end: history.end,
        stepSeconds: 300,
      }),
    );
    expect(result.warnings).toEqual([]);
    expect(result.series.map((s) => s.labels['pod']).sort()).toEqual(
      Object.values(history.series)
        .map((s) => s.labels['pod'])
        .sort(),
    );
    for (const series of result.series) {
      expect(series.labels['cluster']).toBe('prod-eu');
      expect(series.labels).not.toHaveProperty('replica');
    }
  });

  it("each cluster's leakguard judges and restarts only its own operator through the one Thanos", async () => {
    const [fromEu, fromUs] = await Promise.all([
      runAgainst(thanos.url, targets(), eu),
      runAgainst(thanos.url, targets(), { ...eu, prometheus: `matchers: 'cluster="prod-us"'` }),
    ]);
    const kinds = (run: typeof fromEu) => Object.fromEntries(run.summary.targets.map((t) => [t.pod, t.verdict.kind]));
    expect(kinds(fromEu)).toMatchObject({
      'rook-ceph-operator-7d9f': 'leaking',
      'cert-manager-5c6b': 'not-leaking',
      'stale-0': 'unknown',
    });
    // prod-us has no series for eu's other pods: unknown, never judged on eu's data.
    expect(kinds(fromUs)).toEqual({
      'rook-ceph-operator-7d9f': 'not-leaking',
      'cert-manager-5c6b': 'leaking',
      'nonfinite-0': 'unknown',
      'stale-0': 'unknown',
      'gappy-0': 'unknown',
    });
    expect(fromEu.cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.target)).toEqual([
      'Deployment/operators/rook-ceph-operator-7d9f',
    ]);
    expect(fromUs.cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.target)).toEqual([
      'Deployment/operators/cert-manager-5c6b',
    ]);
    expect(fromEu.summary.warnings.filter((w) => w.includes('Prometheus warning'))).toEqual([]);
    // The Slack message's graph link is this cluster's slice, and Thanos Query serves it.
    const link = new URL(/<(http[^|>]+)\|Prometheus graph>/.exec(JSON.stringify(fromEu.slack))![1]!);
    expect(link.searchParams.get('g0.expr')).toContain('container="manager", cluster="prod-eu"}');
    const page = await fetch(link, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  // Last: they take replica b down for good.
  it('with a replica down, every answer is partial: all verdicts unknown, the store named, nothing done, Slack told', async () => {
    await thanos.replicas[1]!.stop();
    const run = await runAgainst(thanos.url, targets(), {
      ...eu,
      extra: 'notifications: {metricsFailuresBeforeAlert: 1}',
    });
    expect(new Set(run.summary.targets.map((t) => t.verdict.kind))).toEqual(new Set(['unknown']));
    const partial =
      'Prometheus warned that its answer may be partial (fetch series for {cluster="prod-eu", replica="b"} Addr: ';
    expect(run.summary.targets.find((t) => t.pod === 'rook-ceph-operator-7d9f')!.verdict.reasons[0]).toContain(
      `not judged: ${partial}`,
    );
    expect(run.summary.warnings).toEqual([
      expect.stringMatching(
        /^profile ops: Prometheus warning: fetch series for \{cluster="prod-eu", replica="b"\} .*connection refused/,
      ),
    ]);
    expect(run.cluster.mutations.filter((m) => m.verb === 'restart')).toEqual([]);
    expect(run.slack.map((m) => m.text)).toEqual([
      expect.stringContaining(`memory history for profile ops unavailable for 1 runs in a row (${partial}`),
    ]);
  });

  it('a Query without partial responses (--no-query.partial-response) answers an error: MetricsUnavailable, nothing done', async () => {
    const strictAnswers = await startQuery(
      thanos.replicas.map((r) => r.endpoint),
      { strict: true, healthy: 2, flags: ['--no-query.partial-response'] },
    );
    try {
      const run = await runAgainst(strictAnswers.url, targets(), eu);
      expect(run.cluster.mutations).toEqual([]);
      expect(run.summary.failures).toEqual([
        expect.stringMatching(
          /^profile ops: memory history unavailable: query_range at \S+: HTTP 422 execution: expanding series: .*fetch series for Store Gateway .*connection refused/,
        ),
      ]);
      expect(run.cluster.events.filter((e) => e.reason === 'MetricsUnavailable')).toHaveLength(targets().length);
    } finally {
      await strictAnswers.stop();
    }
  });

  it("a Query whose endpoints are not strict drops a store that is down without a warning: the other replica answers; a lone store's series vanish", async () => {
    const lenient = await startQuery(
      thanos.replicas.map((r) => r.endpoint),
      { strict: false, healthy: 2 },
    );
    try {
      const run = await runAgainst(lenient.url, targets(), eu);
      expect(run.summary.warnings.filter((w) => w.includes('Prometheus warning'))).toEqual([]);
      expect(run.cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.target)).toEqual([
        'Deployment/operators/rook-ceph-operator-7d9f',
      ]);

      // prod-us has one Prometheus only: once it is down and dropped, its series just vanish —
      // every target unknown for want of samples, and no outage reported.
      await thanos.replicas[2]!.stop();
      const us = { ...eu, prometheus: `matchers: 'cluster="prod-us"'` };
      let run2 = await runAgainst(lenient.url, targets(), us);
      for (
        const until = Date.now() + 30_000;
        run2.summary.warnings.some((w) => w.includes('Prometheus warning')) && Date.now() < until;
      ) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        run2 = await runAgainst(lenient.url, targets(), us);
      }
      expect(run2.summary.warnings.filter((w) => w.includes('Prometheus warning'))).toEqual([]);
      expect(run2.summary.failures).toEqual([]);
      expect(run2.cluster.events.filter((e) => e.reason === 'MetricsUnavailable')).toEqual([]);
      expect(new Set(run2.summary.targets.map((t) => t.verdict.reasons[0]))).toEqual(
        new Set(['no samples in the last 24.0 h']),
      );
    } finally {
      await lenient.stop();
    }
  });
});
