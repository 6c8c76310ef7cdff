import { describe, expect, it } from 'vitest';
import { isDisruptionBudgetRefusal, kubeErrorFromResponse, toKubeError } from './errors.js';

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('kubeErrorFromResponse', () => {
  it.each([
    [401, 'Unauthorized', 'unauthorized'],
    [403, 'Forbidden', 'forbidden'],
    [404, 'NotFound', 'not-found'],
    [409, 'Conflict', 'conflict'],
    [409, 'AlreadyExists', 'already-exists'],
    [422, 'Invalid', 'invalid'],
    [400, 'BadRequest', 'invalid'],
    [429, 'TooManyRequests', 'rate-limited'],
    [500, 'InternalError', 'server'],
    [503, 'ServiceUnavailable', 'server'],
  ] as const)('%d %s → %s', (code, reason, expected) => {
    expect(kubeErrorFromResponse(code, status(code, reason, 'm')).code).toBe(expected);
  });

  it('takes Retry-After from the header, else from Status details', () => {
    expect(
      kubeErrorFromResponse(429, status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '3' }).retryAfterSeconds,
    ).toBe(3);
    expect(
      kubeErrorFromResponse(503, status(503, 'ServiceUnavailable', 'x', { retryAfterSeconds: 2 })).retryAfterSeconds,
    ).toBe(2);
  });

  it('tells a PodDisruptionBudget refusal from API throttling', () => {
    const pdb = kubeErrorFromResponse(
      429,
      status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: 'DisruptionBudget', message: 'needs 1 healthy pods' }],
      }),
    );
    expect(isDisruptionBudgetRefusal(pdb)).toBe(true);
    const throttled = kubeErrorFromResponse(
      429,
      status(429, 'TooManyRequests', 'too many requests, please try again later'),
      { 'Retry-After': '1' },
    );
    expect(isDisruptionBudgetRefusal(throttled)).toBe(false);
  });

  it('never copies the raw body or headers into the message', () => {
    const e = kubeErrorFromResponse(500, 'upstream said Bearer s3cr3t-token', { authorization: 'Bearer s3cr3t-token' });
    expect(JSON.stringify(e)).not.toContain('s3cr3t');
  });
});

describe('toKubeError', () => {
  it('maps a connection failure to unreachable', () => {
    const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(toKubeError(err)).toMatchObject({ code: 'unreachable', message: 'API server unreachable (ECONNREFUSED)' });
    const fetchError = Object.assign(new Error('request to https://10.0.0.1/api failed, reason: connect ETIMEDOUT'), {
      name: 'FetchError',
      type: 'system',
      code: 'ETIMEDOUT',
    });
    expect(toKubeError(fetchError)).toMatchObject({
      code: 'unreachable',
      message: 'API server unreachable (ETIMEDOUT)',
    });
  });

  it('keeps a client-side configuration error as unknown (reported, not retried)', () => {
    const err = new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false');
    expect(toKubeError(err)).toEqual({
      code: 'unknown',
      message: 'HTTP protocol is not allowed when skipTLSVerify is not set or false',
    });
  });
});
