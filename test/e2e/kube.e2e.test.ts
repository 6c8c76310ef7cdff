/**
 * The Kubernetes adapter against the real control plane (kube-apiserver, controller-manager,
 * scheduler, kwok nodes), acting as leakguard's ServiceAccount through a TokenRequest token, so
 * every call goes through the RBAC this repository ships (test/e2e/rbac/).
 * Tests that mutate work in their own sandbox namespaces with a copy of the Rook fixture.
 */
import {
  AuthorizationV1Api,
  type V1ConfigMap,
  V1Deployment,
  V1EnvVar,
  V1Lease,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodList,
  V1ReplicaSetList,
} from '@kubernetes/client-node';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeCluster } from '../../src/kube/index.js';
import { buildEvent, eventName } from '../../src/kube/events.js';
import type { Cluster, DiscoveryProfile } from '../../src/kube/index.js';
import { emptyWorkloadState, type WorkloadState } from '../../src/model/state.js';
import { type WorkloadRef } from '../../src/model/workload.js';
import { leaseRoleYaml, profileRolesYaml } from './rbac/manifests.js';
import { applyLeakguardRbac, createSandbox, deleteSandboxes } from './rbac/sandbox.js';
import {
  adminKubeConfig,
  kubeConfigForToken,
  kubectl,
  kubectlJson,
  loadE2eEnv,
  tokenFor,
  waitFor,
} from './support/index.js';

const env = loadE2eEnv();
const run = Date.now().toString(36).slice(-6);
const ns = {
  flux: `lg-kube-flux-${run}`,
  restart: `lg-kube-restart-${run}`,
  evict: `lg-kube-evict-${run}`,
  workaround: `lg-kube-workaround-${run}`,
  image: `lg-kube-image-${run}`,
  record: `lg-kube-record-${run}`,
  heap: `lg-kube-heap-${run}`,
  lease: `lg-kube-lease-${run}`,
};
const operator = 'rook-ceph-operator';
const container = 'rook-ceph-operator';
const profileIn = (namespace: string): DiscoveryProfile => ({
  name: 'rook',
  namespace,
  selector: 'app=rook-ceph-operator',
  container,
});
const logger = pino({ level: 'silent' });

let token = '';
const asLeakguard = (identity: string): Cluster =>
  createKubeCluster({ kubeConfig: kubeConfigForToken(token, env), logger, identity });
let cluster: Cluster;

const getDeployment = (namespace: string, name = operator) =>
  kubectlJson<V1Deployment>(['get', 'deployment', name, '-n', namespace], { env });
const getPods = async (namespace: string) =>
  (await kubectlJson<V1PodList>(['get', 'pods', '-n', namespace, '-l', 'app=rook-ceph-operator'], { env })).items;
const templateEnv = (d: V1Deployment): V1EnvVar[] =>
  d.spec?.template.spec?.containers.find((c) => c.name === container)?.env ?? [];
const byName = (env: V1EnvVar[]) => Object.fromEntries(env.map((e) => [e.name, e]));

async function operatorRef(namespace: string): Promise<WorkloadRef> {
  const d = await getDeployment(namespace);
  return { kind: 'Deployment', namespace, name: operator, uid: d.metadata?.uid ?? '' };
}

async function runningPod(namespace: string, notNamed: string[] = []): Promise<V1Pod> {
  return waitFor(`a Running operator pod in ${namespace}`, async () => {
    const pods = (await getPods(namespace)).filter(
      (p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp,
    );
    return pods.find((p) => !notNamed.includes(p.metadata?.name ?? ''));
  });
}

beforeAll(async () => {
  await applyLeakguardRbac(env);
  await kubectl(['apply', '-f', '-'], { env, input: profileRolesYaml('rook-ceph') });
  await kubectl(['create', 'namespace', ns.lease], { env });
  await kubectl(['apply', '-f', '-'], { env, input: leaseRoleYaml(ns.lease) });
  const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: rook-ceph-operator}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: rook-ceph-operator}}
`;
  await Promise.all([
    createSandbox(env, ns.flux, {
      deploymentLabels: {
        'kustomize.toolkit.fluxcd.io/name': 'rook',
        'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
      },
    }),
    createSandbox(env, ns.restart),
    createSandbox(env, ns.evict, { extra: pdb }),
    createSandbox(env, ns.workaround),
    createSandbox(env, ns.image),
    createSandbox(env, ns.record),
    createSandbox(env, ns.heap),
  ]);
  token = await tokenFor('leakguard', 'leakguard', { env });
  cluster = asLeakguard('leakguard-e2e');
});

afterAll(async () => {
  if (process.env.LEAKGUARD_E2E_KEEP !== '1') await deleteSandboxes(env, Object.values(ns));
});

/** The targets a profile finds; fails the test when the pods cannot be listed. */
async function listed(profile: DiscoveryProfile) {
  const found = await cluster.discoverTargets(profile);
  if (found.outcome === 'failed') throw new Error(`cannot list pods: ${found.error.message}`);
  return found;
}

describe('discoverTargets', () => {
  it('finds the Rook operator with its version, limit, owner and env', async () => {
    const found = await listed(profileIn('rook-ceph'));
    const live = found.targets.filter((t) => !t.pod.terminating);
    expect(live.length).toBeGreaterThanOrEqual(1);
    const deployment = await getDeployment('rook-ceph');
    const target = live[0];
    expect(target).toMatchObject({
      profile: 'rook',
      workload: { kind: 'Deployment', namespace: 'rook-ceph', name: operator, uid: deployment.metadata?.uid },
      container,
      image: 'rook/ceph:v1.14.9',
      version: '1.14.9',
      limitBytes: 512 * 1024 ** 2,
      gitopsOwner: null,
      pod: { controlled: true, terminating: false },
    });
    expect(target?.pod.startTime).toBeGreaterThan(1.7e9);
    expect(target?.env['ROOK_CURRENT_NAMESPACE_ONLY']).toBe('false');
    expect(target?.env).not.toHaveProperty('NODE_NAME'); // set from a fieldRef, not a literal
  });

  it('sees a Flux-owned copy as GitOps-owned and will not patch it live', async () => {
    const found = await listed(profileIn(ns.flux));
    expect(found.targets.map((t) => t.gitopsOwner)).toEqual(['flux']);
    const before = await getDeployment(ns.flux);
    const result = await cluster.applyEnvWorkaround(await operatorRef(ns.flux), container, {
      ROOK_WATCH_FOR_NODE_FAILURE: 'false',
    });
    expect(result).toEqual({ outcome: 'gitops-owned', owner: 'flux' });
    expect((await getDeployment(ns.flux)).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('reports a namespace it has no rights in as forbidden, after one request', async () => {
    const found = await cluster.discoverTargets({ ...profileIn('kube-system'), selector: 'app=anything' });
    expect(found).toMatchObject({ outcome: 'failed', error: { code: 'forbidden', status: 403, attempts: 1 } });
  });
});

describe('restartWorkload', () => {
  const replicaSets = async () =>
    (
      await kubectlJson<V1ReplicaSetList>(['get', 'replicasets', '-n', ns.restart, '-l', 'app=rook-ceph-operator'], {
        env,
      })
    ).items
      .map((r) => r.metadata?.name)
      .sort();

  it('rolls the Deployment out to a new pod, and a second call with the same action ID is a no-op', async () => {
    const ref = await operatorRef(ns.restart);
    const oldPod = await runningPod(ns.restart);
    const rsBefore = await replicaSets();
    const actionId = `restart-${run}`;
    // Before: the template carries no such restart (what a run killed before the patch leaves).
    expect(await cluster.restartHappened(ref, { actionId, mode: 'rollout' })).toMatchObject({
      outcome: 'not-happened',
    });

    const first = await cluster.restartWorkload(ref, actionId);
    expect(first.outcome).toBe('restarted');
    const newPod = await runningPod(ns.restart, [oldPod.metadata?.name ?? '']);
    expect(newPod.metadata?.annotations?.['leakguard.io/restart-id']).toBe(actionId);
    const rsAfter = await waitFor('the new ReplicaSet', async () =>
      (await replicaSets()).length === rsBefore.length + 1 ? replicaSets() : undefined,
    );
    const generation = (await getDeployment(ns.restart)).metadata?.generation;
    // The restart made a new ReplicaSet of the same template: detection keeps what the old pods showed.
    const templates = await cluster.readPodTemplates(ns.restart, 'app=rook-ceph-operator');
    if (templates.outcome !== 'listed') throw new Error(`ReplicaSets not read: ${JSON.stringify(templates)}`);
    const keys = rsAfter.map((name) => templates.byReplicaSet.get(name ?? ''));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);

    expect(await cluster.restartWorkload(ref, actionId)).toEqual({ outcome: 'already-done' });
    expect(await cluster.restartHappened(ref, { actionId, mode: 'rollout' })).toEqual({ outcome: 'happened' });
    expect(await cluster.restartHappened(ref, { actionId: `other-${run}`, mode: 'rollout' })).toMatchObject({
      outcome: 'not-happened',
    });
    expect((await getDeployment(ns.restart)).metadata?.generation).toBe(generation);
    expect(await replicaSets()).toEqual(rsAfter);
  });

  it('is forbidden on a Deployment outside its resourceNames, and stops there', async () => {
    await kubectl(['create', 'deployment', 'neighbour', '-n', ns.restart, '--image=nginx:1.27', '--replicas=0'], {
      env,
    });
    const before = await getDeployment(ns.restart, 'neighbour');
    const result = await cluster.restartWorkload(
      { kind: 'Deployment', namespace: ns.restart, name: 'neighbour', uid: before.metadata?.uid ?? '' },
      `r-${run}`,
    );
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'forbidden', status: 403, attempts: 1 } });
    expect((await getDeployment(ns.restart, 'neighbour')).metadata?.resourceVersion).toBe(
      before.metadata?.resourceVersion,
    );
  });
});

describe('evictPod', () => {
  it('is blocked by a PodDisruptionBudget and leaves the pod alone; evicts once the PDB is gone; then finds it gone', async () => {
    await waitFor('the disruption controller to count the PDB', async () => {
      const pdb = await kubectlJson<V1PodDisruptionBudget>(['get', 'pdb', operator, '-n', ns.evict], { env });
      return pdb.status?.currentHealthy === 1 && pdb.status.observedGeneration === pdb.metadata?.generation
        ? pdb
        : undefined;
    });
    const pod = await runningPod(ns.evict);
    const ref = { namespace: ns.evict, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };

    const workload = await operatorRef(ns.evict);
    const check = { actionId: `evict-${run}`, mode: 'evict' as const, pod: ref };
    const blocked = await cluster.evictPod(ref, `evict-${run}`);
    expect(blocked.outcome).toBe('blocked');
    expect(await cluster.restartHappened(workload, check)).toMatchObject({ outcome: 'not-happened' });
    const still = await kubectlJson<V1Pod>(['get', 'pod', ref.name, '-n', ns.evict], { env });
    expect(still.metadata?.uid).toBe(ref.uid);
    expect(still.metadata?.deletionTimestamp).toBeUndefined();

    await kubectl(['delete', 'pdb', operator, '-n', ns.evict], { env });
    expect(await cluster.evictPod(ref, `evict-${run}`)).toEqual({ outcome: 'evicted' });
    await waitFor('the evicted pod to go', async () => {
      const pods = await getPods(ns.evict);
      const same = pods.find((p) => p.metadata?.uid === ref.uid);
      return !same || same.metadata?.deletionTimestamp ? true : undefined;
    });
    expect(await cluster.evictPod(ref, `evict-${run}`)).toEqual({ outcome: 'already-gone' });
    expect(await cluster.restartHappened(workload, check)).toEqual({ outcome: 'happened' });
  });

  it('treats a deleted pod as already gone', async () => {
    const pod = await runningPod(ns.evict);
    const ref = { namespace: ns.evict, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
    await kubectl(['delete', 'pod', ref.name, '-n', ns.evict, '--grace-period=0', '--force', '--wait=true'], { env });
    expect(await cluster.evictPod(ref, `evict2-${run}`)).toEqual({ outcome: 'already-gone' });
  });

  it('refuses to evict a pod no controller would recreate', async () => {
    await kubectl(['run', 'orphan', '-n', ns.evict, '--image=rook/ceph:v1.14.9', '--restart=Never'], { env });
    const orphan = await kubectlJson<V1Pod>(['get', 'pod', 'orphan', '-n', ns.evict], { env });
    const result = await cluster.evictPod(
      { namespace: ns.evict, name: 'orphan', uid: orphan.metadata?.uid ?? '' },
      `evict3-${run}`,
    );
    expect(result.outcome).toBe('refused');
    const after = await kubectlJson<V1Pod>(['get', 'pod', 'orphan', '-n', ns.evict], { env });
    expect(after.metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe('workarounds', () => {
  it('sets one env var on the container, leaves the others untouched, is a no-op the second time, and reverts', async () => {
    const ref = await operatorRef(ns.workaround);
    const before = templateEnv(await getDeployment(ns.workaround));
    expect(byName(before)).not.toHaveProperty('ROOK_WATCH_FOR_NODE_FAILURE');

    const applied = await cluster.applyEnvWorkaround(ref, container, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(applied).toMatchObject({ outcome: 'applied', previous: { ROOK_WATCH_FOR_NODE_FAILURE: null } });
    const afterFirst = await getDeployment(ns.workaround);
    expect(byName(templateEnv(afterFirst))).toEqual({
      ...byName(before),
      ROOK_WATCH_FOR_NODE_FAILURE: { name: 'ROOK_WATCH_FOR_NODE_FAILURE', value: 'false' },
    });

    await waitFor('the rolled-out pod to carry the env', async () => {
      const targets = (await listed(profileIn(ns.workaround))).targets.filter((t) => !t.pod.terminating);
      return targets.length === 1 && targets[0]?.env['ROOK_WATCH_FOR_NODE_FAILURE'] === 'false' ? true : undefined;
    });
    // Once the controller has finished the rollout nothing else writes the Deployment: a second call must not either.
    await kubectl(['rollout', 'status', `deployment/${operator}`, '-n', ns.workaround, '--timeout=120s'], {
      env,
      timeoutMs: 130_000,
    });
    const settled = await getDeployment(ns.workaround);
    expect(settled.metadata?.generation).toBe(afterFirst.metadata?.generation);
    // The env var made a new template, unlike a restart: the pods before it say nothing about the pods after it.
    const templates = await cluster.readPodTemplates(ns.workaround, 'app=rook-ceph-operator');
    if (templates.outcome !== 'listed') throw new Error(`ReplicaSets not read: ${JSON.stringify(templates)}`);
    expect(templates.byReplicaSet.size).toBe(2);
    expect(new Set(templates.byReplicaSet.values()).size).toBe(2);
    expect(await cluster.applyEnvWorkaround(ref, container, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' })).toEqual({
      outcome: 'already-set',
    });
    expect((await getDeployment(ns.workaround)).metadata?.resourceVersion).toBe(settled.metadata?.resourceVersion);

    if (applied.outcome !== 'applied') throw new Error('unreachable');
    expect(
      (await cluster.revertEnvWorkaround(ref, container, applied.previous, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' }))
        .outcome,
    ).toBe('applied');
    expect(templateEnv(await getDeployment(ns.workaround))).toEqual(before);
  });

  it("restores exactly what was there: an admin's literal value, and a value from a reference", async () => {
    const ref = await operatorRef(ns.workaround);
    const set = { ROOK_WATCH_FOR_NODE_FAILURE: 'false' };
    await kubectl(
      [
        'set',
        'env',
        `deployment/${operator}`,
        '-n',
        ns.workaround,
        '-c',
        container,
        'ROOK_WATCH_FOR_NODE_FAILURE=true',
      ],
      { env },
    );
    const explicit = templateEnv(await getDeployment(ns.workaround));
    const applied = await cluster.applyEnvWorkaround(ref, container, set);
    expect(applied).toMatchObject({ outcome: 'applied', previous: { ROOK_WATCH_FOR_NODE_FAILURE: 'true' } });
    if (applied.outcome !== 'applied') throw new Error('unreachable');
    expect((await cluster.revertEnvWorkaround(ref, container, applied.previous, set)).outcome).toBe('applied');
    expect(templateEnv(await getDeployment(ns.workaround))).toEqual(explicit);

    const fromRef = byName(templateEnv(await getDeployment(ns.workaround)))['POD_NAMESPACE'];
    expect(fromRef?.valueFrom).toBeDefined();
    const literal = await cluster.applyEnvWorkaround(ref, container, { POD_NAMESPACE: ns.workaround });
    expect(byName(templateEnv(await getDeployment(ns.workaround)))['POD_NAMESPACE']).toEqual({
      name: 'POD_NAMESPACE',
      value: ns.workaround,
    });
    if (literal.outcome !== 'applied') throw new Error('unreachable');
    expect(
      (await cluster.revertEnvWorkaround(ref, container, literal.previous, { POD_NAMESPACE: ns.workaround })).outcome,
    ).toBe('applied');
    expect(byName(templateEnv(await getDeployment(ns.workaround)))['POD_NAMESPACE']).toEqual(fromRef);

    // Someone changed it since: theirs now, the revert leaves it.
    const again = await cluster.applyEnvWorkaround(ref, container, set);
    await kubectl(
      [
        'set',
        'env',
        `deployment/${operator}`,
        '-n',
        ns.workaround,
        '-c',
        container,
        'ROOK_WATCH_FOR_NODE_FAILURE=maybe',
      ],
      { env },
    );
    if (again.outcome !== 'applied') throw new Error('unreachable');
    expect(await cluster.revertEnvWorkaround(ref, container, again.previous, set)).toEqual({ outcome: 'already-set' });
    expect(byName(templateEnv(await getDeployment(ns.workaround)))['ROOK_WATCH_FOR_NODE_FAILURE']).toEqual({
      name: 'ROOK_WATCH_FOR_NODE_FAILURE',
      value: 'maybe',
    });
    await kubectl(
      ['set', 'env', `deployment/${operator}`, '-n', ns.workaround, '-c', container, 'ROOK_WATCH_FOR_NODE_FAILURE-'],
      { env },
    );
  });

  it('asks the API server for the rights a workaround needs (SelfSubjectAccessReview)', async () => {
    const checks = [
      { verb: 'patch' as const, group: 'apps', resource: 'deployments', namespace: ns.workaround, name: operator },
      {
        verb: 'patch' as const,
        group: '',
        resource: 'configmaps',
        namespace: ns.workaround,
        name: 'not-granted-by-any-role',
      },
    ];
    // The sandbox's workaround Role (test/e2e/rbac/profile-roles.yaml) grants the operator and its named ConfigMap only.
    expect(await cluster.checkAccess(checks)).toEqual({ outcome: 'checked', denied: [checks[1]] });
  });

  it('swaps the hotfix image into that container only, is a no-op the second time, refuses another image, and the revert restores the template exactly', async () => {
    // A sidecar beside the operator: the swap must leave it, and every other field, as it was.
    const sidecar = [
      {
        op: 'add',
        path: '/spec/template/spec/containers/-',
        value: { name: 'sidecar', image: 'rook/ceph:v1.14.9', args: ['sleep'] },
      },
    ];
    await kubectl(['patch', 'deployment', operator, '-n', ns.image, '--type=json', '-p', JSON.stringify(sidecar)], {
      env,
    });
    const ref = await operatorRef(ns.image);
    const before = (await getDeployment(ns.image)).spec?.template;
    const swap = { container, previous: 'rook/ceph:v1.14.9', hotfix: 'rook/ceph:v1.14.9-hotfix-1' };

    expect(await cluster.applyImageWorkaround(ref, swap)).toMatchObject({
      outcome: 'applied',
      previous: { image: 'rook/ceph:v1.14.9' },
    });
    const after = (await getDeployment(ns.image)).spec?.template;
    const images = (t: typeof after) => Object.fromEntries((t?.spec?.containers ?? []).map((c) => [c.name, c.image]));
    expect(images(after)).toEqual({ [container]: swap.hotfix, sidecar: 'rook/ceph:v1.14.9' });
    const withoutImages = (t: typeof after) => ({
      ...t,
      spec: { ...t?.spec, containers: (t?.spec?.containers ?? []).map((c) => ({ ...c, image: '' })) },
    });
    expect(withoutImages(after)).toEqual(withoutImages(before));
    // The rollout rewrites the status meanwhile: the spec's generation shows whether anything was written.
    const generation = (await getDeployment(ns.image)).metadata?.generation;
    expect(await cluster.applyImageWorkaround(ref, swap)).toEqual({ outcome: 'already-set' });
    expect((await getDeployment(ns.image)).metadata?.generation).toBe(generation);

    expect((await cluster.revertImageWorkaround(ref, swap)).outcome).toBe('applied');
    expect((await getDeployment(ns.image)).spec?.template).toEqual(before);
    expect(await cluster.revertImageWorkaround(ref, swap)).toEqual({ outcome: 'already-set' });

    // Someone else moved the image on: leakguard changes nothing it did not decide on.
    const moved = await cluster.applyImageWorkaround(ref, { ...swap, previous: 'rook/ceph:v1.14.8' });
    expect(moved).toMatchObject({
      outcome: 'missing',
      message: expect.stringContaining('now runs rook/ceph:v1.14.9, not rook/ceph:v1.14.8') as unknown,
    });
    expect((await getDeployment(ns.image)).spec?.template).toEqual(before);
    expect(await cluster.applyImageWorkaround(await operatorRef(ns.flux), swap)).toEqual({
      outcome: 'gitops-owned',
      owner: 'flux',
    });
  });

  it('sets one ConfigMap key, leaves the others, is a no-op the second time, reverts, and never creates a missing ConfigMap', async () => {
    const name = 'rook-ceph-operator-config';
    const getCm = () => kubectlJson<V1ConfigMap>(['get', 'configmap', name, '-n', ns.workaround], { env });
    const before = await getCm();

    const applied = await cluster.applyConfigMapWorkaround(ns.workaround, name, {
      ROOK_WATCH_FOR_NODE_FAILURE: 'false',
    });
    expect(applied).toMatchObject({ outcome: 'applied', previous: { ROOK_WATCH_FOR_NODE_FAILURE: null } });
    const after = await getCm();
    expect(after.data).toEqual({ ...before.data, ROOK_WATCH_FOR_NODE_FAILURE: 'false' });

    expect(
      await cluster.applyConfigMapWorkaround(ns.workaround, name, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' }),
    ).toEqual({ outcome: 'already-set' });
    expect((await getCm()).metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);

    if (applied.outcome !== 'applied') throw new Error('unreachable');
    expect(
      (
        await cluster.revertConfigMapWorkaround(
          ns.workaround,
          name,
          applied.previous as Record<string, string | null>,
          { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
        )
      ).outcome,
    ).toBe('applied');
    expect((await getCm()).data).toEqual(before.data);

    await kubectl(['delete', 'configmap', name, '-n', ns.workaround], { env });
    expect(
      (await cluster.applyConfigMapWorkaround(ns.workaround, name, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' })).outcome,
    ).toBe('missing');
    await expect(getCm()).rejects.toThrow(/NotFound|not found/);
  });
});

describe('recordEvent', () => {
  it('writes events.k8s.io Events that kubectl events shows for the Deployment, once per action ID', async () => {
    const ref = await operatorRef(ns.record);
    const pod = await runningPod(ns.record);
    const note = `Set ROOK_WATCH_FOR_NODE_FAILURE=false: working set grows 41.2 MiB/h, limit in ~6 h (rook/rook#15499), action wa-${run}.`;
    const event = {
      regarding: ref,
      reason: 'WorkaroundApplied',
      action: 'ApplyWorkaround',
      note,
      type: 'Normal' as const,
      key: `wa-${run}`,
    };

    expect((await cluster.recordEvent(event)).outcome).toBe('created');
    expect((await cluster.recordEvent(event)).outcome).toBe('exists');
    const blocked = {
      regarding: ref,
      related: { kind: 'Pod', namespace: ns.record, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
      reason: 'EvictionBlocked',
      action: 'Evict',
      note: 'Eviction refused by PodDisruptionBudget rook-ceph-operator; not deleting the pod.',
      type: 'Warning' as const,
      key: `ev-${run}`,
    };
    expect((await cluster.recordEvent(blocked)).outcome).toBe('created');
    expect(await cluster.recordEvent({ ...blocked, countRepeats: true })).toMatchObject({
      outcome: 'counted',
      count: 2,
    });

    const out = await kubectl(['events', '--for', `deployment/${operator}`, '-n', ns.record], { env });
    const lines = out.split('\n');
    expect(lines.filter((l) => l.includes('WorkaroundApplied'))).toHaveLength(1);
    expect(out).toContain(note);
    expect(lines.find((l) => l.includes('EvictionBlocked'))).toMatch(/Warning/);

    const stored = await kubectlJson<{
      items: { reportingController?: string; reportingInstance?: string; reason?: string; eventTime?: string }[];
    }>(['get', 'events.v1.events.k8s.io', '-n', ns.record, '--field-selector', 'reason=WorkaroundApplied'], { env });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ reportingController: 'leakguard', reportingInstance: 'leakguard-e2e' });
    expect(stored.items[0]?.eventTime).toMatch(/\.\d{6}Z$/);
  });

  it("a run repeating the last run's decisions sends one list and no write; one told 40 minutes ago is counted into its series", async () => {
    const ref = await operatorRef(ns.record);
    const decision = (reason: string) => ({
      regarding: ref,
      reason,
      action: 'Detect',
      note: `${reason}: working set grows 24 MiB/h [dry-run] (${run})`,
      type: 'Warning' as const,
      key: `${reason}:inc-${run}`,
    });
    const decisions = [decision('LeakSuspected'), decision('RemediationPlanned')];
    for (const d of decisions) expect((await asLeakguard('leakguard-run-1').recordEvent(d)).outcome).toBe('created');

    const requests: string[] = [];
    const count = (message: unknown) => {
      const { request } = message as { request: { method: string; path: string } };
      requests.push(`${request.method} ${request.path.split('?')[0]}`);
    };
    const second = asLeakguard('leakguard-run-2');
    subscribe('http.client.request.start', count);
    try {
      for (const d of decisions) expect((await second.recordEvent(d)).outcome).toBe('exists');
    } finally {
      unsubscribe('http.client.request.start', count);
    }
    expect(requests).toEqual([`GET /apis/events.k8s.io/v1/namespaces/${ns.record}/events`]);

    // The same decision told 40 minutes ago (an Event as a run then wrote it, its time set back).
    const old = decision('LeakConfirmed');
    const body = buildEvent(old, 'leakguard-run-0', new Date(Date.now() - 40 * 60_000));
    await kubectl(['create', '-f', '-'], { env, input: JSON.stringify(body) });
    expect(await asLeakguard('leakguard-run-3').recordEvent(old)).toMatchObject({ outcome: 'counted', count: 2 });
    const stored = await kubectlJson<{ series?: { count: number; lastObservedTime: string }; eventTime: string }>(
      ['get', 'events.v1.events.k8s.io', eventName(old), '-n', ns.record],
      { env },
    );
    expect(stored.series?.count).toBe(2);
    expect(Date.now() - Date.parse(stored.series!.lastObservedTime)).toBeLessThan(5 * 60_000);
    expect(Date.now() - Date.parse(stored.eventTime)).toBeGreaterThan(39 * 60_000);
    const out = await kubectl(['events', '--for', `deployment/${operator}`, '-n', ns.record], { env });
    expect(out.split('\n').find((l) => l.includes('LeakConfirmed'))).toMatch(/\(x2 over 4\dm\)/);
    // Counted, it is fresh again: the next run leaves it alone.
    expect((await asLeakguard('leakguard-run-4').recordEvent(old)).outcome).toBe('exists');
  });
});

describe('state annotations', () => {
  const s1: WorkloadState = {
    ...emptyWorkloadState,
    incidentId: `inc-${run}`,
    incidentStart: 1795600000,
    lastAction: 'restart',
    lastActionId: 'a1',
    lastActionAt: 1795680000,
    actionCount: 1,
    restartTimes: [1795680000],
  };
  const s2: WorkloadState = {
    ...s1,
    lastAction: 'workaround',
    lastActionId: 'a2',
    actionCount: 2,
    workaroundAppliedAt: 1795690000,
  };

  it('round-trips, ignores unrelated changes to the object, and refuses to overwrite another writer', async () => {
    const ref = await operatorRef(ns.record);
    const empty = await cluster.readState(ref);
    expect(empty).toMatchObject({ outcome: 'read', state: emptyWorkloadState, raw: null });

    expect((await cluster.writeState(ref, s1)).outcome).toBe('written');
    const read1 = await cluster.readState(ref);
    expect(read1).toMatchObject({ outcome: 'read', state: s1 });
    if (read1.outcome !== 'read') throw new Error('unreachable');

    // Something unrelated changes the Deployment: the write compares the state annotation only, so it goes through at once.
    await kubectl(['label', 'deployment', operator, '-n', ns.record, `touched=${run}`, '--overwrite'], { env });
    const write2 = await cluster.writeState(ref, s2, read1);
    expect(write2).toMatchObject({ outcome: 'written', attempts: 1 });
    const read2 = await cluster.readState(ref);
    expect(read2).toMatchObject({ outcome: 'read', state: s2 });
    if (read2.outcome !== 'read') throw new Error('unreachable');

    // A basis the caller assembled itself (its raw text is not byte-identical to the annotation) re-checks by state.
    await kubectl(['label', 'deployment', operator, '-n', ns.record, `touched=${run}-2`, '--overwrite'], { env });
    const s3: WorkloadState = { ...s2, actionCount: 3 };
    expect(
      (
        await cluster.writeState(ref, s3, {
          state: s2,
          resourceVersion: read2.resourceVersion,
          raw: JSON.stringify(s2),
        })
      ).outcome,
    ).toBe('written');
    expect(await cluster.readState(ref)).toMatchObject({ outcome: 'read', state: s3 });

    // Another writer changes the state itself: no overwrite.
    const theirs = JSON.stringify({ v: 1, ...s2, actionCount: 3, lastActionId: 'theirs' });
    await kubectl(
      ['annotate', 'deployment', operator, '-n', ns.record, `leakguard.io/state=${theirs}`, '--overwrite'],
      { env },
    );
    const write3 = await cluster.writeState(ref, { ...s2, actionCount: 9 }, read2);
    expect(write3.outcome).toBe('changed-concurrently');
    expect((await getDeployment(ns.record)).metadata?.annotations?.['leakguard.io/state']).toBe(theirs);
  });

  it("reads the state of 40 Deployments with one list request, as the chart's RBAC allows", async () => {
    // 39 more Deployments (no replicas: only their metadata matters) beside the operator, two with state written.
    const names = Array.from({ length: 39 }, (_, i) => `op-${String(i).padStart(2, '0')}`);
    const deployment = (name: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns.record}}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: registry.k8s.io/pause:3.10}]}`;
    await kubectl(['apply', '-f', '-'], { env, input: names.map(deployment).join('\n---\n') });
    const refs: WorkloadRef[] = [await operatorRef(ns.record)];
    for (const name of names)
      refs.push({
        kind: 'Deployment',
        namespace: ns.record,
        name,
        uid: (await getDeployment(ns.record, name)).metadata?.uid ?? '',
      });
    const stateOf = (i: number): WorkloadState => ({
      ...emptyWorkloadState,
      incidentId: `inc-${run}-${i}`,
      incidentStart: 1795600000 + i,
    });
    // Written as an admin: leakguard's Role patches only the operator; the read below is what is under test.
    const admin = createKubeCluster({ kubeConfig: adminKubeConfig(env), logger, identity: 'e2e-admin' });
    for (const i of [1, 38]) expect((await admin.writeState(refs[i]!, stateOf(i))).outcome).toBe('written');

    const requests: string[] = [];
    const count = (message: unknown) => {
      const { request } = message as { request: { method: string; path: string } };
      requests.push(`${request.method} ${request.path.split('?')[0]}`);
    };
    subscribe('http.client.request.start', count);
    let reads: Map<string, Awaited<ReturnType<Cluster['readState']>>>;
    try {
      reads = await cluster.readStates(refs);
    } finally {
      unsubscribe('http.client.request.start', count);
    }
    expect(requests).toEqual([`GET /apis/apps/v1/namespaces/${ns.record}/deployments`]);
    expect(reads.size).toBe(40);
    for (const [i, ref] of refs.entries()) {
      const read = reads.get(`Deployment/${ns.record}/${ref.name}`);
      if (i === 1 || i === 38) expect(read).toMatchObject({ outcome: 'read', state: stateOf(i) });
      else if (i > 0) expect(read).toMatchObject({ outcome: 'read', state: emptyWorkloadState, raw: null });
      else expect(read?.outcome).toBe('read');
    }
    // What one get reads for the same workload, the list read too — apart from the resourceVersion, which the
    // Deployment controller may move meanwhile (status); the write is guarded by the annotation, not by it.
    const listed = reads.get(`Deployment/${ns.record}/${refs[38]!.name}`);
    const single = await cluster.readState(refs[38]!);
    if (listed?.outcome !== 'read' || single.outcome !== 'read') throw new Error('state read failed');
    expect({ raw: listed.raw, state: listed.state }).toEqual({ raw: single.raw, state: stateOf(38) });
    // And it serves as the basis of a compare-and-swap: the write goes through on it.
    const next = { ...stateOf(38), actionCount: 1 };
    expect((await admin.writeState(refs[38]!, next, listed)).outcome).toBe('written');
    expect(await cluster.readState(refs[38]!)).toMatchObject({ outcome: 'read', state: next });
  });

  it('writes while a rollout runs (the controller rewriting the status) go through at the first attempt', async () => {
    const ref = await operatorRef(ns.record);
    let basis = await cluster.readState(ref);
    if (basis.outcome !== 'read') throw new Error(`cannot read state: ${JSON.stringify(basis)}`);
    await kubectl(['rollout', 'restart', 'deployment', operator, '-n', ns.record], { env });
    const attempts: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const written = await cluster.writeState(ref, { ...basis.state, actionCount: 100 + i }, basis);
      if (written.outcome !== 'written' || !written.snapshot) throw new Error(`write ${i}: ${JSON.stringify(written)}`);
      attempts.push(written.attempts);
      basis = { outcome: 'read', ...written.snapshot };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(attempts).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(await cluster.readState(ref)).toMatchObject({ outcome: 'read', state: { actionCount: 108 } });
  });
});

describe('RBAC as shipped', () => {
  const can = async (attributes: {
    verb: string;
    resource: string;
    group?: string;
    namespace?: string;
    name?: string;
    subresource?: string;
  }) => {
    const api = kubeConfigForToken(token, env).makeApiClient(AuthorizationV1Api);
    const review = await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attributes } } });
    return review.status?.allowed ?? false;
  };

  it('grants the actions leakguard takes in the profile namespace, and nothing beyond them', async () => {
    const namespace = 'rook-ceph';
    expect(await can({ verb: 'list', resource: 'pods', namespace })).toBe(true);
    expect(await can({ verb: 'create', resource: 'pods', subresource: 'eviction', namespace })).toBe(true);
    expect(await can({ verb: 'patch', resource: 'deployments', group: 'apps', namespace, name: operator })).toBe(true);
    expect(await can({ verb: 'patch', resource: 'configmaps', namespace, name: 'rook-ceph-operator-config' })).toBe(
      true,
    );
    expect(await can({ verb: 'create', resource: 'events', group: 'events.k8s.io', namespace })).toBe(true);

    expect(await can({ verb: 'get', resource: 'secrets', namespace })).toBe(false);
    expect(await can({ verb: 'list', resource: 'secrets', namespace })).toBe(false);
    expect(await can({ verb: 'delete', resource: 'pods', namespace })).toBe(false);
    expect(
      await can({ verb: 'patch', resource: 'deployments', group: 'apps', namespace, name: 'some-other-operator' }),
    ).toBe(false);
    expect(await can({ verb: 'patch', resource: 'configmaps', namespace, name: 'another-config' })).toBe(false);
    expect(await can({ verb: 'list', resource: 'pods' })).toBe(false); // cluster-wide
    expect(await can({ verb: 'list', resource: 'pods', namespace: 'cert-manager' })).toBe(false);
    expect(
      await can({
        verb: 'update',
        resource: 'leases',
        group: 'coordination.k8s.io',
        namespace: 'leakguard',
        name: 'someone-elses-lease',
      }),
    ).toBe(false);
    expect(await can({ verb: 'get', resource: 'secrets', namespace: 'leakguard' })).toBe(false);
  });
});

describe('run lock (Lease)', () => {
  const request = (identity: string, holderPod?: string) => ({
    namespace: ns.lease,
    name: 'leakguard',
    identity,
    durationSeconds: 600,
    ...(holderPod ? { holderPod } : {}),
  });
  const editLease = async (edit: (lease: V1Lease) => void) => {
    const lease = await kubectlJson<V1Lease>(['get', 'lease', 'leakguard', '-n', ns.lease], { env });
    edit(lease);
    await kubectl(['replace', '-f', '-'], { env, input: JSON.stringify(lease) });
  };

  it('lets exactly one of two simultaneous runs acquire it', async () => {
    const [a, b] = await Promise.all([
      asLeakguard('run-a').acquireLease(request('run-a')),
      asLeakguard('run-b').acquireLease(request('run-b')),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['acquired', 'held']);
    const winner = a.outcome === 'acquired' ? 'run-a' : 'run-b';
    expect(a.outcome === 'acquired' ? b : a).toMatchObject({ holder: winner });

    const third = await cluster.acquireLease(request('run-c'));
    expect(third).toMatchObject({ outcome: 'held', holder: winner, reason: expect.stringMatching(/held by/) });
    expect(await cluster.acquireLease(request(winner))).toMatchObject({ outcome: 'acquired', reason: 'renewed' });

    expect(await cluster.releaseLease(request('run-c'))).toEqual({ outcome: 'not-holder', holder: winner });
    expect(await cluster.releaseLease(request(winner))).toEqual({ outcome: 'released' });
    expect(await cluster.acquireLease(request('run-c'))).toMatchObject({ outcome: 'acquired', reason: 'free' });
  });

  it('keeps the bookkeeping (Slack ledger) on the Lease: round-trips, leaves the lock as it was, survives a renewal', async () => {
    const holder = 'run-ledger';
    const own = asLeakguard(holder);
    await editLease((lease) => {
      lease.spec = { ...lease.spec, holderIdentity: undefined as never };
    });
    expect(await cluster.acquireLease(request(holder))).toMatchObject({ outcome: 'acquired' });
    const lock = { namespace: ns.lease, name: 'leakguard' };
    const before = await kubectlJson<V1Lease>(['get', 'lease', 'leakguard', '-n', ns.lease], { env });
    const text = JSON.stringify({ notified: {}, metricsFailures: { rook: 2 } });
    expect(await own.writeLedger(lock, text)).toEqual({ outcome: 'written' });
    expect(await cluster.readLedger(lock)).toEqual({ outcome: 'read', text });
    const after = await kubectlJson<V1Lease>(['get', 'lease', 'leakguard', '-n', ns.lease], { env });
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.annotations?.['leakguard.io/ledger']).toBe(text);
    expect(await cluster.acquireLease(request(holder))).toMatchObject({ outcome: 'acquired', reason: 'renewed' });
    expect(await cluster.readLedger(lock)).toEqual({ outcome: 'read', text });
    // A run that is not (or no longer) the holder does not overwrite the holder's ledger.
    expect(await asLeakguard('run-late').writeLedger(lock, '{}')).toMatchObject({
      outcome: 'failed',
      error: { code: 'conflict', message: `the run lock is held by ${holder} now, not by this run` },
    });
    expect(await cluster.readLedger(lock)).toEqual({ outcome: 'read', text });
    expect(await cluster.releaseLease(request(holder))).toEqual({ outcome: 'released' });
  });

  it('takes over a lease whose holder stopped renewing, and one whose holder pod is gone', async () => {
    await editLease((lease) => {
      lease.spec = {
        ...lease.spec,
        holderIdentity: 'ghost',
        leaseDurationSeconds: 60,
        renewTime: new Date(Date.now() - 3_600_000).toISOString().replace('Z', '000Z') as never,
      };
    });
    const expired = await cluster.acquireLease(request('run-d'));
    expect(expired).toMatchObject({ outcome: 'acquired', holder: 'run-d', reason: expect.stringMatching(/expired/) });

    await editLease((lease) => {
      lease.spec = {
        ...lease.spec,
        holderIdentity: 'ghost-2',
        renewTime: new Date().toISOString().replace('Z', '000Z') as never,
      };
      lease.metadata = { ...lease.metadata, annotations: { 'leakguard.io/holder-pod': `leakguard-gone-${run}` } };
    });
    const podGone = await cluster.acquireLease(request('run-e'));
    expect(podGone).toMatchObject({
      outcome: 'acquired',
      holder: 'run-e',
      reason: expect.stringMatching(/holder pod leakguard-gone-\w+ is gone/),
    });
  });

  it('refuses a lease held for longer than lock.duration allows (68 years, or renewed in the future) instead of waiting it out', async () => {
    const microTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z') as never;
    await editLease((lease) => {
      lease.spec = {
        ...lease.spec,
        holderIdentity: 'squatter',
        leaseDurationSeconds: 2_147_483_647,
        renewTime: microTime(Date.now()),
      };
      lease.metadata = { ...lease.metadata, annotations: {} };
    });
    const forever = await cluster.acquireLease(request('run-f'));
    expect(forever).toMatchObject({
      outcome: 'invalid',
      holder: 'squatter',
      reason: expect.stringMatching(/longer than lock\.duration \(600s\) allows/),
    });

    await editLease((lease) => {
      lease.spec = { ...lease.spec, leaseDurationSeconds: 600, renewTime: microTime(Date.now() + 86_400_000) };
    });
    expect(await cluster.acquireLease(request('run-f'))).toMatchObject({ outcome: 'invalid', holder: 'squatter' });
    const lease = await kubectlJson<V1Lease>(['get', 'lease', 'leakguard', '-n', ns.lease], { env });
    expect(lease.spec?.holderIdentity).toBe('squatter');
  });

  it('after the run deadline sends nothing but giving the lock back (#21.3)', async () => {
    await editLease((lease) => {
      lease.spec = { ...lease.spec, holderIdentity: undefined as never, leaseDurationSeconds: 600 };
    });
    expect(await cluster.acquireLease(request('run-g'))).toMatchObject({ outcome: 'acquired', holder: 'run-g' });
    const late = createKubeCluster({
      kubeConfig: kubeConfigForToken(token, env),
      logger,
      identity: 'run-g',
      signal: AbortSignal.abort(new Error('deadline')),
    });
    const lock = { namespace: ns.lease, name: 'leakguard' };
    expect(await late.writeLedger(lock, '{}')).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', message: 'stopped at the run deadline', attempts: 0 },
    });
    expect(await late.releaseLease(request('run-g'))).toEqual({ outcome: 'released' });
    expect(await cluster.acquireLease(request('run-h'))).toMatchObject({ outcome: 'acquired', reason: 'free' });
    expect(await cluster.releaseLease(request('run-h'))).toEqual({ outcome: 'released' });
  });
});

// The kept heap profiles on a real API server (admin credentials: the Role that allows this is the
// chart's heap-profile Role, checked in chart-template and used on the real node in real-node-heap).
describe('heap profiles kept with the incident', () => {
  const admin = (): Cluster =>
    createKubeCluster({ kubeConfig: adminKubeConfig(env), logger, identity: 'leakguard-e2e' });
  const bytes = (n: number) => Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 7 + n) % 256));

  it('keeps the first and the latest capture of an incident, binary-safe, owned by the workload; a new incident replaces them', async () => {
    const workload = await operatorRef(ns.heap);
    const c = admin();
    const keep = (incidentId: string, actionId: string, n: number) =>
      c.keepHeapProfile({ workload, incidentId, actionId, pod: `pod-${n}`, bytes: bytes(n) });
    expect(await keep('inc-a', 'restart-1', 1)).toMatchObject({
      outcome: 'kept',
      configMap: 'leakguard-heap-deployment-rook-ceph-operator',
      key: 'heap-restart-1.pb.gz',
    });
    expect(await keep('inc-a', 'restart-1', 1)).toMatchObject({ outcome: 'kept', key: 'heap-restart-1.pb.gz' });
    await keep('inc-a', 'restart-2', 2);
    const third = await keep('inc-a', 'restart-3', 3);
    expect(third.outcome === 'kept' && third.earlier?.bytes.equals(bytes(1))).toBe(true);
    const read = await c.readHeapProfiles(workload, 'inc-a');
    expect(
      read.outcome === 'read' &&
        read.profiles.map((p) => [p.key, p.pod, p.bytes.equals(bytes(Number(p.pod.slice(4))))]),
    ).toEqual([
      ['heap-restart-1.pb.gz', 'pod-1', true],
      ['heap-restart-3.pb.gz', 'pod-3', true],
    ]);
    const cm = await kubectlJson<V1ConfigMap>(
      ['get', 'configmap', 'leakguard-heap-deployment-rook-ceph-operator', '-n', ns.heap],
      { env },
    );
    expect(cm.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'leakguard',
      'leakguard.io/incident': 'inc-a',
    });
    expect(cm.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: operator, uid: workload.uid },
    ]);
    await keep('inc-b', 'restart-4', 4);
    expect(await c.readHeapProfiles(workload, 'inc-a')).toEqual({ outcome: 'read', profiles: [] });
    const b = await c.readHeapProfiles(workload, 'inc-b');
    expect(b.outcome === 'read' && b.profiles.map((p) => p.key)).toEqual(['heap-restart-4.pb.gz']);
  });

  it("never touches a ConfigMap of that name that is not leakguard's", async () => {
    const workload = { ...(await operatorRef(ns.heap)), name: 'someone-elses' };
    await kubectl(
      ['create', 'configmap', 'leakguard-heap-deployment-someone-elses', '-n', ns.heap, '--from-literal=k=v'],
      { env },
    );
    expect(
      await admin().keepHeapProfile({
        workload,
        incidentId: 'inc-a',
        actionId: 'restart-1',
        pod: 'p',
        bytes: bytes(1),
      }),
    ).toEqual({ outcome: 'not-ours', configMap: 'leakguard-heap-deployment-someone-elses' });
    const cm = await kubectlJson<V1ConfigMap>(
      ['get', 'configmap', 'leakguard-heap-deployment-someone-elses', '-n', ns.heap],
      { env },
    );
    expect(cm.data).toEqual({ k: 'v' });
    expect(cm.binaryData).toBeUndefined();
  });
});
