/**
 * One place where API calls are made: exceptions become KubeError data, and throttling (429) or
 * server trouble (5xx, no response) is retried a bounded number of times, honouring Retry-After,
 * but never past the deadline. Everything else (403, 404, 409, 422) returns at once: those are
 * answers, not hiccups.
 *
 * No request waits for ever: each one is aborted after `requestTimeoutMs`, or when the run's signal
 * fires (its deadline), whichever comes first, and none is sent once that signal has fired. The
 * signal reaches the HTTP request through the client's middleware (src/kube/client.ts), which reads it
 * from `requestSignal` for the call in progress.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { toKubeError, type KubeError } from './errors.js';

export type ApiResult<T> = { ok: true; value: T; attempts: number } | { ok: false; error: KubeError };

export interface RetryPolicy {
  /** Total requests per call, first one included. @default 4 */
  maxAttempts: number;
  /** No retry is started if it would end after this much time since the first request. @default 20s */
  deadlineMs: number;
  /** Backoff when the server gives no Retry-After; doubles per attempt. @default 500 */
  baseDelayMs: number;
  /** Cap on any single wait, Retry-After included. @default 10s */
  maxDelayMs: number;
  /** One request without an answer (headers and body) by then is aborted. @default 30s */
  requestTimeoutMs: number;
  /** The same for a request allowed after the run's deadline (`CallOptions.afterDeadline`). @default 5s */
  afterDeadlineTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  deadlineMs: 20_000,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  requestTimeoutMs: 30_000,
  afterDeadlineTimeoutMs: 5_000,
};

/** The abort signal of the request being made, for the client's middleware to attach. */
export const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Monotonic time and sleeping, injectable so retry tests do not wait. */
export interface Clock {
  monotonicMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface CallOptions {
  /** Do not retry this 429 (an eviction blocked by a PDB is an answer). */
  noRetry?: (error: KubeError) => boolean;
  /**
   * Giving the run lock back: safe after the deadline (only its holder can, on the resourceVersion it
   * read), and it spares the next run the wait. Bounded by `RetryPolicy.afterDeadlineTimeoutMs` instead.
   */
  afterDeadline?: boolean;
}

function retryable(error: KubeError): boolean {
  return error.code === 'rate-limited' || error.code === 'server' || error.code === 'unreachable';
}

function deadlineError(attempts: number): KubeError {
  return { code: 'timeout', message: 'stopped at the run deadline', attempts };
}

/** `runSignal`: the run's own (its deadline); every request is also bounded by `policy.requestTimeoutMs`. */
export function createCaller(policy: RetryPolicy, clock: Clock, runSignal?: AbortSignal) {
  return async function call<T>(fn: () => Promise<T>, options: CallOptions = {}): Promise<ApiResult<T>> {
    const started = clock.monotonicMs();
    const bound = options.afterDeadline ? undefined : runSignal;
    const timeoutMs = options.afterDeadline ? policy.afterDeadlineTimeoutMs : policy.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (bound?.aborted) return { ok: false, error: deadlineError(attempt - 1) };
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        const signal = bound ? AbortSignal.any([bound, timeout]) : timeout;
        return { ok: true, value: await requestSignal.run(signal, fn), attempts: attempt };
      } catch (e) {
        if (bound?.aborted) return { ok: false, error: deadlineError(attempt) };
        const error: KubeError = timeout.aborted
          ? { code: 'timeout', message: `no answer from the API server within ${timeoutMs / 1000}s`, attempts: attempt }
          : { ...toKubeError(e), attempts: attempt };
        if (!retryable(error) || options.noRetry?.(error) || attempt >= policy.maxAttempts) return { ok: false, error };
        const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
        const wait = Math.min(
          policy.maxDelayMs,
          error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoff,
        );
        if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds * 1000 > policy.maxDelayMs)
          return { ok: false, error };
        if (clock.monotonicMs() - started + wait > policy.deadlineMs) return { ok: false, error };
        await clock.sleep(wait);
      }
    }
  };
}

export type Caller = ReturnType<typeof createCaller>;
