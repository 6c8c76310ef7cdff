import { describe, expect, it } from 'vitest';
import { safeUrl } from '../model/redact.js';
import { MetricsError, codeForStatus, codeForSystemError, serverLimit } from './errors.js';
import { defaultQueryTimeoutSeconds } from './prometheus.js';
import { formatDuration } from '../model/units.js';
import { promGraphUrl } from './queries.js';

describe('codeForStatus', () => {
  it.each([
    [400, undefined, 'bad-request'],
    [422, 'execution', 'bad-request'],
    [422, 'execution: expanding series: context deadline exceeded', 'timeout'],
    // One meaning per status across every adapter (src/model/transport.ts).
    [404, undefined, 'not-found'],
    [401, undefined, 'unauthorized'],
    [403, undefined, 'forbidden'],
    [429, undefined, 'rate-limited'],
    [500, 'internal', 'server'],
    [502, undefined, 'server'],
    [503, 'timeout', 'timeout'],
    [503, 'unavailable', 'server'],
    [200, 'timeout', 'timeout'],
    [200, 'bad_data', 'bad-response'],
  ] as const)('%i %s → %s', (status, errorTypeAndText, code) => {
    const [errorType, error] =
      errorTypeAndText === undefined
        ? []
        : [errorTypeAndText.split(': ')[0], errorTypeAndText.split(': ').slice(1).join(': ')];
    expect(codeForStatus(status, errorType, error)).toBe(code);
  });
});

describe('serverLimit', () => {
  // Error texts as the real servers answer them (test/prom/victoria-metrics.test.ts and
  // live-prometheus.test.ts meet each limit).
  it.each([
    [
      'error when searching tsids: the number of matching timeseries exceeds 2; either narrow down the search or increase -search.max* command-line flag values at vmselect',
      "over VictoriaMetrics' -search.maxUniqueTimeseries=2: narrow the profile (namespace, container) or raise the server's limit",
    ],
    [
      'too many points for the given step=60000, start=1 and end=2: 1800; cannot exceed -search.maxPointsPerTimeseries=100',
      "over VictoriaMetrics' -search.maxPointsPerTimeseries=100: raise prometheus.step or the server's limit",
    ],
    [
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      "over Prometheus' 11,000 points per series: raise prometheus.step or the server's limit",
    ],
    [
      'query processing would load too many samples into memory in query execution',
      "over Prometheus' --query.max-samples: raise prometheus.step, narrow the profile (namespace, container), or raise the server's limit",
    ],
  ])('%s', (error, limit) => {
    expect(serverLimit(error)).toBe(limit);
    expect(codeForStatus(422, 'execution', error)).toBe('limit');
  });

  it('leaves other errors alone', () => {
    expect(serverLimit('parse error at char 5: unexpected end of input')).toBeUndefined();
    expect(codeForStatus(400, 'bad_data', 'parse error: unexpected "}"')).toBe('bad-request');
  });
});

describe('codeForSystemError', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
    ['ECONNRESET', 'unreachable'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['ETIMEDOUT', 'timeout'],
    ['ERR_SOMETHING_ELSE', undefined],
    [undefined, undefined],
  ] as const)('%s → %s', (systemCode, code) => {
    expect(codeForSystemError(systemCode)).toBe(code);
  });
});

describe('safeUrl', () => {
  it('drops credentials, query and fragment from a URL', () => {
    expect(safeUrl('https://u:p@prom.example:9090/select/0/prometheus/api/v1/query_range?x=1#y')).toBe(
      'https://prom.example:9090/select/0/prometheus/api/v1/query_range',
    );
    expect(safeUrl('not a url')).toBe('(invalid URL)');
  });
});

describe('MetricsError', () => {
  it('serialises to its code, message and details only', () => {
    const error = new MetricsError('rate-limited', 'slow down', { status: 429, retryAfterSeconds: 5 });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'MetricsError',
      code: 'rate-limited',
      message: 'slow down',
      status: 429,
      retryAfterSeconds: 5,
    });
    expect(String(error)).toBe('MetricsError: slow down');
    expect(error.transient).toBe(true);
    expect(new MetricsError('bad-request', 'x').transient).toBe(false);
  });
});

describe('defaultQueryTimeoutSeconds', () => {
  it.each([
    [60, 55],
    [30, 27],
    [10, 9],
    [2, 1.5],
    [0.5, 0.25],
  ])('HTTP %ss → Prometheus %ss', (http, query) => {
    expect(defaultQueryTimeoutSeconds(http)).toBe(query);
  });

  it('is always positive and below the HTTP timeout', () => {
    for (let http = 0.01; http < 600; http *= 1.7) {
      const query = defaultQueryTimeoutSeconds(http);
      expect(query).toBeGreaterThan(0);
      expect(query).toBeLessThan(http);
    }
  });
});

describe('promGraphUrl', () => {
  it('links to the graph page under the path prefix, with the query and range', () => {
    const url = new URL(
      promGraphUrl(
        'https://thanos.example/prometheus/',
        'max by (pod) (container_memory_working_set_bytes{namespace="rook-ceph"})',
        86400,
      ),
    );
    expect(url.origin + url.pathname).toBe('https://thanos.example/prometheus/graph');
    expect(url.searchParams.get('g0.expr')).toBe(
      'max by (pod) (container_memory_working_set_bytes{namespace="rook-ceph"})',
    );
    expect(url.searchParams.get('g0.range_input')).toBe('1d');
    expect(url.searchParams.get('g0.tab')).toBe('0');
  });

  it.each([
    [86400, '1d'],
    [604800, '1w'],
    [5400, '90m'],
    [7200, '2h'],
    [45, '45s'],
    [0, '1s'],
  ])('%is → %s', (seconds, text) => {
    expect(formatDuration(seconds, { weeks: true })).toBe(text);
  });
});
