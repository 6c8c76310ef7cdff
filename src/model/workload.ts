/**
 * The workload vocabulary every layer shares (discovery, policy, actors, reports): what a workload
 * is, what discovery found for a container of it, one key format and one kind → apiVersion mapping. Pure.
 */
export type GitOpsOwner = 'flux' | 'argocd';
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
}

/** What discovery found for one container of one pod of a watched workload. */
export interface TargetFacts {
  profile: string;
  workload: WorkloadRef;
  pod: {
    name: string;
    uid: string;
    /** Unix seconds. */
    startTime: number | null;
    ready: boolean;
    terminating: boolean;
    /** The pod has a controller owner (never delete or evict an orphan). */
    controlled: boolean;
  };
  container: string;
  image: string;
  /** Version parsed from the image tag, e.g. "1.14.9"; null if the tag is not a version. */
  version: string | null;
  limitBytes: number | null;
  restartCount: number;
  gitopsOwner: GitOpsOwner | null;
  /** Rollout in progress (observedGeneration behind, or updated replicas < desired). */
  rollingOut: boolean;
  unreadyReplicas: number;
  /** Current env of the container (names → literal values), used to see if a workaround is already in place. */
  env: Record<string, string>;
  /** Command and args of each container of the pod, by name (catalogue condition checks); absent when unknown. */
  podCommands?: Readonly<Record<string, readonly string[]>>;
  /** The pod's controller is another operator's resource (`InstanceManager instance-manager-e-1`): notify only. */
  foreignOwner?: string;
}

/** `Deployment/rook-ceph/rook-ceph-operator`: the key of maps, reports and log fields. */
export function workloadKey(workload: Pick<WorkloadRef, 'kind' | 'namespace' | 'name'>): string {
  return `${workload.kind}/${workload.namespace}/${workload.name}`;
}

const API_VERSIONS: Record<string, string> = {
  Pod: 'v1',
  ConfigMap: 'v1',
  Lease: 'coordination.k8s.io/v1',
  CronJob: 'batch/v1',
  Job: 'batch/v1',
};

/** The apiVersion of a kind leakguard refers to (workloads are apps/v1). */
export function apiVersionOf(kind: string): string {
  return API_VERSIONS[kind] ?? 'apps/v1';
}
