/**
 * An in-memory Cluster for tests of the run: the same outcomes and idempotence as the real adapter
 * (restart per action ID, eviction blocked by a PDB, workarounds that are no-ops when in place,
 * Events keyed by (object, reason, key), a Lease with one holder), plus a record of every
 * mutation so a test can assert "zero mutations" in dry-run, and failure injection per method.
 */
import { emptyWorkloadState, type TargetFacts, type WorkloadRef, type WorkloadState } from '../policy/types.js';
import type { KubeError } from './errors.js';
import { buildEvent, eventName } from './events.js';
import { decodeState, encodeState, sameState } from './state.js';
import type { Cluster, DiscoveryProfile, EventInput, PreviousValues, WorkaroundResult } from './types.js';

export interface MemorySeed {
  targets?: TargetFacts[];
  /** ConfigMaps by "namespace/name". */
  configMaps?: Record<string, Record<string, string>>;
  /** Pods (by name) whose eviction a PodDisruptionBudget refuses. */
  pdbBlocked?: string[];
  /** Identity the Lease is held by at start (live), if any. */
  leaseHolder?: string;
}

export type Mutation =
  | { kind: 'state'; workload: string; state: WorkloadState }
  | { kind: 'restart'; workload: string; actionId: string }
  | { kind: 'evict'; pod: string; actionId: string }
  | { kind: 'env'; workload: string; container: string; values: PreviousValues }
  | { kind: 'configmap'; configMap: string; values: PreviousValues }
  | { kind: 'event'; name: string; input: EventInput };

export interface MemoryCluster extends Cluster {
  /** Mutations in order (Events included). */
  readonly mutations: Mutation[];
  readonly events: Map<string, EventInput & { count: number }>;
  /** The next call of `method` fails with `error` (once). */
  failNext(method: keyof Cluster, error: KubeError): void;
}

const key = (w: { kind?: string; namespace: string; name: string }) => `${w.kind ?? 'Pod'}/${w.namespace}/${w.name}`;

export function createMemoryCluster(seed: MemorySeed = {}): MemoryCluster {
  const targets = [...(seed.targets ?? [])];
  const states = new Map<string, { raw: string | null; rv: number }>();
  const restartIds = new Map<string, string>();
  const env = new Map<string, Record<string, string>>();
  for (const t of targets) env.set(`${key(t.workload)}/${t.container}`, { ...t.env });
  const configMaps = new Map(Object.entries(seed.configMaps ?? {}).map(([k, v]) => [k, { ...v }]));
  const evicted = new Set<string>();
  const events = new Map<string, EventInput & { count: number }>();
  const mutations: Mutation[] = [];
  const failures = new Map<keyof Cluster, KubeError>();
  let leaseHolder: string | null = seed.leaseHolder ?? null;

  const failure = (method: keyof Cluster): KubeError | undefined => {
    const error = failures.get(method);
    failures.delete(method);
    return error;
  };

  const patchValues = (current: Record<string, string>, wanted: PreviousValues): { changed: boolean; previous: PreviousValues } => {
    const previous: PreviousValues = {};
    let changed = false;
    for (const [name, value] of Object.entries(wanted)) {
      previous[name] = current[name] ?? null;
      if ((current[name] ?? null) === value) continue;
      changed = true;
      if (value === null) delete current[name];
      else current[name] = value;
    }
    return { changed, previous };
  };

  const patchEnv = async (workload: WorkloadRef, container: string, wanted: PreviousValues): Promise<WorkaroundResult> => {
    const target = targets.find((t) => key(t.workload) === key(workload));
    if (target?.gitopsOwner) return { outcome: 'gitops-owned', owner: target.gitopsOwner };
    const current = env.get(`${key(workload)}/${container}`);
    if (!current) return { outcome: 'missing', message: `${key(workload)} has no container "${container}"` };
    const { changed, previous } = patchValues(current, wanted);
    if (!changed) return { outcome: 'already-set' };
    mutations.push({ kind: 'env', workload: key(workload), container, values: wanted });
    return { outcome: 'applied', previous, resourceVersion: String(mutations.length) };
  };

  const patchConfigMap = async (namespace: string, name: string, wanted: PreviousValues): Promise<WorkaroundResult> => {
    const current = configMaps.get(`${namespace}/${name}`);
    if (!current) return { outcome: 'missing', message: `ConfigMap ${namespace}/${name} does not exist; not creating it` };
    const { changed, previous } = patchValues(current, wanted);
    if (!changed) return { outcome: 'already-set' };
    mutations.push({ kind: 'configmap', configMap: `${namespace}/${name}`, values: wanted });
    return { outcome: 'applied', previous, resourceVersion: String(mutations.length) };
  };

  return {
    mutations,
    events,
    failNext: (method, error) => void failures.set(method, error),

    async discoverTargets(profile: DiscoveryProfile) {
      const error = failure('discoverTargets');
      if (error) return { targets: [], warnings: [], error };
      const found = targets
        .filter((t) => t.profile === profile.name && t.workload.namespace === profile.namespace && !evicted.has(`${t.workload.namespace}/${t.pod.name}`))
        .map((t) => ({ ...t, env: { ...(env.get(`${key(t.workload)}/${t.container}`) ?? t.env) } }));
      return { targets: found, warnings: found.length === 0 ? [`no pod in namespace ${profile.namespace} matches selector "${profile.selector}"`] : [], error: null };
    },

    async readState(workload) {
      const error = failure('readState');
      if (error) return { outcome: 'failed', error };
      const stored = states.get(key(workload)) ?? { raw: null, rv: 1 };
      const decoded = decodeState(stored.raw, emptyWorkloadState);
      if (!decoded.ok) return { outcome: 'failed', error: { code: 'invalid', message: decoded.message } };
      return { outcome: 'read', state: decoded.state, resourceVersion: String(stored.rv), raw: stored.raw };
    },

    async writeState(workload, state, basis) {
      const error = failure('writeState');
      if (error) return { outcome: 'failed', error };
      const stored = states.get(key(workload)) ?? { raw: null, rv: 1 };
      const decoded = decodeState(stored.raw, emptyWorkloadState);
      const storedState = decoded.ok ? decoded.state : emptyWorkloadState;
      if (basis && !sameState(basis.state, storedState)) {
        return { outcome: 'changed-concurrently', current: { state: storedState, resourceVersion: String(stored.rv), raw: stored.raw } };
      }
      const raw = encodeState(state);
      if (sameState(state, storedState)) return { outcome: 'unchanged' };
      states.set(key(workload), { raw, rv: stored.rv + 1 });
      mutations.push({ kind: 'state', workload: key(workload), state });
      const resourceVersion = String(stored.rv + 1);
      return { outcome: 'written', resourceVersion, attempts: 1, snapshot: { state, resourceVersion, raw } };
    },

    async restartWorkload(workload, actionId) {
      const error = failure('restartWorkload');
      if (error) return { outcome: 'failed', error };
      if (workload.kind === 'Pod' || workload.kind === 'ReplicaSet') return { outcome: 'unsupported', message: `${workload.kind} has no pod template` };
      if (restartIds.get(key(workload)) === actionId) return { outcome: 'already-done' };
      restartIds.set(key(workload), actionId);
      mutations.push({ kind: 'restart', workload: key(workload), actionId });
      return { outcome: 'restarted', restartedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    },

    async evictPod(pod, actionId) {
      const error = failure('evictPod');
      if (error) return { outcome: 'failed', error };
      const id = `${pod.namespace}/${pod.name}`;
      const target = targets.find((t) => `${t.workload.namespace}/${t.pod.name}` === id && (!pod.uid || t.pod.uid === pod.uid));
      if (!target || evicted.has(id)) return { outcome: 'already-gone' };
      if (!target.pod.controlled) return { outcome: 'refused', message: `pod ${id} has no controller: nothing would recreate it` };
      if (seed.pdbBlocked?.includes(pod.name)) return { outcome: 'blocked', message: "Cannot evict pod as it would violate the pod's disruption budget." };
      evicted.add(id);
      mutations.push({ kind: 'evict', pod: id, actionId });
      return { outcome: 'evicted' };
    },

    applyEnvWorkaround: (workload, container, values) => failOr('applyEnvWorkaround', () => patchEnv(workload, container, values)),
    revertEnvWorkaround: (workload, container, previous) => failOr('revertEnvWorkaround', () => patchEnv(workload, container, previous)),
    applyConfigMapWorkaround: (namespace, name, data) => failOr('applyConfigMapWorkaround', () => patchConfigMap(namespace, name, data)),
    revertConfigMapWorkaround: (namespace, name, previous) => failOr('revertConfigMapWorkaround', () => patchConfigMap(namespace, name, previous)),

    async recordEvent(input) {
      const error = failure('recordEvent');
      if (error) return { outcome: 'failed', error };
      buildEvent(input, 'memory', new Date()); // same shaping (and truncation) as the real adapter
      const name = eventName(input);
      const existing = events.get(name);
      if (existing) {
        if (!input.countRepeats) return { outcome: 'exists', name };
        existing.count += 1;
        return { outcome: 'counted', name, count: existing.count };
      }
      events.set(name, { ...input, count: 1 });
      mutations.push({ kind: 'event', name, input });
      return { outcome: 'created', name };
    },

    async acquireLease(request) {
      const error = failure('acquireLease');
      if (error) return { acquired: false, holder: null, reason: 'could not read the lock', error };
      if (leaseHolder && leaseHolder !== request.identity) return { acquired: false, holder: leaseHolder, reason: `held by ${leaseHolder}` };
      const reason = leaseHolder ? 'renewed' : 'free';
      leaseHolder = request.identity;
      return { acquired: true, holder: leaseHolder, reason };
    },

    async releaseLease(request) {
      const error = failure('releaseLease');
      if (error) return { outcome: 'failed', error };
      if (leaseHolder !== request.identity) return { outcome: 'not-holder', holder: leaseHolder };
      leaseHolder = null;
      return { outcome: 'released' };
    },
  };

  async function failOr(method: keyof Cluster, fn: () => Promise<WorkaroundResult>): Promise<WorkaroundResult> {
    const error = failure(method);
    return error ? { outcome: 'failed', error } : fn();
  }
}
