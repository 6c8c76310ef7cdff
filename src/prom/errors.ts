import type { PortError } from '../model/result.js';
import { transportCodeForStatus, type TransportErrorCode } from '../model/transport.js';

/**
 * Why a metrics query failed. The caller decides what to do (retry next run, alert, exit 1); the
 * codes are the only vocabulary it needs. The shared transport codes (src/model/transport.ts):
 * - unreachable: connection refused/reset, DNS failure, no route
 * - timeout: the HTTP timeout elapsed, or Prometheus' own query timeout did
 * - unauthorized: 401; forbidden: 403; not-found: 404 (a wrong path prefix)
 * - rate-limited: 429, with retryAfterSeconds when the server said
 * - server: 5xx
 * and what only a metrics store reports:
 * - tls: certificate not trusted, name mismatch, TLS handshake failure
 * - aborted: the caller's signal (normally the job deadline) fired
 * - bad-request: 400/422 and other 4xx (bad PromQL) — Prometheus' text included
 * - bad-response: not a Prometheus answer (schema mismatch, not JSON, redirect)
 * - limit: the answer would exceed a limit — the server's own (series, points, samples), or
 *   leakguard's (prometheus.maxSeries, prometheus.maxResponseBytes); the message names the limit.
 *   Not transient: the same query fails again.
 * - credentials: the bearer token or password file could not be read
 */
export type MetricsErrorCode =
  TransportErrorCode | 'tls' | 'aborted' | 'bad-request' | 'bad-response' | 'limit' | 'credentials';

export interface MetricsErrorDetails {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Prometheus' `errorType` (bad_data, execution, timeout, …), when the body carried one. */
  errorType?: string;
  /** Node's error code (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, …), when there was one. */
  systemCode?: string;
  /** Seconds to wait before retrying, from a 429/503 Retry-After header. */
  retryAfterSeconds?: number;
}

/**
 * A failed metrics query. Carries no request configuration, headers or underlying library error,
 * so it is safe to log, serialise and put in Events: messages are built only from the redacted URL,
 * the status and the server's (redacted) error text.
 */
export class MetricsError extends Error implements PortError<MetricsErrorCode> {
  override readonly name = 'MetricsError';
  readonly status?: number;
  readonly errorType?: string;
  readonly systemCode?: string;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    details: MetricsErrorDetails = {},
  ) {
    super(message);
    if (details.status !== undefined) this.status = details.status;
    if (details.errorType !== undefined) this.errorType = details.errorType;
    if (details.systemCode !== undefined) this.systemCode = details.systemCode;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** Worth trying again later (next run, or after retryAfterSeconds). */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      errorType: this.errorType,
      systemCode: this.systemCode,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

const TRANSIENT = new Set<MetricsErrorCode>(['unreachable', 'timeout', 'rate-limited', 'server']);

/**
 * Maps an HTTP error status (and Prometheus' errorType and error text) to a code. Prometheus
 * reports its query timeout as `timeout`, except when the deadline fires while storage is
 * reading series: then it answers 422 `execution` "expanding series: context deadline exceeded".
 * That is the same timeout, and as transient, not a bad query.
 */
export function codeForStatus(status: number, errorType?: string, error?: string): MetricsErrorCode {
  if (errorType === 'timeout') return 'timeout';
  if (status >= 400 && error !== undefined && serverLimit(error) !== undefined) return 'limit';
  if (errorType === 'execution' && error?.includes('context deadline exceeded')) return 'timeout';
  const shared = transportCodeForStatus(status);
  if (shared) return shared;
  if (status >= 400) return 'bad-request';
  return 'bad-response';
}

/** What a user can change when the profile's query meets a server limit of each kind. */
const REMEDY = {
  series: "narrow the profile (namespace, container) or raise the server's limit",
  points: "raise prometheus.step or the server's limit",
  samples: "raise prometheus.step, narrow the profile (namespace, container), or raise the server's limit",
} as const;

/**
 * The server limits leakguard's one-query-per-profile can run into, recognised in the error text as
 * each server words it (the texts are those the real servers answer in test/prom/).
 */
const LIMITS: readonly { pattern: RegExp; name: (match: RegExpExecArray) => string; kind: keyof typeof REMEDY }[] = [
  // VictoriaMetrics: "too many points for the given step=…: 1800; cannot exceed -search.maxPointsPerTimeseries=100"
  {
    pattern: /cannot exceed (-search\.maxPointsPerTimeseries)=(\d+)/,
    name: (m) => `VictoriaMetrics' ${m[1]}=${m[2]}`,
    kind: 'points',
  },
  // VictoriaMetrics: "the number of matching timeseries exceeds 2; either narrow down the search or increase -search.max* …"
  {
    pattern: /the number of matching timeseries exceeds (\d+)/,
    name: (m) => `VictoriaMetrics' -search.maxUniqueTimeseries=${m[1]}`,
    kind: 'series',
  },
  // Prometheus: "exceeded maximum resolution of 11,000 points per timeseries"
  {
    pattern: /exceeded maximum resolution of ([\d,]+) points per timeseries/,
    name: (m) => `Prometheus' ${m[1]} points per series`,
    kind: 'points',
  },
  // Prometheus: "query processing would load too many samples into memory in query execution"
  {
    pattern: /would load too many samples into memory/,
    name: () => "Prometheus' --query.max-samples",
    kind: 'samples',
  },
];

/** "over <the limit>: <what to change>" when `error` is a server refusing a query over a limit. */
export function serverLimit(error: string): string | undefined {
  for (const { pattern, name, kind } of LIMITS) {
    const match = pattern.exec(error);
    if (match) return `over ${name(match)}: ${REMEDY[kind]}`;
  }
  return undefined;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'ERR_SOCKET_CLOSED',
]);
const TLS_PREFIXES = [
  'ERR_TLS_',
  'ERR_SSL_',
  'CERT_',
  'UNABLE_TO_',
  'DEPTH_ZERO_',
  'SELF_SIGNED_',
  'HOSTNAME_MISMATCH',
  'EPROTO',
  'ERR_OSSL_',
];

/** Maps a Node network error code to a MetricsError code; undefined when it is not a network error. */
export function codeForSystemError(systemCode: string | undefined): MetricsErrorCode | undefined {
  if (!systemCode) return undefined;
  if (UNREACHABLE.has(systemCode)) return 'unreachable';
  if (TLS_PREFIXES.some((prefix) => systemCode.startsWith(prefix))) return 'tls';
  if (systemCode === 'ETIMEDOUT' || systemCode === 'ECONNABORTED') return 'timeout';
  return undefined;
}
