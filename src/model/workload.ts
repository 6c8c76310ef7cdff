/** How every layer names a workload and the API group of a kind: one key format, one mapping. Pure. */
import type { WorkloadRef } from '../policy/types.js';

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
