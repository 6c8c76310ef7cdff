/**
 * An in-memory Cluster: the demo's cluster, and the run-level tests'. It keeps workload state, records
 * every mutation and Event, and honours the idempotency contracts of the real adapter (restart by
 * action ID, env already set). The real adapter is proven against a real kube-apiserver in test/e2e;
 * this one lets `leakguard demo` run the real pipeline offline, and the run's ordering and guardrails
 * be tested fast and exhaustively (the faults they inject: test/support/test-cluster.ts).
 */
import type { KubeError } from '../kube/errors.js';
import {
  heapConfigMapName,
  heapKey,
  type HeapProfileToKeep,
  type KeepHeapResult,
  type ReadHeapResult,
} from '../kube/heap-store.js';
import type { PodProxyRequest, PodProxyResult } from '../kube/pod-proxy.js';
import type {
  AccessCheck,
  AccessResult,
  Cluster,
  ControllerRef,
  EvictResult,
  PreviousValues,
  Discovery,
  DiscoveryProfile,
  EventInput,
  KillSwitchResult,
  LeaseRef,
  LeaseRequest,
  LeaseResult,
  ReadLedgerResult,
  WriteLedgerResult,
  PodRef,
  PodTemplatesResult,
  RestartCheck,
  RestartHappenedResult,
  RestartResult,
  StateSnapshot,
} from '../kube/types.js';
import { emptyWorkloadState, type ImageSwap, type WorkloadState } from '../model/state.js';
import { workloadKey, type TargetFacts, type WorkloadRef } from '../model/workload.js';
import { versionFromImage } from '../catalog/image.js';

export interface Mutation {
  verb:
    | 'restart'
    | 'evict'
    | 'env'
    | 'configmap'
    | 'state'
    | 'revert-env'
    | 'revert-configmap'
    | 'image'
    | 'revert-image'
    | 'heap-profile';
  target: string;
  detail?: unknown;
}

export class MemoryCluster implements Cluster {
  readonly events: EventInput[] = [];
  readonly mutations: Mutation[] = [];
  readonly states = new Map<string, { state: WorkloadState; version: number }>();
  readonly restartIds = new Map<string, string>();
  leaseHolder: string | null = null;
  /** What the kill-switch annotation on leakguard's controller reads as, and who asked. */
  killSwitch: KillSwitchResult = { outcome: 'read', on: false, value: null };
  readonly killSwitchReads: ControllerRef[] = [];

  /** What each ReplicaSet's pods run (`namespace/replicaSet` → template key); none by default. */
  readonly templateKeys = new Map<string, string>();

  constructor(public targets: TargetFacts[]) {}

  async discoverTargets(profile: DiscoveryProfile): Promise<Discovery> {
    return { outcome: 'listed', targets: this.targets.filter((t) => t.profile === profile.name), warnings: [] };
  }

  async readPodTemplates(namespace: string): Promise<PodTemplatesResult> {
    const byReplicaSet = new Map<string, string>();
    for (const [key, template] of this.templateKeys) {
      const [ns, replicaSet] = key.split('/') as [string, string];
      if (ns === namespace) byReplicaSet.set(replicaSet, template);
    }
    return { outcome: 'listed', byReplicaSet };
  }

  async readState(workload: WorkloadRef) {
    const entry = this.states.get(workloadKey(workload)) ?? { state: emptyWorkloadState, version: 0 };
    return {
      outcome: 'read' as const,
      state: entry.state,
      resourceVersion: String(entry.version),
      raw: entry.version === 0 ? null : JSON.stringify(entry.state),
    };
  }

  async readStates(workloads: readonly WorkloadRef[]) {
    return new Map(await Promise.all(workloads.map(async (w) => [workloadKey(w), await this.readState(w)] as const)));
  }

  async writeState(workload: WorkloadRef, state: WorkloadState, basis?: StateSnapshot) {
    const current = this.states.get(workloadKey(workload)) ?? { state: emptyWorkloadState, version: 0 };
    if (basis && basis.resourceVersion !== String(current.version)) {
      return {
        outcome: 'changed-concurrently' as const,
        current: { state: current.state, resourceVersion: String(current.version), raw: JSON.stringify(current.state) },
      };
    }
    this.mutate({ verb: 'state', target: workloadKey(workload), detail: state });
    this.states.set(workloadKey(workload), { state, version: current.version + 1 });
    return { outcome: 'written' as const, resourceVersion: String(current.version + 1), attempts: 1 };
  }

  async restartWorkload(workload: WorkloadRef, actionId: string): Promise<RestartResult> {
    if (this.restartIds.get(workloadKey(workload)) === actionId) return { outcome: 'already-done' as const };
    this.mutate({ verb: 'restart', target: workloadKey(workload), detail: actionId });
    this.restartIds.set(workloadKey(workload), actionId);
    return { outcome: 'restarted', restartedAt: new Date().toISOString() };
  }

  async evictPod(pod: PodRef): Promise<EvictResult> {
    const target = this.targets.find(
      (t) => t.workload.namespace === pod.namespace && t.pod.name === pod.name && (!pod.uid || t.pod.uid === pod.uid),
    );
    if (!target) return { outcome: 'already-gone' as const };
    this.mutate({ verb: 'evict', target: `${pod.namespace}/${pod.name}` });
    // The ReplicaSet replaces the pod: a new name and uid, started now.
    target.pod = {
      ...target.pod,
      name: `${pod.name}-r`,
      uid: `${target.pod.uid}-r`,
      startTime: Math.floor(Date.now() / 1000),
    };
    return { outcome: 'evicted' as const };
  }

  async restartHappened(workload: WorkloadRef, check: RestartCheck): Promise<RestartHappenedResult> {
    if (check.mode === 'rollout') {
      return this.restartIds.get(workloadKey(workload)) === check.actionId
        ? { outcome: 'happened' }
        : { outcome: 'not-happened', detail: 'no rollout' };
    }
    const pod = check.pod;
    const live =
      pod &&
      this.targets.some(
        (t) => t.workload.namespace === pod.namespace && t.pod.name === pod.name && (!pod.uid || t.pod.uid === pod.uid),
      );
    return live ? { outcome: 'not-happened', detail: 'pod still running' } : { outcome: 'happened' };
  }

  async applyEnvWorkaround(workload: WorkloadRef, container: string, env: Record<string, string>) {
    const pods = this.targets.filter(
      (t) => workloadKey(t.workload) === workloadKey(workload) && t.container === container,
    );
    const current = pods[0]?.env ?? {};
    if (Object.entries(env).every(([k, v]) => current[k] === v)) return { outcome: 'already-set' as const };
    const refused = this.mutate({ verb: 'env', target: workloadKey(workload), detail: env });
    if (refused) return { outcome: 'failed' as const, error: refused };
    const previous = Object.fromEntries(Object.keys(env).map((k) => [k, current[k] ?? null]));
    for (const t of pods) t.env = { ...t.env, ...env };
    return { outcome: 'applied' as const, previous, resourceVersion: '1' };
  }

  /** As the real adapter: each variable back to what it was, only while it still holds leakguard's value. */
  async revertEnvWorkaround(
    workload: WorkloadRef,
    container: string,
    previous: PreviousValues,
    set: Record<string, string>,
  ) {
    const pods = this.targets.filter(
      (t) => workloadKey(t.workload) === workloadKey(workload) && t.container === container,
    );
    const current = pods[0]?.env ?? {};
    const restore = Object.entries(previous).filter(([k]) => set[k] !== undefined && current[k] === set[k]);
    if (restore.length === 0) return { outcome: 'already-set' as const };
    this.mutate({ verb: 'revert-env', target: workloadKey(workload), detail: Object.fromEntries(restore) });
    for (const t of pods) {
      const env = { ...t.env };
      for (const [k, v] of restore) {
        if (typeof v === 'string') env[k] = v;
        else delete env[k];
      }
      t.env = env;
    }
    return { outcome: 'applied' as const, previous: {}, resourceVersion: '1' };
  }

  /** ConfigMap data by `namespace/name`; a ConfigMap not in the map reads as an empty one. */
  readonly configMaps = new Map<string, Record<string, string>>();

  async applyConfigMapWorkaround(namespace: string, name: string, data: Record<string, string>) {
    const key = `${namespace}/${name}`;
    const current = this.configMaps.get(key) ?? {};
    if (Object.entries(data).every(([k, v]) => current[k] === v)) return { outcome: 'already-set' as const };
    const refused = this.mutate({ verb: 'configmap', target: key, detail: data });
    if (refused) return { outcome: 'failed' as const, error: refused };
    this.configMaps.set(key, { ...current, ...data });
    return {
      outcome: 'applied' as const,
      previous: Object.fromEntries(Object.keys(data).map((k) => [k, current[k] ?? null])),
      resourceVersion: '1',
    };
  }

  async revertConfigMapWorkaround(
    namespace: string,
    name: string,
    previous: Record<string, string | null>,
    set: Record<string, string>,
  ) {
    const key = `${namespace}/${name}`;
    const data = { ...(this.configMaps.get(key) ?? {}) };
    const restore = Object.entries(previous).filter(([k]) => set[k] !== undefined && data[k] === set[k]);
    if (restore.length === 0) return { outcome: 'already-set' as const };
    this.mutate({ verb: 'revert-configmap', target: key, detail: Object.fromEntries(restore) });
    for (const [k, v] of restore) {
      if (v === null) delete data[k];
      else data[k] = v;
    }
    this.configMaps.set(key, data);
    return { outcome: 'applied' as const, previous: {}, resourceVersion: '1' };
  }

  /** The demo's run may do everything it asks about. */
  async checkAccess(_checks: readonly AccessCheck[]): Promise<AccessResult> {
    return { outcome: 'checked', denied: [] };
  }

  async applyImageWorkaround(workload: WorkloadRef, swap: ImageSwap) {
    return this.swapImage(workload, swap.container, swap.previous, swap.hotfix, 'image');
  }

  async revertImageWorkaround(workload: WorkloadRef, swap: ImageSwap) {
    return this.swapImage(workload, swap.container, swap.hotfix, swap.previous, 'revert-image');
  }

  /** Pod-template images (`Kind/ns/name/container`) that differ from what the pods run (a rollout not yet done). */
  readonly templateImages = new Map<string, string>();

  /** As the real adapter: only from the image decided on; the pods follow the template at once. */
  private swapImage(
    workload: WorkloadRef,
    container: string,
    from: string,
    to: string,
    verb: 'image' | 'revert-image',
  ) {
    const pods = this.targets.filter(
      (t) => workloadKey(t.workload) === workloadKey(workload) && t.container === container,
    );
    const current = this.templateImages.get(`${workloadKey(workload)}/${container}`) ?? pods[0]?.image;
    if (current === undefined)
      return {
        outcome: 'missing' as const,
        message: `${workload.kind} ${workload.name} has no container "${container}"`,
      };
    if (current === to) return { outcome: 'already-set' as const };
    if (current !== from)
      return {
        outcome: 'missing' as const,
        message: `container ${container} of ${workload.kind} ${workload.name} now runs ${current}, not ${from}: leakguard changes only the image it decided on`,
      };
    this.mutate({ verb, target: workloadKey(workload), detail: { container, image: to } });
    this.templateImages.delete(`${workloadKey(workload)}/${container}`);
    for (const t of pods) Object.assign(t, { image: to, version: versionFromImage(to) });
    return { outcome: 'applied' as const, previous: { image: from }, resourceVersion: '1' };
  }

  async recordEvent(event: EventInput) {
    this.events.push(event);
    return { outcome: 'created' as const, name: `e${this.events.length}` };
  }

  async readKillSwitch(controller: ControllerRef): Promise<KillSwitchResult> {
    this.killSwitchReads.push(controller);
    return this.killSwitch;
  }

  async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
    if (this.leaseHolder && this.leaseHolder !== request.identity)
      return { outcome: 'held', holder: this.leaseHolder, reason: `held by ${this.leaseHolder}` };
    this.leaseHolder = request.identity;
    return { outcome: 'acquired', holder: request.identity, reason: 'created' };
  }

  /** The bookkeeping text on the run-lock Lease (src/notify/ledger.ts reads it). */
  ledgerText: string | null = null;

  async readLedger(): Promise<ReadLedgerResult> {
    return { outcome: 'read', text: this.ledgerText };
  }

  async writeLedger(_lease: LeaseRef, text: string): Promise<WriteLedgerResult> {
    this.ledgerText = text;
    return { outcome: 'written' };
  }

  async releaseLease(request: LeaseRequest) {
    if (this.leaseHolder !== request.identity) return { outcome: 'not-holder' as const, holder: this.leaseHolder };
    this.leaseHolder = null;
    return { outcome: 'released' as const };
  }

  /** What a pod's port answers through the pod proxy; by default nothing listens there. */
  podProxy: (request: PodProxyRequest) => Promise<PodProxyResult> = async () => ({
    outcome: 'failed',
    error: { code: 'server', status: 503, message: 'error trying to reach service: connection refused' },
  });
  readonly podProxyRequests: PodProxyRequest[] = [];
  /** Heap profiles kept, by ConfigMap name: incident and keys in the order kept. */
  readonly heapProfiles = new Map<
    string,
    { incidentId: string; keys: Map<string, Buffer>; pods: Map<string, string> }
  >();

  async fetchFromPod(request: PodProxyRequest): Promise<PodProxyResult> {
    this.podProxyRequests.push(request);
    return this.podProxy(request);
  }

  async keepHeapProfile(profile: HeapProfileToKeep): Promise<KeepHeapResult> {
    const configMap = heapConfigMapName(profile.workload);
    const key = heapKey(profile.actionId);
    const stored = this.heapProfiles.get(configMap);
    const keys = stored?.incidentId === profile.incidentId ? stored.keys : new Map<string, Buffer>();
    const [firstKey, firstBytes] = [...keys].find(([k]) => k !== key) ?? [];
    const earlier = firstKey && firstBytes ? { earlier: { key: firstKey, bytes: firstBytes } } : {};
    if (!keys.has(key)) {
      this.mutate({ verb: 'heap-profile', target: `${profile.workload.namespace}/${configMap}`, detail: key });
      const kept = new Map([...keys].slice(0, 1));
      kept.set(key, profile.bytes);
      const pods = new Map(
        [...(stored?.incidentId === profile.incidentId ? stored.pods : new Map<string, string>())].filter(([k]) =>
          kept.has(k),
        ),
      );
      pods.set(key, profile.pod);
      this.heapProfiles.set(configMap, { incidentId: profile.incidentId, keys: kept, pods });
    }
    return { outcome: 'kept', configMap, key, ...earlier };
  }

  async readHeapProfiles(workload: WorkloadRef, incidentId: string): Promise<ReadHeapResult> {
    const stored = this.heapProfiles.get(heapConfigMapName(workload));
    if (stored?.incidentId !== incidentId) return { outcome: 'read', profiles: [] };
    return {
      outcome: 'read',
      profiles: [...stored.keys].map(([key, bytes]) => ({ key, pod: stored.pods.get(key) ?? '', bytes })),
    };
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }

  /** Records a mutation; the tests' cluster (test/support/test-cluster.ts) may refuse it instead, or die before it. */
  protected mutate(mutation: Mutation): KubeError | null {
    this.mutations.push(mutation);
    return null;
  }
}
