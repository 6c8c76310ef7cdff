/**
 * Workarounds: env vars on the operator's container (strategic merge by container name and env
 * name, so every other variable stays as it is) or keys of a ConfigMap the operator reads (merge
 * patch of those keys only; a missing ConfigMap is reported, never created). Each write carries the
 * resourceVersion it was decided on; a 409 re-reads and re-decides. Nothing is written when the
 * values are already in place, and nothing is patched live on a GitOps-owned object.
 * An image workaround swaps one container's image (strategic merge by container name: the other
 * containers and every other field stay), only from the exact image it was decided on.
 */
import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { type WorkloadRef, workloadKey } from '../model/workload.js';
import type { ImageSwap, PriorValue } from '../model/state.js';
import {
  backOffAfterConflict,
  isRestartable,
  maxConflictRetries,
  mergePatch,
  patchWorkload,
  readWorkload,
  type KubeContext,
} from './context.js';
import { gitopsOwnerOf } from './facts.js';
import type { PreviousValues, WorkaroundResult } from './types.js';

/** A variable's value as it is in the container (literal, reference, or absent): what a revert restores. */
function priorOf(existing: V1EnvVar | undefined): PriorValue {
  if (!existing) return null;
  return existing.valueFrom !== undefined
    ? { valueFrom: JSON.parse(JSON.stringify(existing.valueFrom)) as Record<string, unknown> }
    : (existing.value ?? '');
}

function sameValue(existing: V1EnvVar | undefined, wanted: PriorValue): boolean {
  return JSON.stringify(priorOf(existing)) === JSON.stringify(wanted);
}

/** The env entries to send so the container ends with `wanted` (null = remove); empty when already so. */
export function envPatchEntries(
  current: V1EnvVar[],
  wanted: Readonly<Record<string, PriorValue>>,
): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    const existing = current.find((e) => e.name === name);
    if (sameValue(existing, value)) continue;
    if (value === null) entries.push({ name, $patch: 'delete' });
    // The other form must go, or the merged entry would carry both and be rejected.
    else if (typeof value === 'string')
      entries.push(existing?.valueFrom !== undefined ? { name, value, valueFrom: null } : { name, value });
    else
      entries.push(
        existing?.value !== undefined
          ? { name, valueFrom: value.valueFrom, value: null }
          : { name, valueFrom: value.valueFrom },
      );
  }
  return entries;
}

/** What the variables were before: a literal, a reference (`valueFrom`, restored as it was), or null when absent. */
export function previousEnv(current: V1EnvVar[], names: string[]): PreviousValues {
  return Object.fromEntries(names.map((name) => [name, priorOf(current.find((e) => e.name === name))]));
}

/**
 * What a revert sends: each variable back to what it was, but only while it still holds the value
 * leakguard set (a variable someone changed since is theirs now, and stays).
 */
export function revertEnvValues(
  current: V1EnvVar[],
  previous: Readonly<Record<string, PriorValue>>,
  set: Readonly<Record<string, string>>,
): PreviousValues {
  return Object.fromEntries(
    Object.entries(previous).filter(
      ([name]) =>
        set[name] !== undefined &&
        sameValue(
          current.find((e) => e.name === name),
          set[name]!,
        ),
    ),
  );
}

/** What to do with the container as read: stop with this result, or apply this strategic patch of it. */
type ContainerDecision =
  | { result: WorkaroundResult }
  | { patch: Record<string, unknown>; previous: PreviousValues; log: Record<string, unknown> };

/**
 * One container of a workload's pod template, patched by name (the other containers and every other
 * field stay) on the resourceVersion it was decided on: read, refuse a GitOps-owned object, `decide`
 * from the container as it is, patch; a 409 re-reads and re-decides.
 */
async function patchContainer(
  ctx: KubeContext,
  ref: WorkloadRef,
  container: string,
  what: string,
  decide: (target: V1Container) => ContainerDecision,
): Promise<WorkaroundResult> {
  if (!isRestartable(ref.kind))
    return { outcome: 'missing', message: `${ref.kind} ${ref.name} has no pod template to patch` };
  const kindRef = { ...ref, kind: ref.kind };
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const read = await readWorkload(ctx, ref);
    if (!read.ok)
      return 'unsupported' in read
        ? { outcome: 'missing', message: ref.kind }
        : { outcome: 'failed', error: read.error };
    const object = read.value.object;
    const owner = gitopsOwnerOf(object.metadata);
    if (owner) return { outcome: 'gitops-owned', owner };
    const target = object.spec?.template.spec?.containers.find((c) => c.name === container);
    if (!target) return { outcome: 'missing', message: `${ref.kind} ${ref.name} has no container "${container}"` };
    const decision = decide(target);
    if ('result' in decision) return decision.result;
    const body = {
      metadata: { resourceVersion: object.metadata?.resourceVersion },
      spec: { template: { spec: { containers: [{ name: container, ...decision.patch }] } } },
    };
    const patched = await patchWorkload(ctx, kindRef, body, 'strategic');
    if (patched.ok) {
      ctx.logger.info({ workload: workloadKey(ref), container, ...decision.log }, `${what} patched`);
      return {
        outcome: 'applied',
        previous: decision.previous,
        resourceVersion: patched.value.object.metadata?.resourceVersion ?? '',
      };
    }
    if (patched.error.code !== 'conflict') return { outcome: 'failed', error: patched.error };
    await backOffAfterConflict(ctx, attempt);
  }
  return { outcome: 'failed', error: { code: 'conflict', message: `${what} patch of ${ref.name} kept conflicting` } };
}

function patchEnv(
  ctx: KubeContext,
  ref: WorkloadRef,
  container: string,
  want: (current: V1EnvVar[]) => PreviousValues,
): Promise<WorkaroundResult> {
  return patchContainer(ctx, ref, container, 'env', (target) => {
    const current = target.env ?? [];
    const wanted = want(current);
    const entries = envPatchEntries(current, wanted);
    if (entries.length === 0) return { result: { outcome: 'already-set' } };
    return {
      patch: { env: entries },
      previous: previousEnv(current, Object.keys(wanted)),
      log: { names: Object.keys(wanted) },
    };
  });
}

export function applyEnvWorkaround(ctx: KubeContext, ref: WorkloadRef, container: string, env: Record<string, string>) {
  return patchEnv(ctx, ref, container, () => env);
}

/** Restores `previous` exactly, for the variables that still hold what leakguard `set`. */
export function revertEnvWorkaround(
  ctx: KubeContext,
  ref: WorkloadRef,
  container: string,
  previous: PreviousValues,
  set: Record<string, string>,
) {
  return patchEnv(ctx, ref, container, (current) => revertEnvValues(current, previous, set));
}

/** Moves `container`'s image from `from` to `to`; anything else in its place is left alone and reported. */
function patchImage(
  ctx: KubeContext,
  ref: WorkloadRef,
  container: string,
  from: string,
  to: string,
): Promise<WorkaroundResult> {
  return patchContainer(ctx, ref, container, 'image', (target) => {
    if (target.image === to) return { result: { outcome: 'already-set' } };
    if (target.image !== from) {
      return {
        result: {
          outcome: 'missing',
          message: `container ${container} of ${ref.kind} ${ref.name} now runs ${target.image ?? 'no image'}, not ${from}: leakguard changes only the image it decided on`,
        },
      };
    }
    return { patch: { image: to }, previous: { image: from }, log: { from, to } };
  });
}

export function applyImageWorkaround(ctx: KubeContext, ref: WorkloadRef, swap: ImageSwap) {
  return patchImage(ctx, ref, swap.container, swap.previous, swap.hotfix);
}

export function revertImageWorkaround(ctx: KubeContext, ref: WorkloadRef, swap: ImageSwap) {
  return patchImage(ctx, ref, swap.container, swap.hotfix, swap.previous);
}

/** `wanted` from the data as read: the keys to set (null = remove). */
async function patchConfigMap(
  ctx: KubeContext,
  namespace: string,
  name: string,
  want: (data: Record<string, string>) => Record<string, string | null>,
): Promise<WorkaroundResult> {
  for (let attempt = 0; attempt <= maxConflictRetries; attempt++) {
    const read = await ctx.call(() => ctx.core.readNamespacedConfigMap({ name, namespace }));
    if (!read.ok) {
      if (read.error.code === 'not-found')
        return { outcome: 'missing', message: `ConfigMap ${namespace}/${name} does not exist; not creating it` };
      return { outcome: 'failed', error: read.error };
    }
    const owner = gitopsOwnerOf(read.value.metadata);
    if (owner) return { outcome: 'gitops-owned', owner };
    const data = read.value.data ?? {};
    const wanted = want(data);
    const changes: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(wanted)) if ((data[key] ?? null) !== value) changes[key] = value;
    if (Object.keys(changes).length === 0) return { outcome: 'already-set' };
    const body = { metadata: { resourceVersion: read.value.metadata?.resourceVersion }, data: changes };
    const patched = await ctx.call(() =>
      ctx.core.patchNamespacedConfigMap({ name, namespace, body, fieldManager: ctx.fieldManager }, mergePatch),
    );
    if (patched.ok) {
      const previous: PreviousValues = {};
      for (const key of Object.keys(wanted)) previous[key] = data[key] ?? null;
      ctx.logger.info({ configMap: `${namespace}/${name}`, keys: Object.keys(changes) }, 'ConfigMap patched');
      return { outcome: 'applied', previous, resourceVersion: patched.value.metadata?.resourceVersion ?? '' };
    }
    if (patched.error.code !== 'conflict') return { outcome: 'failed', error: patched.error };
    await backOffAfterConflict(ctx, attempt);
  }
  return { outcome: 'failed', error: { code: 'conflict', message: `ConfigMap ${name} patch kept conflicting` } };
}

export function applyConfigMapWorkaround(
  ctx: KubeContext,
  namespace: string,
  name: string,
  data: Record<string, string>,
) {
  return patchConfigMap(ctx, namespace, name, () => data);
}

/** Restores `previous` exactly, for the keys that still hold what leakguard `set` (only its own keys, only its own values). */
export function revertConfigMapWorkaround(
  ctx: KubeContext,
  namespace: string,
  name: string,
  previous: Record<string, string | null>,
  set: Record<string, string>,
) {
  return patchConfigMap(ctx, namespace, name, (data) =>
    Object.fromEntries(Object.entries(previous).filter(([key]) => set[key] !== undefined && data[key] === set[key])),
  );
}
