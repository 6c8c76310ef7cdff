/**
 * The two ways to restart a leaking container: a rollout restart of its workload (what
 * `kubectl rollout restart` does), or an eviction of one pod through the Eviction API, which
 * honours PodDisruptionBudgets. Both are idempotent per action ID.
 */
import type { V1Eviction } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type WorkloadRef, workloadKey } from '../model/workload.js';
import {
  backOffAfterConflict,
  isRestartable,
  maxConflictRetries,
  patchWorkload,
  readWorkload,
  type KubeContext,
} from './context.js';
import { describeKubeError, isDisruptionBudgetRefusal } from './errors.js';
import { controllerOf } from './facts.js';
import type { ActionOutcome, RestartMode } from '../model/action.js';
import type { EvictResult, PodRef, Remediator, RestartCheck, RestartHappenedResult, RestartResult } from './types.js';
import { restartText } from '../report/run-text.js';

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';
/** On the pod template next to restartedAt: which leakguard action caused this rollout. */
export const restartIdAnnotation = 'leakguard.io/restart-id';

/** RFC 3339 to the second, as kubectl writes it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export async function restartWorkload(ctx: KubeContext, ref: WorkloadRef, actionId: string): Promise<RestartResult> {
  if (!isRestartable(ref.kind)) {
    return {
      outcome: 'unsupported',
      message: restartText.noTemplate(ref.kind, ref.name),
    };
  }
  const kindRef = { ...ref, kind: ref.kind };
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const read = await readWorkload(ctx, ref);
    if (!read.ok)
      return 'unsupported' in read
        ? { outcome: 'unsupported', message: ref.kind }
        : { outcome: 'failed', error: read.error };
    const object = read.value.object;
    if (object.spec?.template.metadata?.annotations?.[restartIdAnnotation] === actionId)
      return { outcome: 'already-done' };
    if (read.value.kind === 'Deployment' && read.value.object.spec?.paused) {
      return { outcome: 'unsupported', message: restartText.paused(ref.name) };
    }
    const restartedAt = rfc3339Seconds(new Date());
    const body = {
      metadata: { resourceVersion: object.metadata?.resourceVersion },
      spec: {
        template: {
          metadata: { annotations: { [restartedAtAnnotation]: restartedAt, [restartIdAnnotation]: actionId } },
        },
      },
    };
    const patched = await patchWorkload(ctx, kindRef, body, 'strategic');
    if (patched.ok) {
      ctx.logger.info({ workload: workloadKey(ref), actionId }, 'rollout restart requested');
      return { outcome: 'restarted', restartedAt };
    }
    // 409: the object moved (status update, or a twin run restarting it): re-read and re-check the action ID.
    if (patched.error.code !== 'conflict') return { outcome: 'failed', error: patched.error };
    await backOffAfterConflict(ctx, attempt);
  }
  return {
    outcome: 'failed',
    error: { code: 'conflict', message: `restart of ${ref.name} kept conflicting after ${maxConflictRetries} retries` },
  };
}

export async function evictPod(ctx: KubeContext, pod: PodRef, actionId: string): Promise<EvictResult> {
  const { name, namespace } = pod;
  const read = await ctx.call(() => ctx.core.readNamespacedPod({ name, namespace }));
  if (!read.ok)
    return read.error.code === 'not-found' ? { outcome: 'already-gone' } : { outcome: 'failed', error: read.error };
  const live = read.value;
  const uid = live.metadata?.uid;
  if (pod.uid && uid !== pod.uid) return { outcome: 'already-gone' };
  if (live.metadata?.deletionTimestamp) return { outcome: 'already-gone' };
  if (!controllerOf(live.metadata)) {
    return { outcome: 'refused', message: restartText.noController(namespace, name) };
  }
  const body: V1Eviction = {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name, namespace },
    // The uid precondition makes a retried or repeated eviction miss a replacement pod of the same name.
    deleteOptions: uid ? { preconditions: { uid } } : {},
  };
  const evicted = await ctx.call(() => ctx.core.createNamespacedPodEviction({ name, namespace, body }), {
    // A PDB refusal is an answer, and so is the 500 for a pod covered by several PDBs: neither is retried.
    noRetry: (e) => isDisruptionBudgetRefusal(e) || /more than one PodDisruptionBudget/i.test(e.message),
  });
  if (evicted.ok) {
    ctx.logger.info({ pod: `${namespace}/${name}`, actionId }, 'pod evicted');
    return { outcome: 'evicted' };
  }
  const error = evicted.error;
  if (isDisruptionBudgetRefusal(error)) return { outcome: 'blocked', message: error.message };
  if (error.code === 'not-found' || error.code === 'conflict') return { outcome: 'already-gone' };
  return { outcome: 'failed', error };
}

/** Read-only check of a restart a dead run recorded as intended (see Cluster.restartHappened). */
export async function restartHappened(
  ctx: KubeContext,
  ref: WorkloadRef,
  check: RestartCheck,
): Promise<RestartHappenedResult> {
  if (check.mode === 'evict') {
    if (!check.pod) return { outcome: 'not-happened', detail: 'the intent names no pod' };
    const { name, namespace, uid } = check.pod;
    const read = await ctx.call(() => ctx.core.readNamespacedPod({ name, namespace }));
    if (!read.ok)
      return read.error.code === 'not-found' ? { outcome: 'happened' } : { outcome: 'failed', error: read.error };
    const live = read.value.metadata;
    if ((uid && live?.uid !== uid) || live?.deletionTimestamp) return { outcome: 'happened' };
    return { outcome: 'not-happened', detail: `pod ${namespace}/${name} is still running` };
  }
  if (!isRestartable(ref.kind))
    return { outcome: 'not-happened', detail: `${ref.kind} ${ref.name} has no pod template` };
  const read = await readWorkload(ctx, ref);
  if (!read.ok)
    return 'unsupported' in read
      ? { outcome: 'not-happened', detail: ref.kind }
      : { outcome: 'failed', error: read.error };
  const id = read.value.object.spec?.template.metadata?.annotations?.[restartIdAnnotation];
  return id === check.actionId
    ? { outcome: 'happened' }
    : { outcome: 'not-happened', detail: `the pod template does not carry restart ${check.actionId}` };
}

/**
 * A restart as planned or recorded: the leaking pod evicted, or the workload rolled out, tied to the
 * action ID; its outcome as plain data (a port failure keeps its code).
 */
export async function restartAs(
  remediator: Remediator,
  workload: WorkloadRef,
  how: { mode: RestartMode; actionId: string; pod?: PodRef | undefined },
): Promise<ActionOutcome> {
  if (how.mode === 'evict' && how.pod) {
    const result = await remediator.evictPod(how.pod, how.actionId);
    if (result.outcome === 'evicted') return { kind: 'evicted' };
    if (result.outcome === 'already-gone') return { kind: 'already-done' };
    if (result.outcome === 'blocked') return { kind: 'eviction-blocked', message: result.message };
    if (result.outcome === 'refused') return { kind: 'failed', message: result.message };
    return { kind: 'failed', message: describeKubeError(result.error), code: result.error.code };
  }
  const result = await remediator.restartWorkload(workload, how.actionId);
  if (result.outcome === 'restarted') return { kind: 'restarted' };
  if (result.outcome === 'already-done') return { kind: 'already-done' };
  if (result.outcome === 'unsupported') return { kind: 'failed', message: result.message };
  return { kind: 'failed', message: describeKubeError(result.error), code: result.error.code };
}

/** A restart a run that died recorded as intended (a plan's reconcile-intent notice). */
export interface RestartIntent {
  actionId: string;
  /** Whether it may still be carried out if it had not happened (today's guardrails allow it). */
  mayComplete: boolean;
  /** Absent in state written before the mode was recorded: those only ever did rollout restarts. */
  restartMode?: RestartMode;
  pod?: { name: string; uid?: string };
}

/**
 * What the cluster shows decides an interrupted restart: happened → done; not happened → carried out
 * exactly as recorded when it may be, else dropped (abandoned); the cluster cannot tell, or no action
 * may start now (`tooLate` says why) → unknown, the intent is kept for the next run.
 */
export async function reconcileRestart(
  remediator: Remediator,
  workload: WorkloadRef,
  intent: RestartIntent,
  { log, tooLate }: { log: Logger; tooLate?: () => string | null },
): Promise<'done' | 'failed' | 'abandoned' | 'unknown'> {
  const pod = intent.pod ? { namespace: workload.namespace, ...intent.pod } : undefined;
  const mode = intent.restartMode ?? 'rollout';
  const seen = await remediator.restartHappened(workload, { actionId: intent.actionId, mode, ...(pod ? { pod } : {}) });
  if (seen.outcome === 'failed') {
    log.warn(
      { actionId: intent.actionId, code: seen.error.code },
      `could not tell whether the interrupted restart happened (${seen.error.message}); keeping the intent`,
    );
    return 'unknown';
  }
  if (seen.outcome === 'happened') {
    log.info({ actionId: intent.actionId, mode }, 'the interrupted restart had happened; counted as done');
    return 'done';
  }
  if (!intent.mayComplete || (mode === 'evict' && !pod)) {
    log.info(
      { actionId: intent.actionId, mode, detail: seen.detail },
      'the interrupted restart had not happened and is not carried out now; dropped',
    );
    return 'abandoned';
  }
  const late = tooLate?.();
  if (late) {
    log.warn(
      { actionId: intent.actionId, mode },
      `the interrupted restart had not happened; ${late}, so it is kept for the next run`,
    );
    return 'unknown';
  }
  const done = ['evicted', 'restarted', 'already-done'].includes(
    (await restartAs(remediator, workload, { mode, actionId: intent.actionId, pod })).kind,
  );
  log.info({ actionId: intent.actionId, mode, done }, 'carried out the interrupted restart as recorded');
  return done ? 'done' : 'failed';
}
