/**
 * Builders with modifiers for the discovery facts tests hand-build (cert-manager's test/unit/gen
 * style): a Deployment's one ready, controlled pod, changed only where the test cares, e.g.
 *   targetFacts(ofProfile('rook'), inWorkload('rook-ceph', 'rook-ceph-operator'), startedAt(t))
 */
import type { TargetFacts, WorkloadRef } from '../../src/model/workload.js';

export type FactsModifier = (facts: TargetFacts) => TargetFacts;

export function targetFacts(...modifiers: FactsModifier[]): TargetFacts {
  const base: TargetFacts = {
    profile: 'ops',
    workload: { kind: 'Deployment', namespace: 'default', name: 'operator', uid: 'uid-operator' },
    pod: {
      name: 'operator-abc',
      uid: 'uid-operator-pod',
      startTime: null,
      ready: true,
      terminating: false,
      controlled: true,
    },
    container: 'operator',
    image: 'example/operator:v1.0.0',
    version: '1.0.0',
    limitBytes: null,
    restartCount: 0,
    gitopsOwner: null,
    rollingOut: false,
    unreadyReplicas: 0,
    env: {},
  };
  return modifiers.reduce((facts, modify) => modify(facts), base);
}

export const ofProfile =
  (profile: string): FactsModifier =>
  (f) => ({ ...f, profile });

/** The workload `namespace/name` (uid `uid-<name>`) and its pod `<name>-abc` (uid `uid-<name>-pod`). */
export const inWorkload =
  (namespace: string, name: string, kind: WorkloadRef['kind'] = 'Deployment'): FactsModifier =>
  (f) => ({
    ...f,
    workload: { kind, namespace, name, uid: `uid-${name}` },
    pod: { ...f.pod, name: `${name}-abc`, uid: `uid-${name}-pod` },
  });

/** The pod's name and uid (`uid-<name>-pod` unless given). */
export const withPod =
  (name: string, uid = `uid-${name}-pod`): FactsModifier =>
  (f) => ({ ...f, pod: { ...f.pod, name, uid } });

export const startedAt =
  (startTime: number | null): FactsModifier =>
  (f) => ({ ...f, pod: { ...f.pod, startTime } });

export const inContainer =
  (container: string): FactsModifier =>
  (f) => ({ ...f, container });

/** The container's image and the version discovery reads from its tag (null when the tag is none). */
export const runningImage =
  (image: string, version: string | null): FactsModifier =>
  (f) => ({ ...f, image, version });

export const withLimit =
  (limitBytes: number | null): FactsModifier =>
  (f) => ({ ...f, limitBytes });

export const withEnv =
  (env: Record<string, string>): FactsModifier =>
  (f) => ({ ...f, env });
