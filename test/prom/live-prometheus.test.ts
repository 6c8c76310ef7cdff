// The Prometheus client against a real Prometheus holding backfilled history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSamples } from '../../src/detect/index.js';
import { MetricsError, PrometheusSource, type RangeSeries } from '../../src/prom/index.js';
import {
  LONG_GAP,
  METRIC,
  NON_FINITE_AT,
  SHORT_GAP,
  STALE_STEPS,
  expectedAtSteps,
  syntheticHistory,
  toOpenMetrics,
  type SyntheticHistory,
} from '../support/memory-history.js';
import { PROMETHEUS_SETUP_MS, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { answered, failure } from '../support/answers.js';

/** A series' samples as rows, to compare with the history that was written. */
const rows = (series: RangeSeries | undefined) => (series ? toSamples(series.samples) : []);

let history: SyntheticHistory;
let prometheus: RunningPrometheus;
let prefixed: RunningPrometheus;
let source: PrometheusSource;

beforeAll(async () => {
  history = syntheticHistory(Math.floor(Date.now() / 1000));
  const openMetrics = toOpenMetrics(METRIC, Object.values(history.series));
  [prometheus, prefixed] = await Promise.all([
    startPrometheus({ openMetrics }),
    startPrometheus({ openMetrics, routePrefix: '/prom' }),
  ]);
  source = new PrometheusSource({ url: prometheus.url, version: 'test' });
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await Promise.all([prometheus?.stop(), prefixed?.stop()]);
});

const byPod = (series: RangeSeries[], pod: string): RangeSeries | undefined =>
  series.find((s) => s.labels['pod'] === pod);
const wholeWindow = () => ({ start: history.start, end: history.end, stepSeconds: history.stepSeconds });

describe('query_range against a real Prometheus', () => {
  it('returns the backfilled series exactly: every timestamp at the step and every byte value', async () => {
    const result = await answered(source.queryRange({ query: `${METRIC}{pod=~"rook.*|cert.*"}`, ...wholeWindow() }));
    expect(result.warnings).toEqual([]);
    expect(result.series).toHaveLength(2);
    for (const expected of [history.series.leaking, history.series.flat]) {
      const got = byPod(result.series, expected.labels['pod']!);
      expect(got?.labels).toEqual({ __name__: METRIC, ...expected.labels });
      expect(rows(got)).toHaveLength(1800);
      expect(rows(got)).toEqual(expected.samples);
    }
  });

  it('keeps the labels of an aggregation as Prometheus returns them (one query per profile)', async () => {
    const result = await answered(
      source.queryRange({ query: `max by (namespace, pod, container) (${METRIC})`, ...wholeWindow() }),
    );
    expect(result.series.map((s) => s.labels['pod']).sort()).toEqual(
      Object.values(history.series)
        .map((s) => s.labels['pod'])
        .sort(),
    );
    expect(byPod(result.series, 'rook-ceph-operator-7d9f')?.labels).toEqual(history.series.leaking.labels);
  });

  it('works behind a path prefix (Thanos/Mimir/VictoriaMetrics-style base URL), with or without a trailing slash', async () => {
    for (const url of [prefixed.url, `${prefixed.url}/`]) {
      const viaPrefix = new PrometheusSource({ url, version: 'test' });
      const result = await answered(
        viaPrefix.queryRange({ query: `${METRIC}{pod="rook-ceph-operator-7d9f"}`, ...wholeWindow() }),
      );
      expect(rows(result.series[0])).toEqual(history.series.leaking.samples);
    }
  });

  it('without the path prefix, names the URL problem instead of returning nothing', async () => {
    const bare = new PrometheusSource({ url: prefixed.url.replace(/\/prom$/, ''), version: 'test' });
    const error = await failure(bare.queryRange({ query: METRIC, ...wholeWindow() }));
    expect(error).toBeInstanceOf(MetricsError);
    expect(error).toMatchObject({ code: 'not-found', status: 404 });
    expect((error as Error).message).toContain('path prefix');
  });

  it('answers an empty result as no series, not as an error', async () => {
    const result = await answered(source.queryRange({ query: `${METRIC}{pod="no-such-pod"}`, ...wholeWindow() }));
    expect(result).toEqual({ outcome: 'answered', series: [], warnings: [] });
  });

  it('keeps NaN, +Inf and -Inf samples as non-finite numbers at their timestamps', async () => {
    const result = await answered(source.queryRange({ query: `${METRIC}{pod="nonfinite-0"}`, ...wholeWindow() }));
    const samples = rows(result.series[0]);
    expect(samples).toHaveLength(1800);
    for (const [index, value] of Object.entries(NON_FINITE_AT)) {
      expect(samples[Number(index)]).toEqual({ t: history.start + Number(index) * 60, v: value });
    }
    expect(samples.filter((s) => !Number.isFinite(s.v))).toHaveLength(3);
    expect(samples).toEqual(history.series.nonfinite.samples);
  });

  it('returns a stale series as it stands: last sample old, only Prometheus lookback after it', async () => {
    const raw = history.series.stale.samples;
    const result = await answered(source.queryRange({ query: `${METRIC}{pod="stale-0"}`, ...wholeWindow() }));
    const samples = rows(result.series[0]);
    const last = raw.at(-1)!;
    expect(last.t).toBe(history.end - STALE_STEPS * 60);
    // Prometheus' 5-minute lookback answers for 5 more steps with the last value; nothing later.
    expect(samples.at(-1)).toEqual({ t: last.t + 300, v: last.v });
    expect(samples).toEqual(expectedAtSteps(raw, history.start, history.end, 60));
    expect(samples.slice(0, raw.length)).toEqual(raw);
  });

  it('returns gaps as gaps: no interpolation; only holes shorter than the lookback are filled, by Prometheus', async () => {
    const raw = history.series.gappy.samples;
    const result = await answered(source.queryRange({ query: `${METRIC}{pod="gappy-0"}`, ...wholeWindow() }));
    const samples = rows(result.series[0]);
    const at = (i: number) => history.start + i * 60;
    expect(samples).toEqual(expectedAtSteps(raw, history.start, history.end, 60));
    // The 30-minute hole: five lookback steps, then nothing until the data resumes.
    const inLongGap = samples.filter((s) => s.t >= at(LONG_GAP.from) && s.t < at(LONG_GAP.to));
    expect(inLongGap.map((s) => s.t)).toEqual([1, 2, 3, 4, 5].map((k) => at(LONG_GAP.from - 1) + k * 60));
    expect(new Set(inLongGap.map((s) => s.v))).toEqual(new Set([raw.find((s) => s.t === at(LONG_GAP.from - 1))!.v]));
    // The 3-minute hole is shorter than the lookback: Prometheus repeats the previous value.
    const before = raw.find((s) => s.t === at(SHORT_GAP.from - 1))!;
    expect(samples.filter((s) => s.t >= at(SHORT_GAP.from) && s.t < at(SHORT_GAP.to))).toEqual([
      { t: at(SHORT_GAP.from), v: before.v },
      { t: at(SHORT_GAP.from + 1), v: before.v },
    ]);
  });

  it('returns samples at the requested step, not at the raw resolution', async () => {
    const result = await answered(
      source.queryRange({
        query: `${METRIC}{pod="rook-ceph-operator-7d9f"}`,
        start: history.start,
        end: history.end,
        stepSeconds: 300,
      }),
    );
    const expected = history.series.leaking.samples.filter((_, i) => i % 5 === 0);
    expect(rows(result.series[0])).toEqual(expected);
  });

  it('sends a long query by POST (a 20 kB selector works)', async () => {
    const pods = Array.from({ length: 1000 }, (_, i) => `pod-that-does-not-exist-${i}`).join('|');
    const query = `${METRIC}{pod=~"${pods}|rook-ceph-operator-7d9f"}`;
    expect(query.length).toBeGreaterThan(20_000);
    const result = await answered(source.queryRange({ query, ...wholeWindow() }));
    expect(result.series).toHaveLength(1);
  });

  it("reports bad PromQL as bad-request with Prometheus' own explanation", async () => {
    const error = await failure(source.queryRange({ query: `max by (pod) (${METRIC}{pod=}`, ...wholeWindow() }));
    expect(error).toBeInstanceOf(MetricsError);
    expect(error).toMatchObject({ code: 'bad-request', status: 400, errorType: 'bad_data' });
    expect((error as Error).message).toMatch(
      /query_range at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range: HTTP 400 bad_data: .*parse error/,
    );
  });

  it("reports Prometheus' own query timeout as timeout, not as a server fault", async () => {
    // A query that reads ~100 M samples cannot finish within 1 ms of Prometheus' timeout. Where
    // the deadline fires decides Prometheus' answer: 503 timeout while evaluating, or (about one
    // time in 300) 422 execution "context deadline exceeded" while storage expands series.
    const slow = new PrometheusSource({
      url: prometheus.url,
      version: 'test',
      timeoutSeconds: 30,
      queryTimeoutSeconds: 0.001,
    });
    const error = await failure(
      slow.queryRange({
        query: `sum_over_time(${METRIC}[30h])`,
        start: history.start,
        end: history.end,
        stepSeconds: 10,
      }),
    );
    expect(error).toMatchObject({ code: 'timeout' });
    expect([`503 timeout`, `422 execution`]).toContain(
      `${(error as MetricsError).status} ${(error as MetricsError).errorType}`,
    );
    expect((error as Error).message).toContain('a query timeout of 0.001s');
  });

  it('reports Prometheus\' own limits as "limit", naming them: points per series, samples in memory', async () => {
    const points = await failure(
      source.queryRange({ query: `${METRIC}{pod="gappy-0"}`, start: history.start, end: history.end, stepSeconds: 1 }),
    );
    expect(points).toMatchObject({ code: 'limit', status: 400, errorType: 'bad_data', transient: false });
    expect((points as Error).message).toMatch(
      /HTTP 400 bad_data: over Prometheus' 11,000 points per series: raise prometheus\.step or the server's limit; exceeded maximum resolution/,
    );
    const small = await startPrometheus({
      openMetrics: toOpenMetrics(METRIC, Object.values(history.series)),
      flags: ['--query.max-samples=1000'],
    });
    try {
      const samples = await failure(
        new PrometheusSource({ url: small.url, version: 'test' }).queryRange({
          query: `max by (pod) (${METRIC})`,
          ...wholeWindow(),
        }),
      );
      expect(samples).toMatchObject({ code: 'limit', status: 422, errorType: 'execution' });
      expect((samples as Error).message).toContain(
        "HTTP 422 execution: over Prometheus' --query.max-samples: raise prometheus.step, narrow the profile (namespace, container), or raise the server's limit; query processing would load too many samples into memory",
      );
    } finally {
      await small.stop();
    }
  });

  it("runs instant queries, including scalars such as Prometheus' clock", async () => {
    const vector = await answered(
      source.query({ query: `${METRIC}{pod="rook-ceph-operator-7d9f"}`, time: history.end }),
    );
    expect(vector.series).toEqual([
      { labels: { __name__: METRIC, ...history.series.leaking.labels }, sample: history.series.leaking.samples.at(-1) },
    ]);
    const clock = await answered(source.query({ query: 'time()', time: history.end }));
    expect(clock.series).toEqual([{ labels: {}, sample: { t: history.end, v: history.end } }]);
  });
});
