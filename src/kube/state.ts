/**
 * WorkloadState kept in one annotation on the workload (`leakguard.io/state`, JSON), so it
 * survives between CronJob runs and moves with the object. Every write is a compare-and-swap on
 * that annotation alone: a JSON patch whose `test` operation carries the text the decision was
 * based on (the API server answers 422 if it differs). Only the first write, when there is no
 * annotation to test, is a merge patch guarded by the resourceVersion (409 if the object moved).
 * Either way we re-read and re-check before trying again. Guarding by the annotation rather than
 * the resourceVersion matters right after a restart: the Deployment controller rewrites the
 * status several times within a second or two while the rollout runs, and each is a conflict.
 */
import { z } from 'zod';
import { emptyWorkloadState, type WorkloadState } from '../model/state.js';
import { ACTION_KINDS } from '../model/action.js';
import { type WorkloadRef, workloadKey } from '../model/workload.js';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import {
  annotationPointer,
  backOffAfterConflict,
  isRestartable,
  listNamespaced,
  maxConflictRetries,
  patchWorkload,
  readWorkload,
  type JsonPatchOp,
  type KubeContext,
  type RestartableKind,
} from './context.js';
import type { KubeError } from './errors.js';
import type { ReadStateResult, StateSnapshot, WriteStateResult } from './types.js';

export const stateAnnotation = 'leakguard.io/state';

const actionKind = z.enum(ACTION_KINDS);
const imageSwapSchema = z.object({ container: z.string(), previous: z.string(), hotfix: z.string() });
const priorValueSchema = z.union([z.string(), z.null(), z.object({ valueFrom: z.record(z.string(), z.unknown()) })]);
const appliedSchema = z.object({
  env: z
    .object({
      container: z.string(),
      set: z.record(z.string(), z.string()),
      previous: z.record(z.string(), priorValueSchema),
    })
    .optional(),
  configMap: z
    .object({
      name: z.string(),
      set: z.record(z.string(), z.string()),
      previous: z.record(z.string(), z.string().nullable()),
    })
    .optional(),
});
const stateSchema = z
  .object({
    incidentId: z.string().nullable(),
    incidentStart: z.number().nullable(),
    lastAction: actionKind.nullable(),
    lastActionId: z.string().nullable(),
    lastActionAt: z.number().nullable(),
    actionCount: z.number().int().nonnegative(),
    restartTimes: z.array(z.number()),
    intent: z
      .object({
        actionId: z.string(),
        kind: actionKind,
        at: z.number(),
        rung: z.number().int().optional(),
        revert: z.boolean().optional(),
        disruptive: z.boolean().optional(),
        restartMode: z.enum(['rollout', 'evict']).optional(),
        pod: z.object({ name: z.string(), uid: z.string().optional() }).optional(),
        image: imageSwapSchema.optional(),
        applied: appliedSchema.optional(),
      })
      .loose()
      .nullable(),
    workaroundAppliedAt: z.number().nullable(),
    rung: z.number().int().nullable().optional(),
    workaroundImage: imageSwapSchema.nullable().optional(),
    previousIncidentId: z.string().nullable().optional(),
    workaround: appliedSchema.nullable().optional(),
    leakBytesPerHour: z.number().nullable().optional(),
    upgrade: z
      .object({
        issueId: z.string(),
        fromVersion: z.string(),
        toVersion: z.string(),
        proposedAt: z.number(),
        leakBytesPerHour: z.number().nullable(),
        rolledOutAt: z.number().nullable().optional(),
        rolledOutVersion: z.string().nullable().optional(),
        verifiedAt: z.number().nullable().optional(),
        ineffectiveAt: z.number().nullable().optional(),
        nextHop: z.boolean().optional(),
        earlierHops: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
      })
      .nullable()
      .optional(),
    history: z
      .array(z.object({ at: z.number(), kind: z.string(), outcome: z.string(), detail: z.string().optional() }))
      .optional(),
  })
  // Fields a newer leakguard added are kept, not dropped, when an older one rewrites the state.
  .loose() satisfies z.ZodType<WorkloadState>;

/** `{"v":1, ...state}`: the version lets a later leakguard read what an older one wrote. */
export function encodeState(state: WorkloadState): string {
  return JSON.stringify({ v: 1, ...stateSchema.parse(state) });
}

export function sameState(a: WorkloadState, b: WorkloadState): boolean {
  return encodeState(a) === encodeState(b);
}

export type DecodedState = { ok: true; state: WorkloadState } | { ok: false; message: string };

export function decodeState(raw: string | null | undefined, empty: WorkloadState): DecodedState {
  if (raw === null || raw === undefined || raw === '') return { ok: true, state: { ...empty, restartTimes: [] } };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: `annotation ${stateAnnotation} is not JSON; fix or remove it` };
  }
  const parsed = stateSchema.extend({ v: z.literal(1) }).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `annotation ${stateAnnotation} is malformed at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? ''}`,
    };
  }
  const { v: _v, ...state } = parsed.data;
  return { ok: true, state };
}

function unsupported(ref: WorkloadRef): KubeError {
  return {
    code: 'invalid',
    message: `state is kept on Deployments, StatefulSets and DaemonSets, not on ${ref.kind} ${ref.name}`,
  };
}

export async function readState(ctx: KubeContext, ref: WorkloadRef): Promise<ReadStateResult> {
  const read = await readWorkload(ctx, ref);
  if (!read.ok) return { outcome: 'failed', error: 'unsupported' in read ? unsupported(ref) : read.error };
  return snapshotOf(ref, read.value.object.metadata);
}

/** The state a workload's metadata holds, for the incarnation `ref` names. */
function snapshotOf(ref: WorkloadRef, meta: V1ObjectMeta | undefined): ReadStateResult {
  if (ref.uid && meta?.uid && meta.uid !== ref.uid) {
    return {
      outcome: 'failed',
      error: { code: 'not-found', message: `${ref.kind} ${ref.name} was recreated (uid changed)` },
    };
  }
  const raw = meta?.annotations?.[stateAnnotation] ?? null;
  const decoded = decodeState(raw, emptyWorkloadState);
  if (!decoded.ok) return { outcome: 'failed', error: { code: 'invalid', message: decoded.message } };
  return { outcome: 'read', state: decoded.state, resourceVersion: meta?.resourceVersion ?? '', raw };
}

/** Workloads per page of a state list: metadata only, so a page is ~1 KB a workload. */
const statePageSize = 500;

/**
 * The state of many workloads: one paged list per namespace and kind (metadata only), so a run's reads
 * grow with the namespaces and kinds it watches, not with its workloads. A kind with one workload in a
 * namespace is read with one get. A workload the list does not hold is not found; one the list cannot
 * be had for carries the list's error. Keys are `workloadKey`s.
 */
export async function readStates(
  ctx: KubeContext,
  refs: readonly WorkloadRef[],
): Promise<Map<string, ReadStateResult>> {
  const out = new Map<string, ReadStateResult>();
  const groups = new Map<string, WorkloadRef[]>();
  for (const ref of refs) {
    if (!isRestartable(ref.kind)) out.set(workloadKey(ref), { outcome: 'failed', error: unsupported(ref) });
    else groups.set(`${ref.namespace}/${ref.kind}`, [...(groups.get(`${ref.namespace}/${ref.kind}`) ?? []), ref]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      out.set(workloadKey(first), await readState(ctx, first));
      continue;
    }
    const wanted = new Map(group.map((ref) => [ref.name, ref] as const));
    const options = { limit: statePageSize, metadata: true };
    const listed = await listNamespaced(ctx, first.kind as RestartableKind, first.namespace, options, (item) => {
      const ref = item.metadata?.name === undefined ? undefined : wanted.get(item.metadata.name);
      if (ref) out.set(workloadKey(ref), snapshotOf(ref, item.metadata));
    });
    for (const ref of group) {
      if (out.has(workloadKey(ref))) continue;
      const error: KubeError = listed.ok
        ? { code: 'not-found', message: `${ref.kind} ${ref.name} not found in ${ref.namespace}` }
        : listed.error;
      out.set(workloadKey(ref), { outcome: 'failed', error });
    }
  }
  return out;
}

/** No annotation yet: nothing to test, so the object's resourceVersion guards the write. */
function firstWrite(basis: StateSnapshot, encoded: string): Record<string, unknown> {
  return { metadata: { resourceVersion: basis.resourceVersion, annotations: { [stateAnnotation]: encoded } } };
}

/** Replace the annotation only if it still reads `raw`. */
function swap(raw: string, encoded: string): JsonPatchOp[] {
  const path = annotationPointer(stateAnnotation);
  return [
    { op: 'test', path, value: raw },
    { op: 'replace', path, value: encoded },
  ];
}

export async function writeState(
  ctx: KubeContext,
  ref: WorkloadRef,
  state: WorkloadState,
  basis?: StateSnapshot,
): Promise<WriteStateResult> {
  if (!isRestartable(ref.kind)) return { outcome: 'failed', error: unsupported(ref) };
  const kindRef = { ...ref, kind: ref.kind };
  let encoded: string;
  try {
    encoded = encodeState(state);
  } catch {
    return { outcome: 'failed', error: { code: 'invalid', message: 'refusing to store a malformed WorkloadState' } };
  }
  let current = basis;
  for (let attempt = 1; attempt <= maxConflictRetries + 1; attempt++) {
    if (!current) {
      const read = await readState(ctx, ref);
      if (read.outcome === 'failed') return read;
      current = read;
    }
    if (encodeState(current.state) === encoded) return { outcome: 'unchanged' };
    const patched =
      current.raw === null
        ? await patchWorkload(ctx, kindRef, firstWrite(current, encoded), 'merge')
        : await patchWorkload(ctx, kindRef, swap(current.raw, encoded), 'json');
    if (patched.ok) {
      const resourceVersion = patched.value.object.metadata?.resourceVersion ?? '';
      return {
        outcome: 'written',
        resourceVersion,
        attempts: attempt,
        snapshot: { state, resourceVersion, raw: encoded },
      };
    }
    const testFailed = current.raw !== null && patched.error.code === 'invalid';
    if (patched.error.code !== 'conflict' && !testFailed) return { outcome: 'failed', error: patched.error };
    // The guard failed: re-read; retry only if the state itself is as we based our decision on
    // (compared as state, not as text, so a caller's hand-made basis compares correctly).
    const reread = await readState(ctx, ref);
    if (reread.outcome === 'failed') return reread;
    // The annotation is exactly what was tested, so the 422 was about something else: report it.
    if (testFailed && reread.raw === current.raw) return { outcome: 'failed', error: patched.error };
    if (!sameState(reread.state, current.state)) {
      ctx.logger.warn({ workload: workloadKey(ref) }, 'state changed by another writer; not overwriting');
      return { outcome: 'changed-concurrently', current: reread };
    }
    current = reread;
    await backOffAfterConflict(ctx, attempt - 1);
  }
  return {
    outcome: 'failed',
    error: { code: 'conflict', message: `state write kept conflicting after ${maxConflictRetries} retries` },
  };
}
