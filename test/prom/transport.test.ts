// What goes over the wire (auth, headers, TLS, timeouts) and how each failure is reported, with a
// recording proxy in front of a real Prometheus.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toColumns } from '../../src/detect/index.js';
import { PrometheusSource } from '../../src/prom/index.js';
import { METRIC, syntheticHistory, toOpenMetrics, type SyntheticHistory } from '../support/memory-history.js';
import { PROMETHEUS_SETUP_MS, freePort, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { delay, startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { createTestPki, type TestPki } from '../support/tls.js';
import { answered, failure } from '../support/answers.js';

let history: SyntheticHistory;
let prometheus: RunningPrometheus;
let proxy: RecordingProxy;
let tlsProxy: RecordingProxy;
let pki: TestPki;
let secretsDir: string;

beforeAll(async () => {
  history = syntheticHistory(Math.floor(Date.now() / 1000), 3);
  [prometheus, pki, secretsDir] = await Promise.all([
    startPrometheus({ openMetrics: toOpenMetrics(METRIC, Object.values(history.series)) }),
    createTestPki(),
    mkdtemp(join(tmpdir(), 'leakguard-secrets-')),
  ]);
  proxy = await startRecordingProxy({ upstream: prometheus.url });
  tlsProxy = await startRecordingProxy({ upstream: prometheus.url, tls: { key: pki.serverKey, cert: pki.serverCert } });
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await Promise.all([proxy?.close(), tlsProxy?.close()]);
  await Promise.all([
    prometheus?.stop(),
    pki?.remove(),
    secretsDir && rm(secretsDir, { recursive: true, force: true }),
  ]);
});

afterEach(() => {
  for (const p of [proxy, tlsProxy]) {
    p.handle(undefined);
    p.requests.length = 0;
  }
});

const leakingQuery = () => ({
  query: `${METRIC}{pod="rook-ceph-operator-7d9f"}`,
  start: history.start,
  end: history.end,
  stepSeconds: 60,
});
const secretFile = async (name: string, content: string): Promise<string> => {
  const path = join(secretsDir, name);
  await writeFile(path, content);
  return path;
};
describe('what the client sends', () => {
  it('sends the bearer token, tenant and custom headers, a leakguard User-Agent, and a form-encoded POST', async () => {
    const tokenFile = await secretFile('token', 'tok-123\n');
    const source = new PrometheusSource({
      url: proxy.url,
      version: '1.2.3',
      bearerTokenFile: tokenFile,
      headers: { 'X-Scope-OrgID': 'tenant-a', 'X-Extra': 'yes' },
      timeoutSeconds: 20,
    });
    const result = await answered(source.queryRange(leakingQuery()));
    expect(result.series[0]?.samples).toEqual(toColumns(history.series.leaking.samples));

    expect(proxy.requests).toHaveLength(1);
    const [request] = proxy.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/query_range' });
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer tok-123',
      'x-scope-orgid': 'tenant-a',
      'x-extra': 'yes',
      'user-agent': 'leakguard/1.2.3',
      'content-type': 'application/x-www-form-urlencoded',
    });
    const form = Object.fromEntries(new URLSearchParams(request?.body));
    expect(form).toEqual({
      query: leakingQuery().query,
      start: String(history.start),
      end: String(history.end),
      step: '60',
      timeout: '18',
    });
  });

  it('headersFrom: secret header values come from files, re-read every query, never in errors', async () => {
    const keyFile = await secretFile('api-key', 'key-one\n');
    const source = new PrometheusSource({ url: proxy.url, version: 't', headersFrom: { 'X-Api-Key': keyFile } });
    await answered(source.queryRange(leakingQuery()));
    await writeFile(keyFile, 'key-two');
    proxy.handle(async () => ({ status: 500, body: 'upstream said key-two is wrong' }));
    const error = await failure(source.queryRange(leakingQuery()));
    expect(proxy.requests.map((r) => r.headers['x-api-key'])).toEqual(['key-one', 'key-two']);
    expect(error.message).not.toContain('key-two');
  });

  it('a range answer over prometheus.maxSeries or maxResponseBytes ends the query as a limit, naming the cap (#9.3)', async () => {
    const wide = { ...leakingQuery(), query: `${METRIC}` };
    const series = await failure(new PrometheusSource({ url: proxy.url, version: 't', maxSeries: 2 }).queryRange(wide));
    expect(series.code).toBe('limit');
    expect(series.message).toMatch(/the answer holds more than 2 series \(prometheus\.maxSeries\)/);
    const bytes = await failure(
      new PrometheusSource({ url: proxy.url, version: 't', maxResponseBytes: 4096 }).queryRange(wide),
    );
    expect(bytes.code).toBe('limit');
    expect(bytes.message).toMatch(/the answer is larger than 4096 bytes \(prometheus\.maxResponseBytes\)/);
    // Within the caps the same query is answered whole.
    expect(
      (await answered(new PrometheusSource({ url: proxy.url, version: 't' }).queryRange(wide))).series.length,
    ).toBeGreaterThan(2);
  });

  it("a profile's answers share the caps: the second reads only what the first left (#21.4)", async () => {
    const wide = { ...leakingQuery(), query: `${METRIC}` };
    const whole = await answered(new PrometheusSource({ url: proxy.url, version: 't' }).queryRange(wide));
    const source = new PrometheusSource({ url: proxy.url, version: 't', maxSeries: whole.series.length + 1 });
    const budget = { bytes: 64 * 2 ** 20, series: whole.series.length + 1 };
    expect((await answered(source.queryRange({ ...wide, budget }))).series).toHaveLength(whole.series.length);
    expect(budget.series).toBe(1);
    expect(budget.bytes).toBeLessThan(64 * 2 ** 20);
    // Alone, the same answer is within the caps; after the first, it is not.
    const second = await failure(source.queryRange({ ...wide, budget }));
    expect(second.code).toBe('limit');
    expect(second.message).toMatch(
      new RegExp(
        `more than the 1 series left of prometheus\\.maxSeries \\(${whole.series.length + 1}\\) for the profile's answers together`,
      ),
    );
    const bytes = { bytes: 2048, series: 100 };
    const byBytes = await failure(source.queryRange({ ...wide, budget: bytes }));
    expect(byBytes.message).toMatch(
      /larger than the 2048 bytes left of prometheus\.maxResponseBytes \(64 MiB\) for the profile's answers together/,
    );
    expect(bytes).toEqual({ bytes: 2048, series: 100 });
  });

  it('refuses a series with more points than start, end and step allow, naming it (#21.4)', async () => {
    const query = { query: 'up', start: 1_700_000_000, end: 1_700_000_000 + 600, stepSeconds: 60 };
    const points = (n: number) => Array.from({ length: n }, (_, i) => [query.start + i * 60, '1']);
    const answer = (n: number) =>
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { pod: 'a' }, values: points(11) },
            { metric: { pod: 'b' }, values: points(n) },
          ],
        },
      });
    const source = new PrometheusSource({ url: proxy.url, version: 't' });
    // 11 points asked for; VictoriaMetrics' alignment may add up to two.
    proxy.handle(async () => ({ status: 200, body: answer(13) }));
    expect((await answered(source.queryRange(query))).series[1]!.samples.t).toHaveLength(13);
    proxy.handle(async () => ({ status: 200, body: answer(100_000) }));
    const error = await failure(source.queryRange(query));
    expect(error.code).toBe('bad-response');
    expect(error.message).toContain(
      "unexpected response: data.result[1].values: a series holds more than 13 points, more than the query's start, end and step allow",
    );
  });

  it("works under a multi-segment prefix such as VictoriaMetrics cluster's /select/0/prometheus", async () => {
    const prefix = '/select/0/prometheus';
    proxy.handle(async (request, forward) =>
      request.path.startsWith(`${prefix}/api/v1/`)
        ? forward(request.path.slice(prefix.length))
        : { status: 404, body: 'unexpected path' },
    );
    const result = await answered(
      new PrometheusSource({ url: `${proxy.url}${prefix}`, version: 't' }).queryRange(leakingQuery()),
    );
    expect(result.series[0]?.samples).toEqual(toColumns(history.series.leaking.samples));
    expect(proxy.requests.map((r) => r.path)).toEqual([`${prefix}/api/v1/query_range`]);
  });

  it('re-reads the token file on every query (rotated tokens work without a restart)', async () => {
    const tokenFile = await secretFile('rotating-token', 'first');
    const source = new PrometheusSource({ url: proxy.url, version: 't', bearerTokenFile: tokenFile });
    await answered(source.queryRange(leakingQuery()));
    await writeFile(tokenFile, 'second');
    await answered(source.queryRange(leakingQuery()));
    expect(proxy.requests.map((r) => r.headers.authorization)).toEqual(['Bearer first', 'Bearer second']);
  });

  it('authenticates with basic auth from a password file, and reports a wrong password as unauthorized', async () => {
    const expected = `Basic ${Buffer.from('leakguard:s3cret pass').toString('base64')}`;
    proxy.handle(async (request, forward) =>
      request.headers.authorization === expected ? forward() : { status: 401, body: 'Unauthorized' },
    );
    const good = new PrometheusSource({
      url: proxy.url,
      version: 't',
      basicAuth: { username: 'leakguard', passwordFile: await secretFile('password', 's3cret pass\n') },
    });
    expect((await answered(good.queryRange(leakingQuery()))).series).toHaveLength(1);
    const bad = new PrometheusSource({
      url: proxy.url,
      version: 't',
      basicAuth: { username: 'leakguard', passwordFile: await secretFile('wrong', 'nope') },
    });
    expect(await failure(bad.queryRange(leakingQuery()))).toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('reports an unreadable token file as a credentials problem without sending anything', async () => {
    const source = new PrometheusSource({ url: proxy.url, version: 't', bearerTokenFile: join(secretsDir, 'missing') });
    const error = await failure(source.queryRange(leakingQuery()));
    expect(error.code).toBe('credentials');
    expect(error.message).toContain('missing (ENOENT)');
    expect(proxy.requests).toHaveLength(0);
  });

  it('derives a Prometheus query timeout strictly below the HTTP timeout, and refuses one that is not', async () => {
    await answered(
      new PrometheusSource({ url: proxy.url, version: 't', timeoutSeconds: 2 }).queryRange(leakingQuery()),
    );
    expect(new URLSearchParams(proxy.requests[0]?.body).get('timeout')).toBe('1.5');
    expect(
      () => new PrometheusSource({ url: proxy.url, version: 't', timeoutSeconds: 10, queryTimeoutSeconds: 10 }),
    ).toThrow(/smaller than the HTTP timeout/);
  });
});

describe('TLS', () => {
  it('trusts the configured CA file', async () => {
    const source = new PrometheusSource({ url: tlsProxy.url, version: 't', caFile: pki.caFile });
    expect((await answered(source.queryRange(leakingQuery()))).series[0]?.samples).toEqual(
      toColumns(history.series.leaking.samples),
    );
  });

  it.each([
    ['an unrelated CA', () => ({ caFile: pki.otherCaFile })],
    ['the system roots only', () => ({})],
  ])('fails with code tls when trusting %s', async (_name, options) => {
    const source = new PrometheusSource({ url: tlsProxy.url, version: 't', ...options() });
    const error = await failure(source.queryRange(leakingQuery()));
    expect(error.code).toBe('tls');
    expect(error.message).toContain('check caFile');
    expect(tlsProxy.requests).toHaveLength(0);
  });

  it('fails with code tls when https is pointed at a plain HTTP port', async () => {
    const source = new PrometheusSource({
      url: proxy.url.replace('http:', 'https:'),
      version: 't',
      caFile: pki.caFile,
    });
    expect((await failure(source.queryRange(leakingQuery()))).code).toBe('tls');
  });
});

describe('failures (reliability matrix rows 1-4)', () => {
  it('Prometheus down: connection refused is unreachable', async () => {
    const source = new PrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, version: 't' });
    expect(await failure(source.queryRange(leakingQuery()))).toMatchObject({
      code: 'unreachable',
      systemCode: 'ECONNREFUSED',
      transient: true,
    });
  });

  it('DNS failure is unreachable', async () => {
    const source = new PrometheusSource({ url: 'http://prometheus.leakguard-test.invalid:9090', version: 't' });
    const error = await failure(source.queryRange(leakingQuery()));
    expect(error.code).toBe('unreachable');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error.systemCode);
    expect(error.message).toContain('prometheus.leakguard-test.invalid');
  });

  it.each([
    [401, {}, 'Unauthorized', 'unauthorized'],
    [403, {}, 'Forbidden', 'forbidden'],
    [404, {}, '404 page not found', 'not-found'],
    [
      422,
      {},
      JSON.stringify({
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory',
      }),
      'limit',
    ],
    [500, {}, JSON.stringify({ status: 'error', errorType: 'internal', error: 'boom' }), 'server'],
    [502, { 'content-type': 'text/html' }, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'server'],
    [503, {}, 'upstream connect error', 'server'],
    [429, { 'retry-after': '7' }, 'slow down', 'rate-limited'],
  ] as const)("HTTP %i is reported as %s with the server's explanation", async (status, headers, body, code) => {
    proxy.handle(async () => ({ status, headers, body }));
    const error = await failure(new PrometheusSource({ url: proxy.url, version: 't' }).queryRange(leakingQuery()));
    expect(error).toMatchObject({ code, status });
    const explanation = body.startsWith('{')
      ? (JSON.parse(body) as { error: string }).error
      : body
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim();
    expect(error.message).toContain(explanation);
    if (status === 429) expect(error.retryAfterSeconds).toBe(7);
    expect(proxy.requests).toHaveLength(1);
  });

  it('slow Prometheus: the HTTP timeout ends the wait with code timeout', async () => {
    proxy.handle(async (_request, forward, closed) => {
      await delay(10_000, closed);
      return forward();
    });
    const source = new PrometheusSource({ url: proxy.url, version: 't', timeoutSeconds: 0.5 });
    const error = await failure(source.queryRange(leakingQuery()));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('HTTP timeout of 0.5s');
    expect(Number(new URLSearchParams(proxy.requests[0]?.body).get('timeout'))).toBeLessThan(0.5);
  });

  it("the caller's deadline signal aborts the query with code aborted", async () => {
    proxy.handle(async (_request, forward, closed) => {
      await delay(10_000, closed);
      return forward();
    });
    const deadline = new AbortController();
    const pending = new PrometheusSource({ url: proxy.url, version: 't' }).queryRange({
      ...leakingQuery(),
      signal: deadline.signal,
    });
    setTimeout(() => deadline.abort(new Error('job deadline reached')), 100);
    const error = await failure(pending);
    expect(error.code).toBe('aborted');
    expect(error.message).toContain('job deadline reached');
  });

  it('passes Prometheus warnings and infos through with the data (the run judges a warned answer unknown)', async () => {
    proxy.handle(async (_request, forward) => {
      const reply = await forward();
      const body = JSON.parse(reply.body) as Record<string, unknown>;
      return {
        ...reply,
        body: JSON.stringify({
          ...body,
          warnings: ['store 10.0.0.7:10901 unavailable: partial response'],
          infos: ['PromQL info: x'],
        }),
      };
    });
    const result = await answered(new PrometheusSource({ url: proxy.url, version: 't' }).queryRange(leakingQuery()));
    expect(result.warnings).toEqual(['store 10.0.0.7:10901 unavailable: partial response']);
    expect(result.infos).toEqual(['PromQL info: x']);
    expect(result.series[0]?.samples).toEqual(toColumns(history.series.leaking.samples));
  });

  it('reports a body that is not a Prometheus answer as bad-response, naming the problem', async () => {
    proxy.handle(async () => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>login page</html>',
    }));
    const source = new PrometheusSource({ url: proxy.url, version: 't' });
    const notJson = await failure(source.queryRange(leakingQuery()));
    expect(notJson).toMatchObject({ code: 'bad-response', status: 200 });
    expect(notJson.message).toContain('not JSON (text/html): login page');

    proxy.handle(async () => ({
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [1, '1'],
                [2, 'abc'],
              ],
            },
          ],
        },
      }),
    }));
    const malformed = await failure(source.queryRange(leakingQuery()));
    expect(malformed.code).toBe('bad-response');
    expect(malformed.message).toContain('data.result[0].values[1][1]: expected a numeric string, got "abc"');
  });

  it('does not follow redirects (they would turn the POST into a GET and may leave the host)', async () => {
    proxy.handle(async () => ({
      status: 302,
      headers: { location: 'http://elsewhere.invalid/login?next=x' },
      body: '',
    }));
    const error = await failure(new PrometheusSource({ url: proxy.url, version: 't' }).queryRange(leakingQuery()));
    expect(error).toMatchObject({ code: 'bad-response', status: 302 });
    expect(error.message).toContain('redirected (302) to http://elsewhere.invalid/login');
    expect(proxy.requests).toHaveLength(1);
  });
});
