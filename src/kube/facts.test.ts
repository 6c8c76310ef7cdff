import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { gitopsOwnerOf, isRollingOut, literalEnvOf, unreadyReplicasOf, versionOfImage } from './facts.js';

describe('versionOfImage', () => {
  it.each([
    ['rook/ceph:v1.14.9', '1.14.9'],
    ['docker.io/rook/ceph:v1.15.9', '1.15.9'],
    ['registry.local:5000/rook/ceph:v1.16.5', '1.16.5'],
    ['rook/ceph:v1.14.9@sha256:0123abcd', '1.14.9'],
    ['quay.io/jetstack/cert-manager-controller:v1.15.0-beta.1', '1.15.0-beta.1'],
    ['rook/ceph:1.14', '1.14'],
    ['rook/ceph:latest', null],
    ['registry.local:5000/rook/ceph', null],
    ['rook/ceph@sha256:0123abcd', null],
    ['rook/ceph:master-2024', null],
  ] as const)('%s → %s', (image, version) => {
    expect(versionOfImage(image)).toBe(version);
  });
});

describe('gitopsOwnerOf', () => {
  it.each([
    [{ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }, 'flux'],
    [{ labels: { 'helm.toolkit.fluxcd.io/name': 'rook' } }, 'flux'],
    [{ labels: { 'argocd.argoproj.io/instance': 'rook' } }, 'argocd'],
    [{ annotations: { 'argocd.argoproj.io/tracking-id': 'rook:apps/Deployment:rook-ceph/rook-ceph-operator' } }, 'argocd'],
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
    ['settled', { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 }, false],
    ['controller has not seen the new spec', { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, true],
    ['new pods not all created', { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 2 }, true],
    ['old pods still terminating', { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }, true],
    ['new pods not available', { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 1 }, true],
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
      status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'r1', updateRevision },
    });
    expect(isRollingOut({ kind: 'StatefulSet', object: sts('r1') })).toBe(false);
    expect(isRollingOut({ kind: 'StatefulSet', object: sts('r2') })).toBe(true);
  });

  it('sees a DaemonSet with unavailable pods', () => {
    const ds = (numberUnavailable: number) => ({
      metadata: { generation: 1 },
      status: { observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3 - numberUnavailable, updatedNumberScheduled: 3, numberUnavailable },
    });
    expect(isRollingOut({ kind: 'DaemonSet', object: ds(0) })).toBe(false);
    expect(isRollingOut({ kind: 'DaemonSet', object: ds(1) })).toBe(true);
    expect(unreadyReplicasOf({ kind: 'DaemonSet', object: ds(1) })).toBe(1);
  });
});

