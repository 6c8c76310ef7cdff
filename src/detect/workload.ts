/**
 * Which pods belong to the same workload, so that each can be judged with the history of the ones
 * before it (predecessors.ts). From an owner map (kube-state-metrics' `kube_pod_owner`) when one names the
 * pod, else from the names Kubernetes gives pods:
 *   Deployment   <name>-<pod-template-hash>-<5 chars>   (the hash changes at every rollout)
 *   StatefulSet  <name>-<ordinal>
 *   DaemonSet    <name>-<5 chars>
 * Generated suffixes use Kubernetes' alphabet without vowels (bcdfghjklmnpqrstvwxz2456789).
 */
import { toColumns, sortedColumns, type SampleSeries } from './columns.js';
import { hasBadTime } from './judge.js';
import { workloadPasts, type PodHistory, type WorkloadPast } from './predecessors.js';
import type { DetectOptions } from './types.js';

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.+)-(${SAFE}{6,10})-${SAFE}{5}$`);
const STATEFULSET_POD = /^(.+)-\d+$/;
const DAEMONSET_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
const REPLICASET = new RegExp(`^(.+)-${SAFE}{6,10}$`);

/** The workload a pod's name says it belongs to (the pod's own name when none matches). */
export function workloadOfPod(pod: string): string {
  const m = DEPLOYMENT_POD.exec(pod) ?? STATEFULSET_POD.exec(pod) ?? DAEMONSET_POD.exec(pod);
  return m ? m[1]! : pod;
}

/**
 * What a Deployment's pod runs, or null when its name shows no ReplicaSet (StatefulSet, DaemonSet, a bare
 * pod): its ReplicaSet's key in `templates` (namespace/ReplicaSet → a key that a rollout restart leaves
 * as it was, src/kube/templates.ts), else its pod-template-hash, which changes at every rollout, restarts
 * included.
 */
export function templateOfPod(
  namespace: string,
  pod: string,
  templates: ReadonlyMap<string, string> = new Map(),
): string | null {
  const m = DEPLOYMENT_POD.exec(pod);
  if (!m) return null;
  const key = templates.get(`${namespace}/${m[1]}-${m[2]}`);
  return key === undefined ? `hash:${m[2]}` : `template:${key}`;
}

/**
 * `namespace/pod` → workload name, from `kube_pod_owner` series (labels namespace, pod,
 * owner_kind, owner_name). A ReplicaSet's pods belong to its Deployment: every rollout makes a
 * new ReplicaSet of the same Deployment.
 */
export function ownersFromSeries(
  labelSets: readonly Record<string, string>[],
  /** Which label sets are owner series (aggregated ones have no `__name__`). */
  isOwner: (labels: Record<string, string>) => boolean = (l) => l.__name__ === 'kube_pod_owner',
): Map<string, string> {
  const owners = new Map<string, string>();
  for (const l of labelSets) {
    if (!isOwner(l) || !l.namespace || !l.pod || !l.owner_name || l.owner_name === '<none>') continue;
    const rs = l.owner_kind === 'ReplicaSet' ? REPLICASET.exec(l.owner_name) : null;
    owners.set(`${l.namespace}/${l.pod}`, rs ? rs[1]! : l.owner_name);
  }
  return owners;
}

/** Series of the same namespace, workload and container are one workload's pods. */
export function workloadKey(labels: Record<string, string>, owners: ReadonlyMap<string, string>): string {
  const { namespace = '', pod = '', container = '' } = labels;
  const workload = owners.get(`${namespace}/${pod}`) ?? workloadOfPod(pod);
  return JSON.stringify([namespace, workload, container]);
}

export interface WorkloadSeries {
  labels: Record<string, string>;
  samples: SampleSeries;
  limitBytes?: number | undefined;
}

/**
 * The past of each series (input order): series are grouped into workloads, and each pod learns
 * from the pods of its workload that started before it (their samples before its start).
 */
export function pastsOfSeries(
  series: readonly WorkloadSeries[],
  owners: ReadonlyMap<string, string>,
  options: DetectOptions,
  /** What each ReplicaSet's pods run, by `namespace/replicaSet` (see templateOfPod). */
  templates: ReadonlyMap<string, string> = new Map(),
): (WorkloadPast | null)[] {
  const groups = new Map<string, number[]>();
  series.forEach((s, i) => {
    if (!s.labels.pod) return;
    const key = workloadKey(s.labels, owners);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: (WorkloadPast | null)[] = series.map(() => null);
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const pods: PodHistory[] = members.map((i) => {
      const s = series[i]!;
      const columns = toColumns(s.samples);
      // A pod with unusable times teaches nothing (judging it says why).
      const samples = hasBadTime(columns) ? { t: new Float64Array(0), v: new Float64Array(0) } : sortedColumns(columns);
      const template = templateOfPod(s.labels.namespace ?? '', s.labels.pod!, templates);
      return s.limitBytes === undefined ? { samples, template } : { samples, limitBytes: s.limitBytes, template };
    });
    workloadPasts(pods, options).forEach((past, n) => (out[members[n]!] = past));
  }
  return out;
}
