/** Builders for policy tests: a Rook v1.14.9 operator, judged at a fixed Prometheus time. */
import { inContainer, inWorkload, ofProfile, runningImage, startedAt, targetFacts, withLimit, withPod } from './gen.js';
import { buildCatalog } from '../../src/catalog/index.js';
import type { Verdict } from '../../src/detect/types.js';
import { type Guardrails, type PlanInput, type PlanTarget, type ProfilePolicy } from '../../src/policy/types.js';
import { emptyWorkloadState, type WorkloadState } from '../../src/model/state.js';
import { type TargetFacts } from '../../src/model/workload.js';
import { planWords } from '../../src/report/plan-words.js';

export const hour = 3600;
const mib = 2 ** 20;
/** Wednesday 2026-11-25 10:00 UTC. */
export const now = Date.UTC(2026, 10, 25, 10, 0) / 1000;
export const catalog = buildCatalog();

export function leaking(overrides: Partial<Verdict> = {}): Verdict {
  return {
    kind: 'leaking',
    slope: { bytesPerHour: 20 * mib, low: 18 * mib, high: 22 * mib },
    currentBytes: 900 * mib,
    hoursToLimit: 12,
    reasons: ['memory floor rises 20.0 MiB/h without levelling off'],
    evidence: { from: now - 20 * hour, to: now, pointsUsed: 1200, restarts: 0 },
    ...overrides,
  };
}

export function healthy(overrides: Partial<Verdict> = {}): Verdict {
  return {
    ...leaking(),
    kind: 'not-leaking',
    hoursToLimit: null,
    slope: { bytesPerHour: 0, low: -mib, high: mib },
    reasons: ['memory floor is flat'],
    ...overrides,
  };
}

export function unknown(): Verdict {
  return {
    kind: 'unknown',
    slope: null,
    currentBytes: null,
    hoursToLimit: null,
    reasons: ['last sample is 25 min old'],
    evidence: { from: now - 20 * hour, to: now - 1500, pointsUsed: 900, restarts: 0 },
  };
}

export function facts(overrides: Partial<TargetFacts> = {}, pod: Partial<TargetFacts['pod']> = {}): TargetFacts {
  return {
    profile: 'rook',
    workload: { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'uid-deploy' },
    pod: {
      name: 'rook-ceph-operator-7d9f-abcde',
      uid: 'uid-pod',
      startTime: now - 20 * hour - 600,
      ready: true,
      terminating: false,
      controlled: true,
      ...pod,
    },
    container: 'rook-ceph-operator',
    image: 'rook/ceph:v1.14.9',
    version: '1.14.9',
    limitBytes: 2048 * mib,
    restartCount: 0,
    gitopsOwner: null,
    rollingOut: false,
    unreadyReplicas: 0,
    env: { ROOK_CURRENT_NAMESPACE_ONLY: 'true' },
    ...overrides,
  };
}

export function state(overrides: Partial<WorkloadState> = {}): WorkloadState {
  return { ...emptyWorkloadState, ...overrides };
}

export function target(
  overrides: {
    facts?: Partial<TargetFacts>;
    pod?: Partial<TargetFacts['pod']>;
    verdict?: Verdict;
    state?: Partial<WorkloadState>;
  } = {},
): PlanTarget {
  return {
    facts: facts(overrides.facts, overrides.pod),
    verdict: overrides.verdict ?? leaking(),
    state: state(overrides.state),
  };
}

export const profile: ProfilePolicy = {
  name: 'rook',
  ladder: ['restart', 'workaround', 'upgrade-pr'],
  restartMode: 'rollout',
  escalateWithinSeconds: 48 * hour,
  revertWorkaroundIfIneffective: false,
  knownIssues: ['rook-operator-leak-1.14'],
  // The ladder tests walk the rungs one by one; the fix that follows a workaround is tested in fix.test.ts.
  upgradeWithWorkaround: false,
  upgradeRepo: true,
  verifyWindowSeconds: 24 * hour,
  flatBelowBytesPerHour: 5 * mib,
};

export const guardrails: Guardrails = {
  dryRun: false,
  cooldownSeconds: 6 * hour,
  maxActionsPerRun: 1,
  maxRestartsPerDay: 3,
  windows: [],
  killSwitch: false,
};

export function input(
  targets: PlanTarget[],
  overrides: { profile?: Partial<ProfilePolicy>; guardrails?: Partial<Guardrails>; now?: number } = {},
): PlanInput {
  return {
    targets,
    profiles: [{ ...profile, ...overrides.profile }],
    guardrails: { ...guardrails, ...overrides.guardrails },
    now: overrides.now ?? now,
    catalog,
    words: planWords,
  };
}

/**
 * The Rook operator as discovery would report it: Deployment rook-ceph/rook-ceph-operator, one pod
 * (`rook-ceph-operator-abc`) running rook/ceph:v1.14.9 with a 4 GiB limit, started 25 h ago.
 */
export function rookOperatorTarget(nowSeconds = Math.floor(Date.now() / 1000)): TargetFacts {
  return targetFacts(
    ofProfile('rook'),
    inWorkload('rook-ceph', 'rook-ceph-operator'),
    withPod('rook-ceph-operator-abc', 'u2'),
    (f) => ({ ...f, workload: { ...f.workload, uid: 'u1' } }),
    startedAt(nowSeconds - 90_000),
    inContainer('rook-ceph-operator'),
    runningImage('rook/ceph:v1.14.9', '1.14.9'),
    withLimit(4096 * 2 ** 20),
  );
}
