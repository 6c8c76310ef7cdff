import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { gitopsOwnerOf, isRollingOut, literalEnvOf, podCommandsOf, unreadyReplicasOf } from './facts.js';

describe('podCommandsOf', () => {
  it('lists command and args of the running containers, not of init containers', () => {
    const pod = {
      spec: {
        initContainers: [{ name: 'copyutil', command: ['cp', '/var/run/argocd/argocd-cmp-server'] }],
        containers: [
          { name: 'argocd-repo-server', args: ['/usr/local/bin/argocd-repo-server'] },
          { name: 'avp', command: ['/var/run/argocd/argocd-cmp-server'], args: ['--loglevel=info'] },
        ],
      },
    };
    expect(podCommandsOf(pod)).toEqual({
      'argocd-repo-server': ['/usr/local/bin/argocd-repo-server'],
      avp: ['/var/run/argocd/argocd-cmp-server', '--loglevel=info'],
    });
  });
});

describe('gitopsOwnerOf', () => {
  it.each([
    [{ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }, 'flux'],
    [{ labels: { 'helm.toolkit.fluxcd.io/name': 'rook' } }, 'flux'],
    [{ labels: { 'argocd.argoproj.io/instance': 'rook' } }, 'argocd'],
    [
      { annotations: { 'argocd.argoproj.io/tracking-id': 'rook:apps/Deployment:rook-ceph/rook-ceph-operator' } },
      'argocd',
    ],
    [{ labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, null],
    [undefined, null],
  ] as const)('%j → %s', (meta, owner) => {
    expect(gitopsOwnerOf(meta)).toBe(owner);
  });
});

describe('literalEnvOf', () => {
  it('keeps literal values and leaves out references', () => {
    const env = literalEnvOf({
      name: 'op',
      env: [
        { name: 'ROOK_WATCH_FOR_NODE_FAILURE', value: 'false' },
        { name: 'EMPTY' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    });
    expect(env).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false', EMPTY: '' });
  });
});

const deployment = (spec: V1Deployment['spec'], status: V1Deployment['status'], generation = 2): V1Deployment => ({
  metadata: { name: 'd', generation },
  spec: spec ?? { selector: {}, template: {} },
  status,
});

describe('isRollingOut (Deployment)', () => {
  const spec = { replicas: 2, selector: {}, template: {} };
  it.each([
    [
      'settled',
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 },
      false,
    ],
    [
      'controller has not seen the new spec',
      { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      true,
    ],
    [
      'new pods not all created',
      { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 2 },
      true,
    ],
    [
      'old pods still terminating',
      { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 },
      true,
    ],
    [
      'new pods not available',
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 1 },
      true,
    ],
  ] as const)('%s → %s', (_name, status, rolling) => {
    expect(isRollingOut({ kind: 'Deployment', object: deployment(spec, status) })).toBe(rolling);
  });

  it('counts unready replicas against the desired count', () => {
    expect(unreadyReplicasOf({ kind: 'Deployment', object: deployment(spec, { readyReplicas: 0 }) })).toBe(2);
    expect(unreadyReplicasOf({ kind: 'Deployment', object: deployment(spec, { readyReplicas: 2 }) })).toBe(0);
  });
});

describe('isRollingOut (StatefulSet, DaemonSet)', () => {
  it('sees a StatefulSet whose update revision is not yet current', () => {
    const sts = (updateRevision: string) => ({
      metadata: { generation: 1 },
      spec: { replicas: 1, selector: {}, serviceName: 's', template: {} },
      status: {
        observedGeneration: 1,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        currentRevision: 'r1',
        updateRevision,
      },
    });
    expect(isRollingOut({ kind: 'StatefulSet', object: sts('r1') })).toBe(false);
    expect(isRollingOut({ kind: 'StatefulSet', object: sts('r2') })).toBe(true);
  });

  it('sees a DaemonSet with unavailable pods', () => {
    const ds = (numberUnavailable: number) => ({
      metadata: { generation: 1 },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberMisscheduled: 0,
        numberReady: 3 - numberUnavailable,
        updatedNumberScheduled: 3,
        numberUnavailable,
      },
    });
    expect(isRollingOut({ kind: 'DaemonSet', object: ds(0) })).toBe(false);
    expect(isRollingOut({ kind: 'DaemonSet', object: ds(1) })).toBe(true);
    expect(unreadyReplicasOf({ kind: 'DaemonSet', object: ds(1) })).toBe(1);
  });
});
