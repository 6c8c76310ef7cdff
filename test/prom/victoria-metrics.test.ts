// VictoriaMetrics (single node, Debian's package) as leakguard's metrics server: the same history as
// the test Prometheus, the project's own queries, the same verdicts; and where its answers differ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDetectOptions } from '../../src/config/detection.js';
import { parseConfig } from '../../src/config/load.js';
import { MetricsError, PrometheusSource } from '../../src/prom/index.js';
import { profileQuery } from '../../src/prom/queries.js';
import { fetchHistory, prometheusNow } from '../../src/prom/history.js';
import { judgeTargets } from '../../src/detect/targets.js';
import { METRIC, syntheticHistory, toOpenMetrics, type SyntheticHistory } from '../support/memory-history.js';
import { operatorTarget, runAgainst } from '../support/metrics-run.js';
import { PROMETHEUS_SETUP_MS, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { importSeries, startVictoriaMetrics, type RunningVictoriaMetrics } from '../support/victoria-metrics.js';
import { answered, failure } from '../support/answers.js';

let history: SyntheticHistory;
let prometheus: RunningPrometheus;
let vm: RunningVictoriaMetrics;
/** The same history in a VictoriaMetrics started with tiny limits. */
let limited: RunningVictoriaMetrics;

beforeAll(async () => {
  history = syntheticHistory(Math.floor(Date.now() / 1000));
  const series = Object.values(history.series);
  [prometheus, vm, limited] = await Promise.all([
    startPrometheus({ openMetrics: toOpenMetrics(METRIC, series) }),
    startVictoriaMetrics(),
    startVictoriaMetrics({ flags: ['-search.maxUniqueTimeseries=2', '-search.maxPointsPerTimeseries=100'] }),
  ]);
  await Promise.all([importSeries(vm, METRIC, series), importSeries(limited, METRIC, series)]);
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), vm?.stop(), limited?.stop()]);
});

const config = parseConfig(
  'prometheus: {url: "http://unused:9090"}\nprofiles: [{name: ops, namespace: operators, selector: app=operator, container: manager}]\n',
);
const detect = toDetectOptions(config.detection);
const custom = {
  ...config.profiles[0]!,
  query: `max by (namespace, pod, container) (min_over_time(${METRIC}{namespace="$namespace", container="$container", $matchers}[$step]))`,
};

/** A run's judging, as leakguard does it: the server's clock, the profile's query, one range query. */
async function verdicts(url: string, profile = config.profiles[0]!) {
  const source = new PrometheusSource({ url, version: 'test' });
  const { now } = await prometheusNow(source);
  if (now === null) throw new Error('no clock');
  const fetched = await answered(
    fetchHistory(source, profileQuery(profile, config.prometheus), now, {
      windowSeconds: detect.windowSeconds,
      stepSeconds: config.prometheus.step,
    }),
  );
  const targets = Object.values(history.series).map((s) =>
    operatorTarget('operators', s.labels['pod']!, 'manager', now),
  );
  const judged = judgeTargets(targets, fetched.series, now, detect, fetched.warnings);
  return {
    now,
    warnings: fetched.warnings,
    kinds: Object.fromEntries(judged.map((j) => [j.facts.pod.name, j.verdict.kind])),
    judged,
  };
}

describe('VictoriaMetrics through /prometheus/api/v1', () => {
  it('gives the same verdicts as Prometheus for the same history, with the built-in and a custom query', async () => {
    const expected = {
      'rook-ceph-operator-7d9f': 'leaking',
      'cert-manager-5c6b': 'not-leaking',
      'nonfinite-0': 'unknown',
      'stale-0': 'unknown',
      'gappy-0': 'not-leaking',
    };
    for (const profile of [config.profiles[0]!, custom]) {
      const [fromPrometheus, fromVm] = await Promise.all([
        verdicts(prometheus.url, profile),
        verdicts(vm.url, profile),
      ]);
      expect(fromPrometheus.kinds).toEqual(expected);
      expect(fromVm.kinds).toEqual(expected);
      // Why each is unknown is the same too (non-finite samples; 3 h without a sample).
      for (const pod of ['nonfinite-0', 'stale-0']) {
        const reason = (r: typeof fromVm) => r.judged.find((j) => j.facts.pod.name === pod)!.verdict.reasons[0];
        expect(reason(fromVm)).toBe(reason(fromPrometheus));
      }
    }
  });

  it('aligns the range to the step (timestamps are multiples of it), where Prometheus starts at the given start', async () => {
    const range = async (url: string) => {
      const source = new PrometheusSource({ url, version: 'test' });
      const { now } = await prometheusNow(source);
      if (now === null) throw new Error('no clock');
      const result = await answered(
        fetchHistory(source, profileQuery(config.profiles[0]!, config.prometheus), now, {
          windowSeconds: detect.windowSeconds,
          stepSeconds: 300,
        }),
      );
      return { now, t: result.series[0]!.samples.t };
    };
    const [fromPrometheus, fromVm] = await Promise.all([range(prometheus.url), range(vm.url)]);
    expect(fromPrometheus.t[0]).toBe(fromPrometheus.now - detect.windowSeconds);
    expect(fromVm.t.every((t) => t % 300 === 0)).toBe(true);
    expect(fromVm.t[0]).toBe(Math.floor((fromVm.now - detect.windowSeconds) / 300) * 300);
  });

  it('has no warnings field: read as no warnings, and its clock runs behind by its latency offset (30 s)', async () => {
    const body = (await (
      await fetch(`${vm.url}/api/v1/query_range?query=${METRIC}&start=${history.start}&end=${history.end}&step=300`)
    ).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('warnings');
    const [fromPrometheus, fromVm] = await Promise.all([verdicts(prometheus.url), verdicts(vm.url)]);
    expect(fromVm.warnings).toEqual([]);
    // leakguard judges on the server's clock, not its own: VictoriaMetrics' instant queries default
    // to now - 30 s (-search.latencyOffset), far inside the 10-minute staleness allowance.
    expect(fromPrometheus.now - fromVm.now).toBeGreaterThan(25);
    expect(fromPrometheus.now - fromVm.now).toBeLessThan(40);
  });

  it('looks back less after a series stops: one step (its lookback follows the sample interval) where Prometheus fills 5 minutes', async () => {
    const lastAt = async (url: string) => {
      const result = await answered(
        new PrometheusSource({ url, version: 'test' }).queryRange({
          query: `${METRIC}{pod="stale-0"}`,
          start: history.start,
          end: history.end,
          stepSeconds: 60,
        }),
      );
      return result.series[0]!.samples.t.at(-1)!;
    };
    const lastRaw = history.series.stale.samples.at(-1)!.t;
    expect(await lastAt(prometheus.url)).toBe(lastRaw + 300);
    expect(await lastAt(vm.url)).toBe(lastRaw + 60);
  });

  it('drops raw NaN samples that Prometheus returns (so the rejection of non-finite data rests on ±Inf here)', async () => {
    const raw = async (url: string) => {
      const result = await answered(
        new PrometheusSource({ url, version: 'test' }).queryRange({
          query: `${METRIC}{pod="nonfinite-0"}`,
          start: history.start,
          end: history.end,
          stepSeconds: 60,
        }),
      );
      return Array.from(result.series[0]!.samples.v).filter((v) => !Number.isFinite(v));
    };
    expect(await raw(prometheus.url)).toEqual([Number.NaN, Infinity, -Infinity]);
    expect(await raw(vm.url)).toEqual([Infinity, -Infinity]);
  });

  it('refuses an answer over its own limits: code "limit", naming the flag', async () => {
    const source = new PrometheusSource({ url: limited.url, version: 'test' });
    const series = await failure(
      source.queryRange({
        query: `max by (pod) (${METRIC})`,
        start: history.start,
        end: history.end,
        stepSeconds: 3600,
      }),
    );
    expect(series).toBeInstanceOf(MetricsError);
    expect(series).toMatchObject({ code: 'limit', status: 422, transient: false });
    expect((series as Error).message).toMatch(
      /^query_range at http:\/\/127\.0\.0\.1:\d+\/prometheus\/api\/v1\/query_range: HTTP 422: over VictoriaMetrics' -search\.maxUniqueTimeseries=2: narrow the profile \(namespace, container\) or raise the server's limit; /,
    );
    const points = await failure(
      source.queryRange({ query: `${METRIC}{pod="gappy-0"}`, start: history.start, end: history.end, stepSeconds: 60 }),
    );
    expect(points).toMatchObject({ code: 'limit', status: 422 });
    expect((points as Error).message).toContain(
      "HTTP 422: over VictoriaMetrics' -search.maxPointsPerTimeseries=100: raise prometheus.step or the server's limit; error when executing query=",
    );
  });

  it('a run over the limit records MetricsUnavailable naming the limit, and acts on nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const targets = Object.values(history.series).map((s) =>
      operatorTarget('operators', s.labels['pod']!, 'manager', now),
    );
    const { summary, cluster } = await runAgainst(limited.url, targets, {
      namespace: 'operators',
      container: 'manager',
    });
    expect(cluster.mutations).toEqual([]);
    expect(summary.failures).toEqual([
      expect.stringContaining('profile ops: memory history unavailable: query_range at'),
    ]);
    const events = cluster.events.filter((e) => e.reason === 'MetricsUnavailable');
    expect(events).toHaveLength(targets.length);
    // 24 h at the 5-minute step is 289 points: over -search.maxPointsPerTimeseries=100.
    expect(events[0]!.note).toMatch(
      /^Memory history for profile ops could not be fetched \(query_range at \S+: HTTP 422: over VictoriaMetrics' -search\.maxPointsPerTimeseries=100: raise prometheus\.step or the server's limit; /,
    );
  });
});
