/**
 * Discovery: the pods a profile selects, each resolved to the workload that owns it.
 * One list call for the pods; owner lookups are cached so a thousand pods of one Deployment cost
 * one ReplicaSet read and one Deployment read, not a thousand of each.
 */
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { TargetFacts, WorkloadRef } from '../policy/types.js';
import type { ApiResult } from './call.js';
import type { KubeContext } from './context.js';
import { describeKubeError } from './errors.js';
import {
  containerOf,
  controllerOf,
  gitopsOwnerOf,
  isPodReady,
  isRollingOut,
  literalEnvOf,
  memoryLimitOf,
  restartCountOf,
  unixSeconds,
  unreadyReplicasOf,
  versionOfImage,
  type Workload,
} from './facts.js';
import type { Discovery, DiscoveryProfile } from './types.js';

/** Pods per list page; one page covers the 1,000-pod case. */
const pageSize = 2000;

type Owner =
  | { found: true; ref: WorkloadRef; workload: Workload | null }
  | { found: false; warning: string };

export async function discoverTargets(ctx: KubeContext, profile: DiscoveryProfile): Promise<Discovery> {
  const pods = await listPods(ctx, profile);
  if (!pods.ok) return { targets: [], warnings: [], error: pods.error };
  const warnings: string[] = [];
  if (pods.value.length === 0) warnings.push(`no pod in namespace ${profile.namespace} matches selector "${profile.selector}"`);

  const lookups = new Map<string, Promise<ApiResult<unknown>>>();
  const cached = <T>(key: string, fn: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> => {
    let hit = lookups.get(key);
    if (!hit) lookups.set(key, (hit = fn()));
    return hit as Promise<ApiResult<T>>;
  };

  const targets: TargetFacts[] = [];
  for (const pod of pods.value) {
    const podName = pod.metadata?.name ?? '?';
    // Finished pods (e.g. evicted ones a Deployment leaves behind) run no container to judge.
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const container = containerOf(pod, profile.container);
    if (!container) {
      warnings.push(`pod ${profile.namespace}/${podName} has no container named "${profile.container}"`);
      continue;
    }
    const owner = await ownerOf(ctx, pod, cached);
    if (!owner.found) {
      warnings.push(`pod ${profile.namespace}/${podName}: ${owner.warning}`);
      continue;
    }
    targets.push(factsOf(profile, pod, container.name, owner));
  }
  return { targets, warnings, error: null };
}

async function listPods(ctx: KubeContext, profile: DiscoveryProfile): Promise<ApiResult<V1Pod[]>> {
  const items: V1Pod[] = [];
  let cont: string | undefined;
  let attempts = 0;
  do {
    const page = await ctx.call(() =>
      ctx.core.listNamespacedPod({ namespace: profile.namespace, labelSelector: profile.selector, limit: pageSize, _continue: cont }),
    );
    if (!page.ok) return page;
    attempts += page.attempts;
    items.push(...page.value.items);
    cont = page.value.metadata?._continue || undefined;
  } while (cont);
  items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  return { ok: true, value: items, attempts };
}

type Cached = <T>(key: string, fn: () => Promise<ApiResult<T>>) => Promise<ApiResult<T>>;

async function ownerOf(ctx: KubeContext, pod: V1Pod, cached: Cached): Promise<Owner> {
  const namespace = pod.metadata?.namespace ?? '';
  const controller = controllerOf(pod.metadata);
  if (!controller) {
    return { found: true, ref: { kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' }, workload: null };
  }
  if (controller.kind === 'ReplicaSet') {
    const rs = await cached(`ReplicaSet/${namespace}/${controller.name}`, () =>
      ctx.call(() => ctx.apps.readNamespacedReplicaSet({ name: controller.name, namespace })),
    );
    if (!rs.ok) return { found: false, warning: `owner ReplicaSet ${controller.name}: ${describeKubeError(rs.error)}` };
    const rsController = controllerOf(rs.value.metadata);
    if (!rsController) return { found: true, ref: refOf('ReplicaSet', namespace, controller), workload: null };
    if (rsController.kind !== 'Deployment') return unsupportedOwner(rsController);
    return workloadOwner(ctx, 'Deployment', namespace, rsController, cached);
  }
  if (controller.kind === 'StatefulSet' || controller.kind === 'DaemonSet') {
    return workloadOwner(ctx, controller.kind, namespace, controller, cached);
  }
  return unsupportedOwner(controller);
}

function unsupportedOwner(owner: V1OwnerReference): Owner {
  return { found: false, warning: `owned by ${owner.kind} ${owner.name}, which leakguard does not manage` };
}

function refOf(kind: WorkloadRef['kind'], namespace: string, owner: V1OwnerReference): WorkloadRef {
  return { kind, namespace, name: owner.name, uid: owner.uid };
}

async function workloadOwner(
  ctx: KubeContext,
  kind: Workload['kind'],
  namespace: string,
  owner: V1OwnerReference,
  cached: Cached,
): Promise<Owner> {
  const name = owner.name;
  const result = await cached<Workload>(`${kind}/${namespace}/${name}`, async () => {
    if (kind === 'Deployment') {
      const r = await ctx.call(() => ctx.apps.readNamespacedDeployment({ name, namespace }));
      return r.ok ? { ...r, value: { kind, object: r.value } } : r;
    }
    if (kind === 'StatefulSet') {
      const r = await ctx.call(() => ctx.apps.readNamespacedStatefulSet({ name, namespace }));
      return r.ok ? { ...r, value: { kind, object: r.value } } : r;
    }
    const r = await ctx.call(() => ctx.apps.readNamespacedDaemonSet({ name, namespace }));
    return r.ok ? { ...r, value: { kind, object: r.value } } : r;
  });
  if (!result.ok) return { found: false, warning: `owner ${kind} ${name}: ${describeKubeError(result.error)}` };
  return { found: true, ref: refOf(kind, namespace, owner), workload: result.value };
}

function factsOf(profile: DiscoveryProfile, pod: V1Pod, containerName: string, owner: Owner & { found: true }): TargetFacts {
  const container = containerOf(pod, containerName);
  const image = container?.image ?? '';
  // GitOps tools label the object they apply (the workload); a bare pod is judged by its own labels.
  const gitopsOwner = gitopsOwnerOf(owner.workload ? owner.workload.object.metadata : pod.metadata);
  return {
    profile: profile.name,
    workload: owner.ref,
    pod: {
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
      startTime: unixSeconds(pod.status?.startTime),
      ready: isPodReady(pod),
      terminating: !!pod.metadata?.deletionTimestamp,
      controlled: controllerOf(pod.metadata) !== null,
    },
    container: containerName,
    image,
    version: versionOfImage(image),
    limitBytes: container ? memoryLimitOf(container) : null,
    restartCount: restartCountOf(pod, containerName),
    gitopsOwner,
    rollingOut: owner.workload ? isRollingOut(owner.workload) : false,
    unreadyReplicas: owner.workload ? unreadyReplicasOf(owner.workload) : isPodReady(pod) ? 0 : 1,
    env: literalEnvOf(container ?? undefined),
  };
}
