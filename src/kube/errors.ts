/**
 * Kubernetes API failures as data. Every adapter call returns one of these instead of throwing, so
 * the caller (the run) decides: stop the action on 'forbidden', treat 'not-found' as done where that
 * is idempotent, re-read on 'conflict', and so on.
 *
 * Messages are built from the API Status `message` only, never from the client's exception text
 * (which embeds the raw body and response headers) — nothing here can carry a token.
 */
import { z } from 'zod';
import type { PortError } from '../model/result.js';
import { parseRetryAfter } from '../model/retry-after.js';
import { transportCodeForStatus, type TransportErrorCode } from '../model/transport.js';

/**
 * The shared transport codes (403 `forbidden`: RBAC said no — stop that action, never retry; 429
 * `rate-limited`: API priority and fairness, or a PodDisruptionBudget on eviction), plus:
 */
export type KubeErrorCode =
  | TransportErrorCode
  | 'conflict' // 409: stale resourceVersion / failed precondition
  | 'already-exists' // 409 with reason AlreadyExists
  | 'invalid' // 400 / 422
  | 'unknown';

/** The port error (src/model/result.ts) with what only the API server says: */
export interface KubeError extends PortError<KubeErrorCode> {
  /** The API Status reason, e.g. "Forbidden", "AlreadyExists", "TooManyRequests". */
  reason?: string;
  /** Status details.causes[].reason, e.g. "DisruptionBudget" on a blocked eviction. */
  causes?: string[];
  /** How many requests were made before giving up (bounded retries). */
  attempts?: number;
  /** The API server's clock (Date header, ms), when it answered. */
  serverDateMs?: number;
}

const statusSchema = z
  .object({
    kind: z.literal('Status').optional(),
    message: z.string().optional(),
    reason: z.string().optional(),
    code: z.number().optional(),
    details: z
      .object({
        retryAfterSeconds: z.number().optional(),
        causes: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
      })
      .optional(),
  })
  .loose();

export function codeForStatus(status: number, reason: string | undefined): KubeErrorCode {
  if (status === 409) return reason === 'AlreadyExists' ? 'already-exists' : 'conflict';
  if (status === 400 || status === 422) return 'invalid';
  return transportCodeForStatus(status) ?? 'unknown';
}

function retryAfterHeader(headers: Record<string, string> | undefined): number | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after');
  return parseRetryAfter(entry?.[1], Date.now());
}

/** The Date header of a response, in ms since the epoch. */
export function headerDateMs(headers: Record<string, string> | undefined): number | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'date');
  const ms = entry ? Date.parse(entry[1]) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function parseStatusBody(body: unknown): z.infer<typeof statusSchema> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const parsed = statusSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Build a KubeError from an HTTP status, response body and headers. Pure. */
export function kubeErrorFromResponse(status: number, body: unknown, headers?: Record<string, string>): KubeError {
  const parsed = parseStatusBody(body);
  const reason = parsed?.reason;
  const retryAfterSeconds = retryAfterHeader(headers) ?? positive(parsed?.details?.retryAfterSeconds);
  const causes = parsed?.details?.causes?.map((c) => c.reason).filter((r): r is string => !!r);
  const error: KubeError = {
    code: codeForStatus(status, reason),
    status,
    message: truncate(parsed?.message ?? `HTTP ${status}`, 500),
  };
  if (reason) error.reason = reason;
  if (retryAfterSeconds !== undefined) error.retryAfterSeconds = retryAfterSeconds;
  if (causes && causes.length > 0) error.causes = causes;
  const serverDateMs = headerDateMs(headers);
  if (serverDateMs !== undefined) error.serverDateMs = serverDateMs;
  return error;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function isApiException(e: unknown): e is ApiExceptionLike {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';
}

/** Map anything a @kubernetes/client-node call can throw to a KubeError. */
export function toKubeError(e: unknown): KubeError {
  if (isApiException(e)) return kubeErrorFromResponse(e.code, e.body, e.headers);
  // Only a failed connection is 'unreachable' (and retried); a client-side mistake such as a bad
  // kubeconfig stays 'unknown' so it is reported at once instead of retried.
  const err = e as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  const sysCode =
    typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  if (sysCode !== undefined || err?.name === 'FetchError') {
    return { code: 'unreachable', message: `API server unreachable${sysCode ? ` (${sysCode})` : ''}` };
  }
  return {
    code: 'unknown',
    message: e instanceof Error ? truncate(e.message.split('\n')[0] ?? '', 300) : 'unknown error',
  };
}

/** An eviction refused because it would violate a PodDisruptionBudget (not API throttling). */
export function isDisruptionBudgetRefusal(error: KubeError): boolean {
  return (
    error.code === 'rate-limited' &&
    ((error.causes ?? []).includes('DisruptionBudget') || /disruption budget/i.test(error.message))
  );
}

/** Short human description for logs, Events and Slack. */
export function describeKubeError(error: KubeError): string {
  const status = error.status !== undefined ? ` (HTTP ${error.status})` : '';
  return `${error.code}${status}: ${error.message}`;
}
