/**
 * Discovery: the pods a profile selects, each resolved to the workload that owns it.
 * The pods are listed page by page and reduced to their facts; then their owners are read by kind:
 * one get when a kind has one owner in the namespace, else one paged list of that kind (ReplicaSets as
 * metadata alone). So 10,000 pods of 200 Deployments cost their pod pages plus a few list pages, not a
 * ReplicaSet read and a Deployment read for each of the 200.
 */
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { versionFromImage } from '../catalog/image.js';
import type { TargetFacts, WorkloadRef } from '../model/workload.js';
import type { ApiResult } from './call.js';
import {
  getNamespaced,
  listNamespaced,
  type KubeContext,
  type NamespacedKind,
  type NamespacedObject,
} from './context.js';
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
/** Owners per list page: whole workloads (spec and status) at `pageSize`, ReplicaSets' metadata at twice that. */
const ownerPageSize = { full: pageSize, metadata: 2 * pageSize };

/** What a target's facts take from its workload; the workload object itself is not kept. */
type WorkloadFacts = Pick<TargetFacts, 'gitopsOwner' | 'rollingOut' | 'unreadyReplicas'>;

/** A pod to judge: its facts but those of its workload, and the controller that leads to it. */
type PodSide = Omit<TargetFacts, 'workload' | keyof WorkloadFacts | 'foreignOwner'> & {
  controller: V1OwnerReference | null;
  /** The pod's own facts, for a pod judged without a workload. */
  own: WorkloadFacts;
  ref: WorkloadRef;
};

type Owner =
  | { found: true; ref: WorkloadRef; workload: WorkloadFacts | null; foreignOwner?: string }
  | { found: false; warning: string };

/** Per pod, by name: its facts, or why it is not a target. */
type Found = { name: string; target?: TargetFacts; warning?: string };

export async function discoverTargets(ctx: KubeContext, profile: DiscoveryProfile): Promise<Discovery> {
  const found: Found[] = [];
  const judged: PodSide[] = [];
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
    for (const pod of page.value.items) {
      // Finished pods (e.g. evicted ones a Deployment leaves behind) run no container to judge.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const container = containerOf(pod, profile.container);
      if (container) judged.push(podSide(profile, pod, container.name));
      else {
        const name = pod.metadata?.name ?? '?';
        found.push({ name, warning: `pod ${profile.namespace}/${name} has no container named "${profile.container}"` });
      }
    }
    cont = page.value.metadata?._continue || undefined;
    ctx.reclaim();
  } while (cont);

  const ownerOf = await readOwners(ctx, profile.namespace, judged);
  for (const side of judged) {
    const owner = ownerOf(side);
    if (!owner.found)
      found.push({ name: side.pod.name, warning: `pod ${profile.namespace}/${side.pod.name}: ${owner.warning}` });
    else found.push({ name: side.pod.name, target: targetOf(side, owner) });
  }

  found.sort((a, b) => a.name.localeCompare(b.name));
  const warnings = found.flatMap((f) => (f.warning ? [f.warning] : []));
  return { outcome: 'listed', targets: found.flatMap((f) => (f.target ? [f.target] : [])), warnings };
}

/**
 * Reads the owners of `pods` (ReplicaSets first, then the workloads they and the pods name) and answers
 * each pod's owner from what was read.
 */
async function readOwners(
  ctx: KubeContext,
  namespace: string,
  pods: readonly PodSide[],
): Promise<(pod: PodSide) => Owner> {
  const named = (kind: string) =>
    new Set(pods.flatMap((p) => (p.controller?.kind === kind ? [p.controller.name] : [])));
  const replicaSets = await readNamed(ctx, 'ReplicaSet', namespace, named('ReplicaSet'), true, (rs) =>
    controllerOf(rs.metadata),
  );
  const deployments = new Set<string>();
  for (const read of replicaSets.values())
    if (read.ok && read.value?.kind === 'Deployment') deployments.add(read.value.name);
  const keep = (kind: Workload['kind']) => (object: NamespacedObject<Workload['kind']>) =>
    workloadFacts({ kind, object } as Workload);
  const [deployment, statefulSet, daemonSet] = await Promise.all([
    readNamed(ctx, 'Deployment', namespace, deployments, false, keep('Deployment')),
    readNamed(ctx, 'StatefulSet', namespace, named('StatefulSet'), false, keep('StatefulSet')),
    readNamed(ctx, 'DaemonSet', namespace, named('DaemonSet'), false, keep('DaemonSet')),
  ]);
  const workloads = { Deployment: deployment, StatefulSet: statefulSet, DaemonSet: daemonSet };

  const workloadOwner = (kind: Workload['kind'], owner: V1OwnerReference): Owner => {
    const read = workloads[kind].get(owner.name)!;
    if (!read.ok) return { found: false, warning: `owner ${kind} ${owner.name}: ${describeKubeError(read.error)}` };
    return { found: true, ref: refOf(kind, namespace, owner), workload: read.value };
  };
  return (pod) => {
    const controller = pod.controller;
    if (!controller) return { found: true, ref: pod.ref, workload: null };
    if (controller.kind === 'ReplicaSet') {
      const rs = replicaSets.get(controller.name)!;
      if (!rs.ok)
        return { found: false, warning: `owner ReplicaSet ${controller.name}: ${describeKubeError(rs.error)}` };
      if (!rs.value) return { found: true, ref: refOf('ReplicaSet', namespace, controller), workload: null };
      if (rs.value.kind !== 'Deployment') return foreignOwner(pod, rs.value);
      return workloadOwner('Deployment', rs.value);
    }
    if (controller.kind === 'StatefulSet' || controller.kind === 'DaemonSet')
      return workloadOwner(controller.kind, controller);
    return foreignOwner(pod, controller);
  };
}

/** Reads of one kind in flight at once when they go one by one: enough to hide API latency, few enough to stay polite. */
const concurrentGets = 8;

/**
 * The objects of one kind in one namespace named in `names`, each reduced by `keep` as it arrives: one
 * get for a lone name, else one paged list (a name the list does not hold is not found). A list the Role
 * forbids (one written before leakguard listed this kind) is read one get a name instead, and logged.
 */
async function readNamed<K extends NamespacedKind, T>(
  ctx: KubeContext,
  kind: K,
  namespace: string,
  names: ReadonlySet<string>,
  metadata: boolean,
  keep: (object: NamespacedObject<K>) => T,
): Promise<Map<string, ApiResult<T>>> {
  const out = new Map<string, ApiResult<T>>();
  if (names.size > 1) {
    const limit = metadata ? ownerPageSize.metadata : ownerPageSize.full;
    const listed = await listNamespaced(ctx, kind, namespace, { limit, metadata }, (object) => {
      const name = object.metadata?.name;
      if (name !== undefined && names.has(name)) out.set(name, { ok: true, value: keep(object), attempts: 1 });
    });
    if (listed.ok) {
      for (const name of names) {
        if (!out.has(name))
          out.set(name, {
            ok: false,
            error: { code: 'not-found', message: `${kind} ${name} not found in ${namespace}` },
          });
      }
      return out;
    }
    if (listed.error.code !== 'forbidden') {
      for (const name of names) out.set(name, listed);
      return out;
    }
    out.clear();
    ctx.logger.warn(
      { kind, namespace, error: listed.error.message },
      'listing this kind is forbidden; reading each object by name instead (grant list on it to the read Role)',
    );
  }
  const reads = await mapConcurrently([...names], concurrentGets, async (name) => {
    const read = await getNamespaced(ctx, kind, namespace, name);
    return read.ok ? { ...read, value: keep(read.value) } : read;
  });
  [...names].forEach((name, i) => out.set(name, reads[i]!));
  return out;
}

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

function workloadFacts(workload: Workload): WorkloadFacts {
  return {
    // GitOps tools label the object they apply (the workload).
    gitopsOwner: gitopsOwnerOf(workload.object.metadata),
    rollingOut: isRollingOut(workload),
    unreadyReplicas: unreadyReplicasOf(workload),
  };
}

/**
 * A pod another operator manages through its own resource (Longhorn's instance-manager pods, an Argo
 * Rollout's ReplicaSet): judged on its own, and the policy only notifies (leakguard does not know how
 * that owner replaces its pods).
 */
function foreignOwner(pod: PodSide, owner: V1OwnerReference): Owner {
  return { found: true, ref: pod.ref, workload: null, foreignOwner: `${owner.kind} ${owner.name}` };
}

function refOf(kind: WorkloadRef['kind'], namespace: string, owner: V1OwnerReference): WorkloadRef {
  return { kind, namespace, name: owner.name, uid: owner.uid };
}

function podSide(profile: DiscoveryProfile, pod: V1Pod, containerName: string): PodSide {
  const container = containerOf(pod, containerName);
  const image = container?.image ?? '';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid ?? '';
  const ready = isPodReady(pod);
  return {
    profile: profile.name,
    pod: {
      name,
      uid,
      startTime: unixSeconds(pod.status?.startTime),
      ready,
      terminating: !!pod.metadata?.deletionTimestamp,
      controlled: controllerOf(pod.metadata) !== null,
    },
    container: containerName,
    image,
    version: versionFromImage(image),
    limitBytes: container ? memoryLimitOf(container) : null,
    restartCount: restartCountOf(pod, containerName),
    env: literalEnvOf(container ?? undefined),
    podCommands: podCommandsOf(pod),
    controller: controllerOf(pod.metadata),
    // A bare pod is judged by its own labels.
    own: { gitopsOwner: gitopsOwnerOf(pod.metadata), rollingOut: false, unreadyReplicas: ready ? 0 : 1 },
    ref: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name, uid },
  };
}

function targetOf(side: PodSide, owner: Owner & { found: true }): TargetFacts {
  const { controller: _controller, own, ref: _ref, ...facts } = side;
  return {
    ...facts,
    workload: owner.ref,
    ...(owner.workload ?? own),
    ...(owner.foreignOwner ? { foreignOwner: owner.foreignOwner } : {}),
  };
}
