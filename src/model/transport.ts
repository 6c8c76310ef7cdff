/**
 * The failure codes every adapter shares, so a caller branches the same way on a failed query, patch,
 * pull request or message. Each adapter's own code union extends this set with what only it knows
 * (Kubernetes: conflict; Prometheus: a bad query; GitHub: a file without the version; …). Pure.
 */
export type TransportErrorCode =
  /** 401: the credentials are missing, expired or wrong. */
  | 'unauthorized'
  /** 403: authenticated, but not allowed (RBAC, token scope). */
  | 'forbidden'
  | 'not-found'
  /** 429 (or a 403 that says so): wait `retryAfterSeconds` when given. */
  | 'rate-limited'
  /** 5xx. */
  | 'server'
  /** No HTTP answer at all: DNS, TCP, TLS, a reset connection. */
  | 'unreachable'
  | 'timeout';

/** The shared meaning of an HTTP status, or undefined where the adapter decides (400, 409, 422, …). */
export function transportCodeForStatus(status: number): TransportErrorCode | undefined {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return undefined;
}
