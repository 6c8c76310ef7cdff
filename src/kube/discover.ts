/**
 * Discovery: the pods a profile selects, each resolved to the workload that owns it.
 * One list call for the pods; owner lookups are cached so a thousand pods of one Deployment cost
 * one ReplicaSet read and one Deployment read, not a thousand of each.
 */
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { versionFromImage } from '../catalog/image.js';
import { type TargetFacts, type WorkloadRef, workloadKey } from '../model/workload.js';
import type { ApiResult } from './call.js';
import type { KubeContext } from './context.js';
import { describeKubeError } from './errors.js';
import {
  containerOf,
  podCommandsOf,
  controllerOf,
  gitopsOwnerOf,
  isPodReady,
  isRollingOut,
  literalEnvOf,
  memoryLimitOf,
  restartCountOf,
  unixSeconds,
  unreadyReplicasOf,
  type Workload,
} from './facts.js';
import type { Discovery, DiscoveryProfile } from './types.js';

/**
 * Pods per list page. Each page is turned into facts (and its pod objects dropped, `ctx.reclaim`)
 * before the next is fetched, so a large fleet never sits in memory as full pod objects all at once:
 * 1,000 kwok pods are ~7 MB of JSON, several times that as parsed objects.
 */
const pageSize = 250;

type Owner =
  | { found: true; ref: WorkloadRef; workload: Workload | null; foreignOwner?: string }
  | { found: false; warning: string };

/** Per pod, by name: its facts, or why it is not a target. */
type Found = { name: string; target?: TargetFacts; warning?: string };

export async function discoverTargets(ctx: KubeContext, profile: DiscoveryProfile): Promise<Discovery> {
  const lookups = new Map<string, Promise<ApiResult<unknown>>>();
  const cached = <T>(key: string, fn: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> => {
    let hit = lookups.get(key);
    if (!hit) lookups.set(key, (hit = fn()));
    return hit as Promise<ApiResult<T>>;
  };

  const found: Found[] = [];
  let cont: string | undefined;
  do {
    const page = await ctx.call(() =>
      ctx.core.listNamespacedPod({
        namespace: profile.namespace,
        labelSelector: profile.selector,
        limit: pageSize,
        _continue: cont,
      }),
    );
    if (!page.ok) return { outcome: 'failed', error: page.error };
    found.push(...(await pageFacts(ctx, profile, page.value.items, cached)));
    cont = page.value.metadata?._continue || undefined;
    ctx.reclaim();
  } while (cont);

  found.sort((a, b) => a.name.localeCompare(b.name));
  const warnings = found.flatMap((f) => (f.warning ? [f.warning] : []));
  return { outcome: 'listed', targets: found.flatMap((f) => (f.target ? [f.target] : [])), warnings };
}

async function pageFacts(
  ctx: KubeContext,
  profile: DiscoveryProfile,
  pods: readonly V1Pod[],
  cached: Cached,
): Promise<Found[]> {
  const out: Found[] = [];
  const judged: { pod: V1Pod; container: string }[] = [];
  for (const pod of pods) {
    // Finished pods (e.g. evicted ones a Deployment leaves behind) run no container to judge.
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const name = pod.metadata?.name ?? '?';
    const container = containerOf(pod, profile.container);
    if (container) judged.push({ pod, container: container.name });
    else out.push({ name, warning: `pod ${profile.namespace}/${name} has no container named "${profile.container}"` });
  }
  // Owners are looked up a few at a time (each one once): a fleet of many small workloads is not a
  // long queue of sequential reads.
  const owners = await mapConcurrently(judged, ownerLookups, ({ pod }) => ownerOf(ctx, pod, cached));
  judged.forEach(({ pod, container }, i) => {
    const owner = owners[i]!;
    const name = pod.metadata?.name ?? '?';
    if (owner.found) out.push({ name, target: factsOf(profile, pod, container, owner) });
    else out.push({ name, warning: `pod ${profile.namespace}/${name}: ${owner.warning}` });
  });
  return out;
}

/** Owner reads in flight at once: enough to hide API latency, few enough to stay polite. */
const ownerLookups = 8;

/** `fn` over `items` with at most `limit` calls pending; results in input order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

type Cached = <T>(key: string, fn: () => Promise<ApiResult<T>>) => Promise<ApiResult<T>>;

async function ownerOf(ctx: KubeContext, pod: V1Pod, cached: Cached): Promise<Owner> {
  const namespace = pod.metadata?.namespace ?? '';
  const controller = controllerOf(pod.metadata);
  if (!controller) {
    return {
      found: true,
      ref: { kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
      workload: null,
    };
  }
  if (controller.kind === 'ReplicaSet') {
    const rs = await cached(`ReplicaSet/${namespace}/${controller.name}`, () =>
      ctx.call(() => ctx.apps.readNamespacedReplicaSet({ name: controller.name, namespace })),
    );
    if (!rs.ok) return { found: false, warning: `owner ReplicaSet ${controller.name}: ${describeKubeError(rs.error)}` };
    const rsController = controllerOf(rs.value.metadata);
    if (!rsController) return { found: true, ref: refOf('ReplicaSet', namespace, controller), workload: null };
    if (rsController.kind !== 'Deployment') return foreignOwner(pod, rsController);
    return workloadOwner(ctx, 'Deployment', namespace, rsController, cached);
  }
  if (controller.kind === 'StatefulSet' || controller.kind === 'DaemonSet') {
    return workloadOwner(ctx, controller.kind, namespace, controller, cached);
  }
  return foreignOwner(pod, controller);
}

/**
 * A pod another operator manages through its own resource (Longhorn's instance-manager pods, an Argo
 * Rollout's ReplicaSet): judged on its own, and the policy only notifies (leakguard does not know how
 * that owner replaces its pods).
 */
function foreignOwner(pod: V1Pod, owner: V1OwnerReference): Owner {
  const ref: WorkloadRef = {
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
  };
  return { found: true, ref, workload: null, foreignOwner: `${owner.kind} ${owner.name}` };
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
  const result = await cached<Workload>(workloadKey({ kind, namespace, name }), async () => {
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

function factsOf(
  profile: DiscoveryProfile,
  pod: V1Pod,
  containerName: string,
  owner: Owner & { found: true },
): TargetFacts {
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
    version: versionFromImage(image),
    limitBytes: container ? memoryLimitOf(container) : null,
    restartCount: restartCountOf(pod, containerName),
    gitopsOwner,
    rollingOut: owner.workload ? isRollingOut(owner.workload) : false,
    unreadyReplicas: owner.workload ? unreadyReplicasOf(owner.workload) : isPodReady(pod) ? 0 : 1,
    env: literalEnvOf(container ?? undefined),
    podCommands: podCommandsOf(pod),
    ...(owner.foreignOwner ? { foreignOwner: owner.foreignOwner } : {}),
  };
}
