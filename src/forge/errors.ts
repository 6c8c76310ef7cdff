/** Maps whatever a GitHub call threw to a ForgeError (status → code), with secrets redacted. */
import { ZodError } from 'zod';
import { BumpError } from './bump/types.js';
import { RefusedWriteError } from './github-writes.js';
import { redact } from '../model/redact.js';
import { parseRetryAfter } from '../model/retry-after.js';
import { transportCodeForStatus } from '../model/transport.js';
import type { ForgeError, ForgeErrorCode } from './types.js';

interface HttpLikeError {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isHttpLike(err: unknown): err is HttpLikeError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

function header(err: HttpLikeError, name: string): string | undefined {
  const v = err.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
}

/** GitHub's own message from the error body, without the docs URL octokit appends. */
function apiMessage(err: HttpLikeError): string {
  const data = err.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return err.message.replace(/ - https?:\/\/\S+$/, '');
}

/** Seconds until a rate limit lifts, from `retry-after` or `x-ratelimit-reset` (epoch seconds). */
export function rateLimitRetryAfter(err: HttpLikeError, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfter(header(err, 'retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(header(err, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - nowMs / 1000));
  return undefined;
}

export function isRateLimit(err: HttpLikeError): boolean {
  if (err.status === 429) return true;
  if (err.status !== 403) return false;
  return header(err, 'x-ratelimit-remaining') === '0' || /rate limit/i.test(apiMessage(err));
}

/** A 429 never reaches here (isRateLimit handles it first, with its wait). */
function codeFor(status: number): ForgeErrorCode {
  return transportCodeForStatus(status) ?? 'unprocessable';
}

const HINTS: Partial<Record<ForgeErrorCode, string>> = {
  unauthorized: 'GitHub rejected the credentials (check the token file or the App id, installation id and key)',
  forbidden: 'GitHub denied the request (the token or App lacks contents/pull-requests write on the repository)',
  'not-found': 'GitHub found no such repository, branch or file (or the credentials cannot see it)',
  'rate-limited': 'GitHub rate limit reached; deferred to the next run',
};

/**
 * @param what - the step that failed, e.g. "create branch leakguard/x-1.15.9"
 * @param secrets - values that must never appear in the message
 */
export function toForgeError(err: unknown, what: string, secrets: readonly string[], nowMs = Date.now()): ForgeError {
  const safe = (s: string) => redact(s, secrets);
  if (err instanceof BumpError) {
    const code = err.code === 'version-not-found' || err.code === 'not-bumped' ? err.code : 'invalid-file';
    return { code, message: safe(err.message) };
  }
  if (err instanceof RefusedWriteError) return { code: 'refused', message: safe(err.message) };
  if (err instanceof ZodError) {
    return {
      code: 'invalid-response',
      message: safe(`${what}: unexpected answer from GitHub (${err.issues[0]?.message ?? 'invalid'})`),
    };
  }
  if (isHttpLike(err)) {
    // Octokit reports transport failures (refused, reset, timeout) as status 500 without a response.
    if (err.response === undefined) {
      return { code: 'unreachable', message: safe(`${what}: ${err.message}`) };
    }
    if (isRateLimit(err)) {
      const retryAfterSeconds = rateLimitRetryAfter(err, nowMs);
      return {
        code: 'rate-limited',
        status: err.status,
        message: safe(
          `${what}: ${HINTS['rate-limited']}${retryAfterSeconds === undefined ? '' : ` (resets in ${retryAfterSeconds}s)`}`,
        ),
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      };
    }
    const code = codeFor(err.status);
    const hint = HINTS[code];
    return {
      code,
      status: err.status,
      message: safe(`${what}: HTTP ${err.status} ${apiMessage(err)}${hint ? ` — ${hint}` : ''}`),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'unexpected', message: safe(`${what}: ${message}`) };
}
