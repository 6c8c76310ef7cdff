import { describe, expect, it } from 'vitest';
import { emptyWorkloadState, type TargetFacts } from '../policy/types.js';
import { createMemoryCluster } from './memory.js';

const target: TargetFacts = {
  profile: 'rook',
  workload: { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'u1' },
  pod: { name: 'rook-ceph-operator-abc-1', uid: 'p1', startTime: 1795680000, ready: true, terminating: false, controlled: true },
  container: 'rook-ceph-operator',
  image: 'rook/ceph:v1.14.9',
  version: '1.14.9',
  limitBytes: 512 * 2 ** 20,
  restartCount: 0,
  gitopsOwner: null,
  rollingOut: false,
  unreadyReplicas: 0,
  env: { ROOK_CURRENT_NAMESPACE_ONLY: 'false' },
};
const profile = { name: 'rook', namespace: 'rook-ceph', selector: 'app=rook-ceph-operator', container: 'rook-ceph-operator' };

describe('in-memory Cluster', () => {
  it('restarts once per action ID and records it', async () => {
    const cluster = createMemoryCluster({ targets: [target] });
    expect((await cluster.restartWorkload(target.workload, 'a1')).outcome).toBe('restarted');
    expect(await cluster.restartWorkload(target.workload, 'a1')).toEqual({ outcome: 'already-done' });
    expect(cluster.mutations).toEqual([{ kind: 'restart', workload: 'Deployment/rook-ceph/rook-ceph-operator', actionId: 'a1' }]);
  });

  it('blocks a PDB-protected eviction and never mutates for it', async () => {
    const cluster = createMemoryCluster({ targets: [target], pdbBlocked: [target.pod.name] });
    expect((await cluster.evictPod({ namespace: 'rook-ceph', name: target.pod.name }, 'a1')).outcome).toBe('blocked');
    expect(cluster.mutations).toEqual([]);
  });

  it('applies env once, shows it in discovery, and reverts to the previous values', async () => {
    const cluster = createMemoryCluster({ targets: [target] });
    const applied = await cluster.applyEnvWorkaround(target.workload, target.container, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(applied).toMatchObject({ outcome: 'applied', previous: { ROOK_WATCH_FOR_NODE_FAILURE: null } });
    expect((await cluster.applyEnvWorkaround(target.workload, target.container, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' })).outcome).toBe('already-set');
    expect((await cluster.discoverTargets(profile)).targets[0]?.env).toEqual({ ROOK_CURRENT_NAMESPACE_ONLY: 'false', ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    if (applied.outcome === 'applied') await cluster.revertEnvWorkaround(target.workload, target.container, applied.previous);
    expect((await cluster.discoverTargets(profile)).targets[0]?.env).toEqual(target.env);
  });

  it('keeps state with the same conflict rule as the real adapter', async () => {
    const cluster = createMemoryCluster({ targets: [target] });
    const read = await cluster.readState(target.workload);
    if (read.outcome !== 'read') throw new Error('read failed');
    expect(read.state).toEqual(emptyWorkloadState);
    expect((await cluster.writeState(target.workload, { ...emptyWorkloadState, actionCount: 1 }, read)).outcome).toBe('written');
    expect((await cluster.writeState(target.workload, { ...emptyWorkloadState, actionCount: 2 }, read)).outcome).toBe('changed-concurrently');
  });

  it('dedups Events by (object, reason, key) and injects failures once', async () => {
    const cluster = createMemoryCluster({ targets: [target] });
    const event = { regarding: target.workload, reason: 'PodRestarted', action: 'Restart', note: 'n', type: 'Normal' as const, key: 'a1' };
    expect((await cluster.recordEvent(event)).outcome).toBe('created');
    expect((await cluster.recordEvent(event)).outcome).toBe('exists');
    cluster.failNext('recordEvent', { code: 'forbidden', status: 403, message: 'no' });
    expect(await cluster.recordEvent(event)).toMatchObject({ outcome: 'failed', error: { code: 'forbidden' } });
    expect((await cluster.recordEvent(event)).outcome).toBe('exists');
  });

  it('holds the Lease for one identity at a time', async () => {
    const cluster = createMemoryCluster({ leaseHolder: 'other' });
    const request = { namespace: 'leakguard', name: 'leakguard', identity: 'me', durationSeconds: 600 };
    expect(await cluster.acquireLease(request)).toMatchObject({ acquired: false, holder: 'other' });
    expect(await cluster.releaseLease({ ...request, identity: 'other' })).toEqual({ outcome: 'released' });
    expect(await cluster.acquireLease(request)).toMatchObject({ acquired: true, holder: 'me' });
  });
});
