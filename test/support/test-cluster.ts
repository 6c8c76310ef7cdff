/**
 * The run-level tests' cluster: the demo's in-memory cluster (src/demo/memory-cluster.ts) with the
 * faults a test injects — a process that dies before a mutation, refusals, a blocking
 * PodDisruptionBudget, rights the run lacks. The demo ships none of these.
 */
import { MemoryCluster, type Mutation } from '../../src/demo/memory-cluster.js';
import type { KubeError } from '../../src/kube/errors.js';
import type {
  AccessCheck,
  AccessResult,
  EvictResult,
  PodRef,
  PodTemplatesResult,
  RestartCheck,
  RestartHappenedResult,
  RestartResult,
} from '../../src/kube/types.js';
import type { WorkloadRef } from '../../src/model/workload.js';

export class TestCluster extends MemoryCluster {
  /** When set, the next mutation of this verb throws as if the process died right there. */
  crashOn: Mutation['verb'] | null = null;
  /** When set, the first mutation it matches throws as if the process died right there. */
  crashWhen: ((mutation: Mutation) => boolean) | null = null;
  /** When set, restartHappened fails with this error (the API cannot be read). */
  readRefusal: KubeError | null = null;
  /** When set, every restart is refused with this error (e.g. RBAC 403). */
  restartRefusal: KubeError | null = null;
  restartAttempts = 0;
  /** What the Eviction API answers; 'blocked' is a PodDisruptionBudget's 429. */
  evictions: 'allowed' | 'blocked' = 'allowed';
  /** When set, an env or ConfigMap patch is refused with the error it returns for its verb (e.g. RBAC 403). */
  refuse: ((verb: Mutation['verb']) => KubeError | null) | null = null;
  /** Rights the run lacks, as `verb resource namespace/name` (SelfSubjectAccessReview answers denied). */
  readonly deniedAccess = new Set<string>();

  /** When set, reading the ReplicaSets' templates fails with this error. */
  templatesRefusal: KubeError | null = null;

  override async readPodTemplates(namespace: string): Promise<PodTemplatesResult> {
    if (this.templatesRefusal) return { outcome: 'failed', error: this.templatesRefusal };
    return super.readPodTemplates(namespace);
  }

  /** Batched state reads asked for: how many workloads each asked about. */
  readonly stateReads: number[] = [];

  override async readStates(workloads: readonly WorkloadRef[]) {
    this.stateReads.push(workloads.length);
    return super.readStates(workloads);
  }

  override async restartWorkload(workload: WorkloadRef, actionId: string): Promise<RestartResult> {
    this.restartAttempts += 1;
    if (this.restartRefusal) return { outcome: 'failed', error: this.restartRefusal };
    return super.restartWorkload(workload, actionId);
  }

  override async evictPod(pod: PodRef): Promise<EvictResult> {
    const live = this.targets.some(
      (t) => t.workload.namespace === pod.namespace && t.pod.name === pod.name && (!pod.uid || t.pod.uid === pod.uid),
    );
    if (live && this.evictions === 'blocked')
      return {
        outcome: 'blocked' as const,
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
      };
    return super.evictPod(pod);
  }

  override async restartHappened(workload: WorkloadRef, check: RestartCheck): Promise<RestartHappenedResult> {
    if (this.readRefusal) return { outcome: 'failed', error: this.readRefusal };
    return super.restartHappened(workload, check);
  }

  override async checkAccess(checks: readonly AccessCheck[]): Promise<AccessResult> {
    return {
      outcome: 'checked',
      denied: checks.filter((c) => this.deniedAccess.has(`${c.verb} ${c.resource} ${c.namespace}/${c.name}`)),
    };
  }

  protected override mutate(mutation: Mutation): KubeError | null {
    const refused = mutation.verb === 'env' || mutation.verb === 'configmap' ? this.refuse?.(mutation.verb) : null;
    if (refused) return refused;
    if (this.crashOn === mutation.verb || this.crashWhen?.(mutation)) {
      this.crashOn = null;
      this.crashWhen = null;
      throw new Error(`simulated crash before ${mutation.verb}`);
    }
    return super.mutate(mutation);
  }
}
