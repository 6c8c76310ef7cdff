/**
 * The run lock: a coordination.k8s.io/v1 Lease in leakguard's namespace. One actor at a time
 * (a manual Job beside the scheduled one): every create/replace carries a precondition (create fails with AlreadyExists,
 * replace carries the resourceVersion we read), so of two simultaneous runs exactly one wins.
 *
 * Expiry without comparing clocks across machines (their clocks may be skewed). A one-shot CronJob run cannot watch
 * a lease for leaseDurationSeconds on its own monotonic clock as client-go's leader election
 * does, so every time involved is the API server's:
 *  - a writer stamps acquireTime/renewTime with the API server's clock, taken from the Date header
 *    of the response it just got, plus the monotonic time elapsed since that response;
 *  - a reader judges "renewTime + leaseDurationSeconds is past" against the Date header of its own
 *    read of the Lease.
 * Both sides read one clock, so skew between the machines running leakguard and the API server
 * does not matter. An allowance (max(5 s, 10 % of the duration)) covers the Date header's
 * one-second resolution and HA API servers whose clocks differ slightly.
 * Independently, when the holder recorded its pod (annotation `leakguard.io/holder-pod`) and that
 * pod is gone or has finished (Succeeded/Failed), the lease is taken over at once: a Job pod that
 * was killed mid-run does not block the next run for the whole duration.
 */
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { CallOptions } from './call.js';
import type { KubeContext } from './context.js';
import { headerDateMs } from './errors.js';
import type { LeaseRequest, LeaseResult, ReleaseResult } from './types.js';
import { runText } from '../report/run-text.js';

export const holderPodAnnotation = 'leakguard.io/holder-pod';

interface ServerClock {
  dateMs: number;
  observedAtMonoMs: number;
}

function serverNowMs(ctx: KubeContext, clock: ServerClock): number {
  return clock.dateMs + (ctx.clock.monotonicMs() - clock.observedAtMonoMs);
}

function timeMs(t: Date | string | undefined): number | null {
  if (t === undefined) return null;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

export function expiryAllowanceMs(durationSeconds: number): number {
  return Math.max(5_000, durationSeconds * 100);
}

/**
 * The longest term a holder can rightly have left when leakguard's own lock lasts `durationSeconds`: a
 * full term just renewed, plus one more allowance for a renewTime stamped by a server whose clock is ahead.
 */
export function longestTermMs(durationSeconds: number): number {
  return durationSeconds * 1000 + 2 * expiryAllowanceMs(durationSeconds);
}

/**
 * Pure: is the lease's holder still inside its term, by the API server's clock? A term reaching further
 * than `ownDurationSeconds` (leakguard's lock.duration) allows is `invalid`: no leakguard with this
 * configuration wrote it (a hand-edited 68-year lease, a renewTime in the future), so it is neither
 * obeyed as a lock for years nor taken over as if expired.
 */
export function judgeLease(
  lease: V1Lease,
  serverNow: number,
  ownDurationSeconds?: number,
): { expired: boolean; remainingMs: number | null; invalid: boolean } {
  const renew = timeMs(lease.spec?.renewTime ?? lease.spec?.acquireTime);
  const duration = lease.spec?.leaseDurationSeconds;
  if (renew === null || duration === undefined) return { expired: true, remainingMs: null, invalid: false };
  const remainingMs = renew + duration * 1000 + expiryAllowanceMs(duration) - serverNow;
  const invalid = ownDurationSeconds !== undefined && remainingMs > longestTermMs(ownDurationSeconds);
  return { expired: remainingMs < 0, remainingMs, invalid };
}

function leaseBody(request: LeaseRequest, nowMs: number, previous?: V1Lease): V1Lease {
  const annotations = { ...(previous?.metadata?.annotations ?? {}) };
  delete annotations[holderPodAnnotation];
  if (request.holderPod) annotations[holderPodAnnotation] = request.holderPod;
  const renewing = previous?.spec?.holderIdentity === request.identity;
  const stamp = new V1MicroTime(nowMs);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    // resourceVersion (from `previous`) makes the replace conditional; managedFields are the server's.
    metadata: {
      ...previous?.metadata,
      managedFields: undefined,
      name: request.name,
      namespace: request.namespace,
      annotations,
    },
    spec: {
      holderIdentity: request.identity,
      leaseDurationSeconds: request.durationSeconds,
      acquireTime: renewing ? previous?.spec?.acquireTime : stamp,
      renewTime: stamp,
      leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (renewing || !previous ? 0 : 1),
    },
  };
}

async function readLease(ctx: KubeContext, request: LeaseRequest, options: CallOptions = {}) {
  const read = await ctx.call(
    () => ctx.coordination.readNamespacedLeaseWithHttpInfo({ name: request.name, namespace: request.namespace }),
    options,
  );
  const observedAtMonoMs = ctx.clock.monotonicMs();
  if (!read.ok)
    return {
      ok: false as const,
      error: read.error,
      clock: { dateMs: read.error.serverDateMs ?? Date.now(), observedAtMonoMs },
    };
  const dateMs = headerDateMs(read.value.headers) ?? Date.now();
  return { ok: true as const, lease: read.value.data, clock: { dateMs, observedAtMonoMs } };
}

async function currentHolder(
  ctx: KubeContext,
  request: LeaseRequest,
  options: CallOptions = {},
): Promise<string | null> {
  const read = await readLease(ctx, request, options);
  return read.ok ? (read.lease.spec?.holderIdentity ?? null) : null;
}

/** Whether the holder's recorded pod is gone or finished (false when unknown or not recorded). */
async function holderPodIsDead(ctx: KubeContext, lease: V1Lease): Promise<string | null> {
  const pod = lease.metadata?.annotations?.[holderPodAnnotation];
  const namespace = lease.metadata?.namespace;
  if (!pod || !namespace) return null;
  const read = await ctx.call(() => ctx.core.readNamespacedPod({ name: pod, namespace }));
  if (!read.ok) return read.error.code === 'not-found' ? `holder pod ${pod} is gone` : null;
  const phase = read.value.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' ? `holder pod ${pod} has ${phase.toLowerCase()}` : null;
}

export async function acquireLease(ctx: KubeContext, request: LeaseRequest): Promise<LeaseResult> {
  const { name, namespace } = request;
  const read = await readLease(ctx, request);
  if (!read.ok) {
    if (read.error.code !== 'not-found')
      return { outcome: 'failed', reason: 'could not read the lock', error: read.error };
    const body = leaseBody(request, serverNowMs(ctx, read.clock));
    const created = await ctx.call(() =>
      ctx.coordination.createNamespacedLease({ namespace, body, fieldManager: ctx.fieldManager }),
    );
    if (created.ok) return { outcome: 'acquired', holder: request.identity, reason: 'created' };
    if (created.error.code === 'already-exists') {
      return {
        outcome: 'held',
        holder: await currentHolder(ctx, request),
        reason: 'another run created the lock first',
      };
    }
    return { outcome: 'failed', reason: 'could not create the lock', error: created.error };
  }

  const lease = read.lease;
  const holder = lease.spec?.holderIdentity ?? null;
  let why: string;
  if (holder === request.identity) why = 'renewed';
  else if (!holder) why = 'free';
  else {
    const judged = judgeLease(lease, serverNowMs(ctx, read.clock), request.durationSeconds);
    if (judged.invalid) {
      const seconds = Math.ceil((judged.remainingMs ?? 0) / 1000);
      const reason = runText.lockInvalid(holder, seconds, request.durationSeconds, namespace, name);
      return { outcome: 'invalid', holder, reason };
    }
    const deadPod = judged.expired ? null : await holderPodIsDead(ctx, lease);
    if (!judged.expired && !deadPod) {
      const seconds = judged.remainingMs === null ? null : Math.ceil(judged.remainingMs / 1000);
      return { outcome: 'held', holder, reason: runText.lockHeld(holder, seconds) };
    }
    why = runText.lockTakenOver(holder, deadPod);
  }
  const body = leaseBody(request, serverNowMs(ctx, read.clock), lease);
  const replaced = await ctx.call(() =>
    ctx.coordination.replaceNamespacedLease({ name, namespace, body, fieldManager: ctx.fieldManager }),
  );
  if (replaced.ok) return { outcome: 'acquired', holder: request.identity, reason: why };
  if (replaced.error.code === 'conflict') {
    return { outcome: 'held', holder: await currentHolder(ctx, request), reason: 'another run took the lock first' };
  }
  return { outcome: 'failed', reason: 'could not update the lock', error: replaced.error };
}

/** Give the lock back so the next run need not wait for expiry. Only the holder may; also after the run's deadline. */
export async function releaseLease(ctx: KubeContext, request: LeaseRequest): Promise<ReleaseResult> {
  const afterDeadline: CallOptions = { afterDeadline: true };
  const read = await readLease(ctx, request, afterDeadline);
  if (!read.ok)
    return read.error.code === 'not-found'
      ? { outcome: 'not-holder', holder: null }
      : { outcome: 'failed', error: read.error };
  const holder = read.lease.spec?.holderIdentity ?? null;
  if (holder !== request.identity) return { outcome: 'not-holder', holder };
  const annotations = { ...(read.lease.metadata?.annotations ?? {}) };
  delete annotations[holderPodAnnotation];
  const body: V1Lease = {
    ...read.lease,
    metadata: { ...read.lease.metadata, managedFields: undefined, annotations },
    spec: {
      ...read.lease.spec,
      holderIdentity: undefined,
      leaseDurationSeconds: 1,
      renewTime: new V1MicroTime(serverNowMs(ctx, read.clock)),
    },
  };
  const replaced = await ctx.call(
    () =>
      ctx.coordination.replaceNamespacedLease({
        name: request.name,
        namespace: request.namespace,
        body,
        fieldManager: ctx.fieldManager,
      }),
    afterDeadline,
  );
  if (replaced.ok) return { outcome: 'released' };
  if (replaced.error.code === 'conflict')
    return { outcome: 'not-holder', holder: await currentHolder(ctx, request, afterDeadline) };
  return { outcome: 'failed', error: replaced.error };
}
