// Canary secrets through every error path: none may surface in anything an error can be turned into.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsError, PrometheusSource, type MetricsErrorCode, type PrometheusOptions } from '../../src/prom/index.js';
import { METRIC, syntheticHistory, toOpenMetrics, type SyntheticHistory } from '../support/memory-history.js';
import { PROMETHEUS_SETUP_MS, freePort, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { delay, startRecordingProxy, type ProxyHandler, type RecordingProxy } from '../support/recording-proxy.js';
import { createTestPki, type TestPki } from '../support/tls.js';
import { failure } from '../support/answers.js';

const CANARY_TOKEN = 'CANARY-token-6f1e0c9a';
const CANARY_PASSWORD = 'CANARY-password-2b7d41';
const CANARY_HEADER = 'CANARY-apikey-93ad5e';
const CANARY_TENANT = 'CANARY-tenant-c0ffee';
const USERNAME = 'leakguard';
const CANARIES = [
  CANARY_TOKEN,
  CANARY_PASSWORD,
  CANARY_HEADER,
  CANARY_TENANT,
  Buffer.from(`${USERNAME}:${CANARY_PASSWORD}`).toString('base64'),
];

let history: SyntheticHistory;
let prometheus: RunningPrometheus;
let proxy: RecordingProxy;
let tlsProxy: RecordingProxy;
let pki: TestPki;
let dir: string;
let auth: Record<'bearer' | 'basic', Partial<PrometheusOptions>>;

beforeAll(async () => {
  history = syntheticHistory(Math.floor(Date.now() / 1000));
  [prometheus, pki, dir] = await Promise.all([
    startPrometheus({ openMetrics: toOpenMetrics(METRIC, Object.values(history.series)) }),
    createTestPki(),
    mkdtemp(join(tmpdir(), 'leakguard-canary-')),
  ]);
  proxy = await startRecordingProxy({ upstream: prometheus.url });
  tlsProxy = await startRecordingProxy({ upstream: prometheus.url, tls: { key: pki.serverKey, cert: pki.serverCert } });
  await writeFile(join(dir, 'token'), `${CANARY_TOKEN}\n`);
  await writeFile(join(dir, 'password'), CANARY_PASSWORD);
  const headers = { 'X-Scope-OrgID': CANARY_TENANT, 'X-Api-Key': CANARY_HEADER };
  auth = {
    bearer: { bearerTokenFile: join(dir, 'token'), headers },
    basic: { basicAuth: { username: USERNAME, passwordFile: join(dir, 'password') }, headers },
  };
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await Promise.all([proxy?.close(), tlsProxy?.close()]);
  await Promise.all([prometheus?.stop(), pki?.remove(), dir && rm(dir, { recursive: true, force: true })]);
});

/** Echoes every request header back, as a careless gateway's error page might. */
const echo =
  (status: number, shape: (headers: string) => string = (h) => h): ProxyHandler =>
  async (request) => ({
    status,
    headers: {
      'content-type': 'text/plain',
      location: `/login/${String(request.headers['authorization'])}?key=${String(request.headers['x-api-key'])}`,
    },
    body: shape(JSON.stringify(request.headers)),
  });

interface ErrorPath {
  name: string;
  code: MetricsErrorCode;
  url?: () => Promise<string> | string;
  options?: Partial<PrometheusOptions>;
  handler?: ProxyHandler;
  query?: string;
  abortAfterMs?: number;
}

const paths: ErrorPath[] = [
  { name: 'connection refused', code: 'unreachable', url: async () => `http://127.0.0.1:${await freePort()}` },
  { name: 'DNS failure', code: 'unreachable', url: () => 'http://prometheus.leakguard-test.invalid' },
  { name: 'untrusted certificate', code: 'tls', url: () => tlsProxy.url, options: {} },
  {
    name: 'HTTP timeout',
    code: 'timeout',
    options: { timeoutSeconds: 0.3 },
    handler: async (_r, forward, closed) => (await delay(10_000, closed), forward()),
  },
  {
    name: 'caller abort',
    code: 'aborted',
    abortAfterMs: 50,
    handler: async (_r, forward, closed) => (await delay(10_000, closed), forward()),
  },
  { name: 'bad PromQL (real Prometheus 400)', code: 'bad-request', query: `${METRIC}{pod=` },
  // ~100 M samples read: Prometheus cannot finish within its 1 ms timeout.
  {
    name: 'Prometheus query timeout (real)',
    code: 'timeout',
    options: { queryTimeoutSeconds: 0.001 },
    query: `sum_over_time(${METRIC}[30h])`,
  },
  { name: '401 echoing headers', code: 'unauthorized', handler: echo(401) },
  { name: '403 echoing headers', code: 'forbidden', handler: echo(403) },
  { name: '404 echoing headers', code: 'not-found', handler: echo(404) },
  { name: '429 echoing headers', code: 'rate-limited', handler: echo(429) },
  { name: '500 echoing headers', code: 'server', handler: echo(500) },
  {
    name: '503 Prometheus-style error echoing headers',
    code: 'server',
    handler: echo(503, (h) => JSON.stringify({ status: 'error', errorType: 'unavailable', error: h })),
  },
  { name: '200 non-JSON echoing headers', code: 'bad-response', handler: echo(200) },
  {
    name: '200 malformed sample echoing a header',
    code: 'bad-response',
    handler: echo(200, (h) =>
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, h]] }] } }),
    ),
  },
  {
    name: '200 malformed labels echoing a header',
    code: 'bad-response',
    handler: echo(200, (h) =>
      JSON.stringify({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { [h]: 1 }, values: [] }] },
      }),
    ),
  },
  { name: 'redirect whose location carries the secrets', code: 'bad-response', handler: echo(302) },
];

/** Everything an error can end up as: message, String(), JSON, util.inspect (console/pino), stack, causes. */
function renderings(error: unknown): string[] {
  const out: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    out.push(String(current), JSON.stringify(current) ?? '', inspect(current, { depth: 10, showHidden: true }));
    if (current instanceof Error) out.push(current.message, current.stack ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

describe('canary secrets never surface in errors', () => {
  for (const kind of ['bearer', 'basic'] as const) {
    it.each(paths)(`${kind} auth: $name`, async (path) => {
      proxy.handle(path.handler);
      try {
        const url = path.url ? await path.url() : proxy.url;
        const source = new PrometheusSource({ url, version: 't', ...auth[kind], ...path.options });
        const signal = path.abortAfterMs ? AbortSignal.timeout(path.abortAfterMs) : undefined;
        const query = {
          query: path.query ?? METRIC,
          start: history.start,
          end: history.end,
          stepSeconds: 10,
          ...(signal ? { signal } : {}),
        };
        const error = await failure(source.queryRange(query));
        expect(error).toBeInstanceOf(MetricsError);
        expect((error as MetricsError).code).toBe(path.code);
        const text = renderings(error).join('\n');
        for (const canary of CANARIES) expect(text).not.toContain(canary);
        if (path.handler && !path.url) {
          // The secrets really were sent (so the test can fail): the proxy saw them.
          expect(JSON.stringify(proxy.requests.at(-1)?.headers)).toContain(CANARY_HEADER);
        }
      } finally {
        proxy.handle(undefined);
      }
    });
  }

  it('refuses credentials in the URL without repeating them', () => {
    let error: unknown;
    try {
      new PrometheusSource({ url: `http://user:${CANARY_PASSWORD}@127.0.0.1:9090`, version: 't' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    for (const text of renderings(error)) expect(text).not.toContain(CANARY_PASSWORD);
  });
});
