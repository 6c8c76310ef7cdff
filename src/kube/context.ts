/**
 * The API clients and call policy shared by the adapter's parts, plus kind-generic read/patch of
 * workloads (Deployment, StatefulSet, DaemonSet).
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1DaemonSet,
  type V1Deployment,
  type V1ReplicaSet,
  type V1ListMeta,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiClientFactory } from './client.js';
import type { WorkloadRef } from '../model/workload.js';
import type { ApiResult, Caller, Clock } from './call.js';
import type { KubeError } from './errors.js';
import type { Workload } from './facts.js';

export interface KubeContext {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  events: EventsV1Api;
  coordination: CoordinationV1Api;
  authorization: AuthorizationV1Api;
  call: Caller;
  clock: Clock;
  logger: Logger;
  /** Who is acting: the pod name in-cluster, or user@host outside. */
  identity: string;
  /** Field manager recorded on every write. */
  fieldManager: string;
  /** Called when a batch of large responses (a page of pods) has become garbage; see KubeClusterOptions. */
  reclaim: () => void;
}

export function makeApis(kubeConfig: KubeConfig) {
  const client = apiClientFactory(kubeConfig);
  return {
    core: client(CoreV1Api),
    apps: client(AppsV1Api),
    batch: client(BatchV1Api),
    events: client(EventsV1Api),
    coordination: client(CoordinationV1Api),
    authorization: client(AuthorizationV1Api),
  };
}

export const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** One RFC 6902 operation; `test` makes the whole patch fail (HTTP 422) unless the value matches. */
export type JsonPatchOp =
  { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** A JSON Pointer (RFC 6901) to one annotation: `/` and `~` in the key are escaped. */
export function annotationPointer(key: string): string {
  return `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** How many times a write guarded by a resourceVersion re-reads and retries after a 409. */
export const maxConflictRetries = 5;

/**
 * Waits before re-reading after the `attempt`th 409, counting from 0 (50 ms, doubling, at most
 * 800 ms: 1.55 s over all retries); not after the last attempt. Right after a restart the
 * Deployment controller rewrites the status several times within a second or two; an immediate
 * re-read would keep losing to it.
 */
export async function backOffAfterConflict(ctx: KubeContext, attempt: number): Promise<void> {
  if (attempt < maxConflictRetries) await ctx.clock.sleep(Math.min(800, 50 * 2 ** attempt));
}

export type RestartableKind = Workload['kind'];

export function isRestartable(kind: string): kind is RestartableKind {
  return kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet';
}

/** The kinds leakguard reads by name or lists in a namespace, and the object each is. */
interface Namespaced {
  Deployment: V1Deployment;
  StatefulSet: V1StatefulSet;
  DaemonSet: V1DaemonSet;
  ReplicaSet: V1ReplicaSet;
}
export type NamespacedKind = keyof Namespaced;
export type NamespacedObject<K extends NamespacedKind> = Namespaced[K];

export async function getNamespaced<K extends NamespacedKind>(
  ctx: KubeContext,
  kind: K,
  namespace: string,
  name: string,
): Promise<ApiResult<Namespaced[K]>> {
  const params = { name, namespace };
  const read = (): Promise<Namespaced[NamespacedKind]> =>
    kind === 'Deployment'
      ? ctx.apps.readNamespacedDeployment(params)
      : kind === 'StatefulSet'
        ? ctx.apps.readNamespacedStatefulSet(params)
        : kind === 'DaemonSet'
          ? ctx.apps.readNamespacedDaemonSet(params)
          : ctx.apps.readNamespacedReplicaSet(params);
  return (await ctx.call(read)) as ApiResult<Namespaced[K]>;
}

/** Lists carry the objects' metadata alone (no pod template, no status) where that is all a reader needs. */
const metadataOnly = setHeaderOptions(
  'Accept',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
);

/**
 * Every `kind` in `namespace`, page by page (`limit` objects a page): `each` sees each object once, and a
 * page is garbage before the next is fetched. With `metadata` the API server sends each object's metadata
 * alone (~1 KB a workload instead of its whole spec and status).
 */
export async function listNamespaced<K extends NamespacedKind>(
  ctx: KubeContext,
  kind: K,
  namespace: string,
  options: { limit: number; metadata: boolean; labelSelector?: string },
  each: (item: Namespaced[K]) => void,
): Promise<{ ok: true } | { ok: false; error: KubeError }> {
  const accept = options.metadata ? metadataOnly : undefined;
  let cont: string | undefined;
  do {
    const params = { namespace, limit: options.limit, labelSelector: options.labelSelector, _continue: cont };
    const list = (): Promise<{ items: unknown[]; metadata?: V1ListMeta }> =>
      kind === 'Deployment'
        ? ctx.apps.listNamespacedDeployment(params, accept)
        : kind === 'StatefulSet'
          ? ctx.apps.listNamespacedStatefulSet(params, accept)
          : kind === 'DaemonSet'
            ? ctx.apps.listNamespacedDaemonSet(params, accept)
            : ctx.apps.listNamespacedReplicaSet(params, accept);
    const page = await ctx.call(list);
    if (!page.ok) return page;
    for (const item of page.value.items as Namespaced[K][]) each(item);
    cont = page.value.metadata?._continue || undefined;
  } while (cont);
  return { ok: true };
}

export async function readWorkload(
  ctx: KubeContext,
  ref: WorkloadRef,
): Promise<ApiResult<Workload> | { ok: false; unsupported: true }> {
  if (!isRestartable(ref.kind)) return { ok: false, unsupported: true };
  const r = await getNamespaced(ctx, ref.kind, ref.namespace, ref.name);
  return r.ok ? { ...r, value: { kind: ref.kind, object: r.value } as Workload } : r;
}

/**
 * Patch a workload. A merge `body` should carry metadata.resourceVersion when the write must not
 * race (the API server answers 409 if it moved on); a JSON patch guards itself with `test`
 * operations (422 when one fails). A uid in the ref is sent as a precondition too, so a workload
 * deleted and recreated under the same name is never patched by mistake.
 */
export async function patchWorkload(
  ctx: KubeContext,
  ref: WorkloadRef & { kind: RestartableKind },
  body: Record<string, unknown> | JsonPatchOp[],
  strategy: 'strategic' | 'merge' | 'json',
): Promise<ApiResult<Workload>> {
  const { name, namespace } = ref;
  const options = strategy === 'strategic' ? strategicMerge : strategy === 'merge' ? mergePatch : jsonPatch;
  const guarded = !ref.uid
    ? body
    : Array.isArray(body)
      ? [{ op: 'test', path: '/metadata/uid', value: ref.uid }, ...body]
      : withUid(body, ref.uid);
  const params = { name, namespace, body: guarded, fieldManager: ctx.fieldManager };
  switch (ref.kind) {
    case 'Deployment': {
      const r = await ctx.call(() => ctx.apps.patchNamespacedDeployment(params, options));
      return r.ok ? { ...r, value: { kind: 'Deployment', object: r.value } } : r;
    }
    case 'StatefulSet': {
      const r = await ctx.call(() => ctx.apps.patchNamespacedStatefulSet(params, options));
      return r.ok ? { ...r, value: { kind: 'StatefulSet', object: r.value } } : r;
    }
    case 'DaemonSet': {
      const r = await ctx.call(() => ctx.apps.patchNamespacedDaemonSet(params, options));
      return r.ok ? { ...r, value: { kind: 'DaemonSet', object: r.value } } : r;
    }
  }
}

function withUid(body: Record<string, unknown>, uid: string): Record<string, unknown> {
  const metadata = (body['metadata'] as Record<string, unknown> | undefined) ?? {};
  return { ...body, metadata: { ...metadata, uid } };
}
