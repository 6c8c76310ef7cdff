/**
 * The one interface the run uses to talk to Kubernetes. Implemented against the API server by
 * `createKubeCluster`; tests of the run can pass an in-memory implementation instead.
 *
 * Every method returns its outcome as data (src/model/result.ts: a union on `outcome`); failures
 * carry a KubeError and never throw for API answers.
 */
import type { ImageSwap, PriorValue, WorkloadState } from '../model/state.js';
import type { TargetFacts, WorkloadRef } from '../model/workload.js';
import type { Failed as PortFailed } from '../model/result.js';
import type { KubeError } from './errors.js';
import type { HeapProfileToKeep, KeepHeapResult, ReadHeapResult } from './heap-store.js';
import type { PodProxyRequest, PodProxyResult } from './pod-proxy.js';

export interface DiscoveryProfile {
  name: string;
  namespace: string;
  /** Label selector, e.g. "app=rook-ceph-operator". */
  selector: string;
  /** Container name; the pod's first container when absent. */
  container?: string;
}

export type Discovery =
  | {
      outcome: 'listed';
      targets: TargetFacts[];
      /** Pods that were seen but could not be judged, in words a human can act on. */
      warnings: string[];
    }
  /** The pod list itself failed. */
  | Failed;

export interface PodRef {
  namespace: string;
  name: string;
  /** When set, the action only applies to this incarnation of the pod (names are reused by StatefulSets). */
  uid?: string;
}

/** What an Event is about. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  apiVersion?: string;
}

export type Failed = PortFailed<KubeError>;

export interface StateSnapshot {
  state: WorkloadState;
  resourceVersion: string;
  /** The annotation exactly as stored (null when absent): a write re-checks against it on conflict. */
  raw: string | null;
}

export type ReadStateResult = ({ outcome: 'read' } & StateSnapshot) | Failed;

export type WriteStateResult =
  /** `snapshot` is the basis for the next write (its `raw` is the annotation exactly as stored). */
  | { outcome: 'written'; resourceVersion: string; attempts: number; snapshot?: StateSnapshot }
  | { outcome: 'unchanged' }
  /** Another writer changed the state since `basis` was read; nothing was written. */
  | { outcome: 'changed-concurrently'; current: StateSnapshot }
  | Failed;

export type RestartResult =
  | { outcome: 'restarted'; restartedAt: string }
  /** The pod template already carries this action ID: a previous run (or a twin) did it. */
  | { outcome: 'already-done' }
  | { outcome: 'unsupported'; message: string }
  | Failed;

export type EvictResult =
  | { outcome: 'evicted' }
  /** Refused by a PodDisruptionBudget (HTTP 429). Never turned into a delete. */
  | { outcome: 'blocked'; message: string }
  /** The pod (this incarnation of it) is already gone or going: the restart is done. */
  | { outcome: 'already-gone' }
  /** leakguard will not evict this pod (no controller would recreate it). */
  | { outcome: 'refused'; message: string }
  | Failed;

/** Previous values of what a workaround changed: a literal, an env reference, or null when absent. */
export type PreviousValues = Record<string, PriorValue>;

export type WorkaroundResult =
  | { outcome: 'applied'; previous: PreviousValues; resourceVersion: string }
  | { outcome: 'already-set' }
  /** The ConfigMap or container does not exist; nothing was created. */
  | { outcome: 'missing'; message: string }
  /** A GitOps tool reconciles this object: a live patch would be reverted, so none was made. */
  | { outcome: 'gitops-owned'; owner: 'flux' | 'argocd' }
  | Failed;

/** One right a mutation needs. */
export interface AccessCheck {
  verb: 'patch' | 'get';
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

export type AccessResult = { outcome: 'checked'; denied: AccessCheck[] } | Failed;

export interface EventInput {
  regarding: ObjectRef;
  related?: ObjectRef;
  /** CamelCase, stable: LeakSuspected, PodRestarted, EvictionBlocked, … */
  reason: string;
  /** What leakguard did or would do: Restart, Evict, ApplyWorkaround, Skip, … */
  action: string;
  /** Human sentence(s); cut to 1024 bytes. */
  note: string;
  type: 'Normal' | 'Warning';
  /** Idempotency key, normally the action ID: same key + reason + object → the same Event. Defaults to the note. */
  key?: string;
  /** When the Event exists already, bump its series count instead of leaving it as is. @default false */
  countRepeats?: boolean;
}

export type EventResult =
  | { outcome: 'created'; name: string }
  | { outcome: 'exists'; name: string }
  | { outcome: 'counted'; name: string; count: number }
  | Failed;

export interface LeaseRequest {
  namespace: string;
  name: string;
  identity: string;
  durationSeconds: number;
  /** Name of the pod this run is in (same namespace as the Lease); lets a later run see the holder died. */
  holderPod?: string;
}

/** `reason` says why, in words: "created", "renewed", "taken over: holder pod gone", "held by … until …". */
export type LeaseResult =
  | { outcome: 'acquired'; holder: string; reason: string }
  /** Another run holds it (`holder`, when it could be read). */
  | { outcome: 'held'; holder: string | null; reason: string }
  /** Held for longer than leakguard's own lock.duration allows: not a lock leakguard wrote; the run fails. */
  | { outcome: 'invalid'; holder: string; reason: string }
  | (Failed & { reason: string });

/** leakguard's run-lock Lease, which also carries its bookkeeping between runs. */
export interface LeaseRef {
  namespace: string;
  name: string;
}

/** The bookkeeping text (src/notify/ledger.ts owns its schema); null when there is none yet. */
export type ReadLedgerResult = { outcome: 'read'; text: string | null } | Failed;
export type WriteLedgerResult = { outcome: 'written' } | Failed;

export type ReleaseResult = { outcome: 'released' } | { outcome: 'not-holder'; holder: string | null } | Failed;

/** leakguard's own controller, which carries the kill-switch annotation. */
export interface ControllerRef {
  kind: 'CronJob' | 'Deployment';
  namespace: string;
  name: string;
}

export interface RestartCheck {
  actionId: string;
  mode: 'rollout' | 'evict';
  /** evict only: the pod that was to be evicted. */
  pod?: PodRef;
}

export type RestartHappenedResult = { outcome: 'happened' } | { outcome: 'not-happened'; detail: string } | Failed;

export type KillSwitchResult =
  | { outcome: 'read'; on: boolean; value: string | null }
  /** The annotation is set to something that is not a switch position (e.g. `maybe`). */
  | { outcome: 'invalid'; value: string }
  | Failed;

/**
 * The cluster, by the roles a run uses. A caller takes the roles it needs (`status` reads targets and
 * state, nothing else), so its fakes stay small; the Kubernetes adapter and the in-memory cluster
 * implement them all as `Cluster`.
 */
export interface TargetSource {
  discoverTargets(profile: DiscoveryProfile): Promise<Discovery>;
  /**
   * What the pods of each ReplicaSet in `namespace` matching `selector` run, as a key equal for two
   * ReplicaSets whose templates differ only by a rollout restart (src/kube/templates.ts): a restart is
   * no new version.
   */
  readPodTemplates(namespace: string, selector: string): Promise<PodTemplatesResult>;
}

/** Template keys by ReplicaSet name (`<deployment>-<pod-template-hash>`). */
export type PodTemplatesResult = { outcome: 'listed'; byReplicaSet: Map<string, string> } | Failed;

/** leakguard's durable record on each workload (the `leakguard.io/state` annotation). */
export interface StateStore {
  readState(workload: WorkloadRef): Promise<ReadStateResult>;
  /**
   * The state of many workloads, by `workloadKey`: one list per namespace and kind, not one read per
   * workload (a run over thousands of workloads makes a handful of calls).
   */
  readStates(workloads: readonly WorkloadRef[]): Promise<Map<string, ReadStateResult>>;
  /**
   * Store state on the workload, guarded by resourceVersion. On 409 it re-reads; if the stored state
   * still equals `basis.state` it retries (bounded), otherwise it reports the other writer.
   * Without `basis` it reads first.
   */
  writeState(workload: WorkloadRef, state: WorkloadState, basis?: StateSnapshot): Promise<WriteStateResult>;
}

/** What changes the operator: restarts, workarounds and their reverts, and the rights they need. */
export interface Remediator {
  /** Rollout restart tied to `actionId` (idempotent per action ID). */
  restartWorkload(workload: WorkloadRef, actionId: string): Promise<RestartResult>;
  /** Eviction API (honours PodDisruptionBudgets). */
  evictPod(pod: PodRef, actionId: string): Promise<EvictResult>;
  /**
   * Read-only: did the restart `actionId` take effect? A rollout restart did when the pod template
   * carries its ID; an eviction did when the pod (that uid) is gone or terminating.
   */
  restartHappened(workload: WorkloadRef, restart: RestartCheck): Promise<RestartHappenedResult>;

  applyEnvWorkaround(workload: WorkloadRef, container: string, env: Record<string, string>): Promise<WorkaroundResult>;
  /** Restore `previous` exactly (null → remove), for the variables that still hold what leakguard `set`. */
  revertEnvWorkaround(
    workload: WorkloadRef,
    container: string,
    previous: PreviousValues,
    set: Record<string, string>,
  ): Promise<WorkaroundResult>;
  applyConfigMapWorkaround(namespace: string, name: string, data: Record<string, string>): Promise<WorkaroundResult>;
  /** Restore `previous` exactly (null → remove), for the keys that still hold what leakguard `set`. */
  revertConfigMapWorkaround(
    namespace: string,
    name: string,
    previous: Record<string, string | null>,
    set: Record<string, string>,
  ): Promise<WorkaroundResult>;
  /** Whether this run may do each of `checks` (SelfSubjectAccessReview): checked before a workaround's first patch. */
  checkAccess(checks: readonly AccessCheck[]): Promise<AccessResult>;
  /**
   * Set `container`'s image in the pod template to `swap.hotfix`, only while it is `swap.previous`
   * (already-set when it is the hotfix; `missing` when it is anything else). `previous.image` is what it was.
   */
  applyImageWorkaround(workload: WorkloadRef, swap: ImageSwap): Promise<WorkaroundResult>;
  /** Put `swap.previous` back, only while the template still runs `swap.hotfix` (the same checks, reversed). */
  revertImageWorkaround(workload: WorkloadRef, swap: ImageSwap): Promise<WorkaroundResult>;
}

export interface EventRecorder {
  recordEvent(event: EventInput): Promise<EventResult>;
}

/** One run at a time, the kill switch it honours, and the bookkeeping kept on its Lease. */
export interface RunLock {
  /** The kill-switch annotation on leakguard's own CronJob or Deployment. */
  readKillSwitch(controller: ControllerRef): Promise<KillSwitchResult>;

  acquireLease(request: LeaseRequest): Promise<LeaseResult>;
  releaseLease(request: LeaseRequest): Promise<ReleaseResult>;

  /** leakguard's bookkeeping on its run-lock Lease (annotation `leakguard.io/ledger`). */
  readLedger(lease: LeaseRef): Promise<ReadLedgerResult>;
  /** Only while the lock is held. */
  writeLedger(lease: LeaseRef, text: string): Promise<WriteLedgerResult>;
}

/** The evidence kept before a restart: the heap profile, fetched from the pod and kept with the incident. */
export interface EvidenceStore {
  /** One GET to a pod's port through the API server's pod proxy, bounded in size and time, never retried. */
  fetchFromPod(request: PodProxyRequest): Promise<PodProxyResult>;
  /** Keeps a heap profile with its incident (src/kube/heap-store.ts). */
  keepHeapProfile(profile: HeapProfileToKeep): Promise<KeepHeapResult>;
  /** The heap profiles kept for an incident, first capture first. */
  readHeapProfiles(workload: WorkloadRef, incidentId: string): Promise<ReadHeapResult>;
}

export interface Cluster extends TargetSource, StateStore, Remediator, EventRecorder, RunLock, EvidenceStore {}
