import { describe, expect, it } from 'vitest';
import { plannedEvent } from '../report/event-text.js';
import { plan } from './plan.js';
import type { Plan, PlanAction, PlanNotice, PlanSkip, SkipReason } from './types.js';
import { facts, healthy, hour, input, leaking, now, target, unknown } from '../../test/support/policy-fixtures.js';

const actions = (p: Plan) => p.items.filter((item): item is PlanAction => item.type === 'action');
const skips = (p: Plan) => p.items.filter((item): item is PlanSkip => item.type === 'skip');
const notices = (p: Plan) => p.items.filter((item): item is PlanNotice => item.type === 'notice');
const labelSafe = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** An incident in which leakguard restarted the operator `hoursAgo`; the new pod leaks again. */
function afterRestart(hoursAgo: number) {
  return {
    state: {
      incidentId: 'inc-202611241300-abc',
      incidentStart: now - 21 * hour,
      lastAction: 'restart' as const,
      lastActionId: 'restart-x',
      lastActionAt: now - hoursAgo * hour,
      actionCount: 1,
      rung: 0,
      restartTimes: [now - hoursAgo * hour],
    },
    pod: { startTime: now - hoursAgo * hour + 30 },
    verdict: leaking({ evidence: { from: now - hoursAgo * hour + 60, to: now, pointsUsed: 300, restarts: 0 } }),
  };
}

describe('a new leak', () => {
  const result = plan(input([target()]));

  it('opens an incident and restarts the operator by rollout, quoting the known issue', () => {
    const [suspected] = notices(result);
    expect(suspected?.kind).toBe('leak-suspected');
    expect(suspected?.knownIssues).toEqual([
      'rook/ceph v1.14.9 is affected by rook-operator-leak-1.14 (>=1.14.0 <1.15.9); fixed in 1.15.9; workaround ROOK_WATCH_FOR_NODE_FAILURE=false; source rook/rook#15499, checked 2026-11-30',
    ]);
    const [restart, ...rest] = actions(result);
    expect(rest).toEqual([]);
    expect(restart).toMatchObject({
      kind: 'restart',
      rung: 0,
      disruptive: true,
      dryRun: false,
      pod: { name: 'rook-ceph-operator-7d9f-abcde' },
      container: 'rook-ceph-operator',
    });
    expect(restart?.details.restart).toEqual({ mode: 'rollout', annotationValue: restart?.id });
    expect(restart?.reason).toContain('20.0 MiB/h');
    expect(restart?.reason).toContain('rung 1/3 of restart → workaround → upgrade-pr');
    // The Event states each fact once: what would be done, why, the known issue.
    const note = plannedEvent(restart!).note;
    const count = (text: string) => note.split(text).length - 1;
    expect(note).toMatch(
      /^\[dry-run\] would rollout-restart deployment rook-ceph\/rook-ceph-operator: memory floor rises 20\.0 MiB\/h/,
    );
    expect([count('20.0 MiB/h'), count('rook-ceph/rook-ceph-operator'), count('rollout')]).toEqual([1, 1, 1]);
  });

  it('gives short, label-safe, readable IDs anchored on the hour the leaking pod started', () => {
    const [restart] = actions(result);
    expect(restart?.id).toMatch(labelSafe);
    expect(restart?.id).toMatch(/^restart-202611241300-[a-z0-9]{11}$/);
    expect(restart?.incidentId).toMatch(/^inc-202611241300-[a-z0-9]{11}$/);
    expect(restart?.incidentStart).toBe(Date.UTC(2026, 10, 24, 13) / 1000);
  });
});

describe('guardrails', () => {
  type Case = [string, Parameters<typeof input>[0], Parameters<typeof input>[1], SkipReason];
  const cases: Case[] = [
    ['kill switch', [target()], { guardrails: { killSwitch: true } }, 'kill-switch'],
    ['cooldown after the last action', [target(afterRestart(2))], {}, 'cooldown'],
    [
      'daily restart cap, held in state across runs',
      [
        target({
          state: { lastActionAt: now - 7 * hour, restartTimes: [now - 23 * hour, now - 15 * hour, now - 7 * hour] },
        }),
      ],
      {},
      'daily-cap',
    ],
    [
      'outside the allowed windows',
      [target()],
      { guardrails: { windows: [{ days: ['sat', 'sun'], start: '02:00', end: '05:00' }] } },
      'outside-window',
    ],
    ['mid-rollout', [target({ facts: { rollingOut: true } })], {}, 'rollout-in-progress'],
    ['terminating pod', [target({ pod: { terminating: true } })], {}, 'terminating'],
    ['two unready replicas', [target({ facts: { unreadyReplicas: 2 } })], {}, 'unready'],
    ['no actions allowed per run', [target()], { guardrails: { maxActionsPerRun: 0 } }, 'max-actions'],
  ];

  it.each(cases)(
    '%s → no action, skip with the reason and the action it held back',
    (_name, targets, overrides, reason) => {
      const result = plan(input(targets, overrides));
      expect(actions(result)).toEqual([]);
      const skip = skips(result).find((item) => item.reason === reason);
      expect(skip?.wanted).not.toBeNull();
      expect(skip?.actionId).toMatch(labelSafe);
      expect(skip?.note.length).toBeGreaterThan(10);
    },
  );

  it.each([
    ['one unready replica is tolerated', target({ facts: { unreadyReplicas: 1 } })],
    [
      'a restart older than 24 h leaves the daily cap',
      target({
        state: { lastActionAt: now - 7 * hour, restartTimes: [now - 25 * hour, now - 15 * hour, now - 7 * hour] },
      }),
    ],
    ['inside the window', target()],
  ])('%s → acts', (_name, t) => {
    const result = plan(input([t], { guardrails: { windows: [{ days: ['wed'], start: '09:00', end: '11:00' }] } }));
    expect(actions(result).map((a) => a.kind)).toEqual(['restart']);
  });

  it('dry-run plans the same action, marked as such', () => {
    const live = actions(plan(input([target()])));
    const dry = actions(plan(input([target()], { guardrails: { dryRun: true } })));
    expect(dry).toEqual(live.map((action) => ({ ...action, dryRun: true })));
  });

  it('kill switch still reports the leak', () => {
    const result = plan(input([target()], { guardrails: { killSwitch: true } }));
    expect(notices(result).map((n) => n.kind)).toEqual(['leak-suspected']);
  });

  it('max actions per run goes to the workload closest to its limit', () => {
    const slow = target({
      facts: { workload: { kind: 'Deployment', namespace: 'a', name: 'slow', uid: 'u1' } },
      verdict: leaking({ hoursToLimit: 30 }),
    });
    const urgent = target({
      facts: { workload: { kind: 'Deployment', namespace: 'b', name: 'urgent', uid: 'u2' } },
      verdict: leaking({ hoursToLimit: 3 }),
    });
    const result = plan(input([slow, urgent]));
    expect(actions(result).map((a) => a.workload.name)).toEqual(['urgent']);
    expect(skips(result).map((s) => [s.workload.name, s.reason])).toEqual([['slow', 'max-actions']]);
    expect(actions(plan(input([slow, urgent], { guardrails: { maxActionsPerRun: 2 } })))).toHaveLength(2);
  });
});

describe('data freshness', () => {
  it.each([['unknown verdict (stale, missing or doubted metrics)', input([target({ verdict: unknown() })])]])(
    '%s → no action, stale-data',
    (_name, planInput) => {
      const result = plan(planInput);
      expect(actions(result)).toEqual([]);
      expect(skips(result).map((s) => s.reason)).toEqual(['stale-data']);
      expect(notices(result)).toEqual([]);
    },
  );

  it('other profiles still act when one profile has stale data', () => {
    const other = target({
      facts: { profile: 'other', workload: { kind: 'Deployment', namespace: 'x', name: 'y', uid: 'u' } },
    });
    const planInput = input([target({ verdict: unknown() }), other]);
    planInput.profiles = [...planInput.profiles, { ...planInput.profiles[0]!, name: 'other' }];
    expect(actions(plan(planInput)).map((a) => a.profile)).toEqual(['other']);
  });

  it('a healthy workload gives no item at all', () => {
    expect(plan(input([target({ verdict: healthy() })])).items).toEqual([]);
  });
});

describe('controllers and pods (SPEC §10 row 8)', () => {
  it('never evicts an orphan pod; goes on to a non-disruptive rung', () => {
    const orphan = target({
      facts: { workload: { kind: 'Pod', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'p' } },
      pod: { controlled: false },
    });
    const result = plan(input([orphan]));
    expect(skips(result).map((s) => s.reason)).toEqual(['no-controller']);
    // A bare pod's env cannot change, but the ConfigMap key can be set.
    expect(actions(result)).toMatchObject([
      { kind: 'workaround', disruptive: false, details: { configMap: { name: 'rook-ceph-operator-config' } } },
    ]);
    expect(actions(result)[0]?.details.env).toBeUndefined();
  });

  it('evicts when the owner cannot be rolled out (a bare ReplicaSet)', () => {
    const result = plan(
      input([target({ facts: { workload: { kind: 'ReplicaSet', namespace: 'n', name: 'rs', uid: 'r' } } })]),
    );
    expect(actions(result)[0]?.details.restart?.mode).toBe('evict');
  });

  it('at most one disruption per workload even when several pods leak', () => {
    const pods = ['a', 'b', 'c'].map((name, i) =>
      target({ pod: { name: `op-${name}`, uid: name }, verdict: leaking({ hoursToLimit: 10 - i }) }),
    );
    const result = plan(input(pods, { profile: { restartMode: 'evict' }, guardrails: { maxActionsPerRun: 5 } }));
    expect(actions(result)).toHaveLength(1);
    expect(actions(result)[0]).toMatchObject({
      kind: 'restart',
      pod: { name: 'op-c' },
      details: { restart: { mode: 'evict' } },
    });
    expect(notices(result)[0]?.note).toContain('3 of 3 containers leak');
  });
});

describe('one workload watched by two profiles', () => {
  it('gets one pod-restarting action; the other is held back as already-disrupted', () => {
    const planInput = input([target(), target({ facts: { profile: 'second', container: 'sidecar' } })], {
      guardrails: { maxActionsPerRun: 5 },
    });
    planInput.profiles = [...planInput.profiles, { ...planInput.profiles[0]!, name: 'second' }];
    const result = plan(planInput);
    expect(actions(result)).toHaveLength(1);
    expect(skips(result).map((s) => [s.reason, s.wanted])).toEqual([['already-disrupted', 'restart']]);
  });
});

describe('GitOps-owned workloads (SPEC §10 row 15)', () => {
  it('restarts live (restartedAt survives Flux and Argo CD)', () => {
    expect(actions(plan(input([target({ facts: { gitopsOwner: 'flux' } })]))).map((a) => a.kind)).toEqual(['restart']);
  });

  it('does not patch the workaround live: explains and proposes the upgrade PR instead', () => {
    const t = target({ ...afterRestart(8), facts: { gitopsOwner: 'argocd' } });
    const result = plan(input([t]));
    const [skip] = skips(result);
    expect(skip).toMatchObject({ reason: 'gitops-owned', wanted: 'workaround' });
    expect(skip?.note).toContain('owned by argocd');
    expect(skip?.note).toContain('ROOK_WATCH_FOR_NODE_FAILURE=false');
    expect(actions(result)).toMatchObject([
      { kind: 'upgrade-pr', rung: 2, details: { upgrade: { fromVersion: '1.14.9', toVersion: '1.15.9' } } },
    ]);
  });

  it('a PR is not held back by the maintenance window (it changes nothing live)', () => {
    const t = target({ ...afterRestart(8), facts: { gitopsOwner: 'flux' } });
    const result = plan(input([t], { guardrails: { windows: [{ start: '22:00', end: '04:00' }] } }));
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
  });
});

describe('input contract', () => {
  it('rejects a target whose profile is not defined', () => {
    expect(() => plan(input([target({ facts: { ...facts(), profile: 'nope' } })]))).toThrow(/profile nope/);
  });
});

describe('DaemonSets', () => {
  it('restart only the leaking pod, by eviction (PDBs apply), never a rollout of every node', () => {
    const workload = { kind: 'DaemonSet' as const, namespace: 'kube-system', name: 'node-agent', uid: 'uid-ds' };
    const result = plan(
      input(
        [
          target({
            facts: { workload, image: 'example/node-agent:1.0.0', version: '1.0.0' },
            pod: { name: 'node-agent-x7k2p' },
          }),
        ],
        { profile: { knownIssues: [] } },
      ),
    );
    const [restart] = actions(result);
    expect(restart?.details.restart?.mode).toBe('evict');
    expect(restart?.pod?.name).toBe('node-agent-x7k2p');
    expect(restart?.reason).toContain(
      '(a DaemonSet rollout would restart its pod on every node; only the leaking pod is evicted)',
    );
  });

  it('several leaking pods on several nodes: one node at a time — one eviction per run, even with budget for more', () => {
    const workload = { kind: 'DaemonSet' as const, namespace: 'kube-system', name: 'node-agent', uid: 'uid-ds' };
    const pods = ['node-agent-aaaaa', 'node-agent-bbbbb', 'node-agent-ccccc'].map((name) =>
      target({
        facts: { workload, image: 'example/node-agent:1.0.0', version: '1.0.0' },
        pod: { name, uid: `uid-${name}` },
      }),
    );
    const evictions = actions(
      plan(input(pods, { profile: { knownIssues: [] }, guardrails: { maxActionsPerRun: 5 } })),
    ).filter((a) => a.kind === 'restart');
    expect(evictions).toHaveLength(1);
    expect(evictions[0]?.details.restart?.mode).toBe('evict');
  });
});

describe('the fix verified on the new version', () => {
  /** v1.15.9 rolled out 3 h ago over leakguard's env workaround (applied 8 h ago); its pod has run since. */
  const upgraded = (verdict: ReturnType<typeof healthy>) =>
    target({
      facts: { image: 'rook/ceph:v1.15.9', version: '1.15.9', env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
      pod: { startTime: now - 3 * hour },
      verdict,
      state: {
        incidentId: 'inc-202611241300-abc',
        incidentStart: now - 21 * hour,
        lastAction: 'workaround',
        lastActionId: 'workaround-x',
        lastActionAt: now - 8 * hour,
        actionCount: 2,
        rung: 1,
        workaroundAppliedAt: now - 8 * hour,
        workaround: {
          env: {
            container: 'rook-ceph-operator',
            set: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
            previous: { ROOK_WATCH_FOR_NODE_FAILURE: null },
          },
        },
        upgrade: {
          issueId: 'rook-operator-leak-1.14',
          fromVersion: '1.14.9',
          toVersion: '1.15.9',
          proposedAt: now - 8 * hour,
          leakBytesPerHour: 20 * 2 ** 20,
          rolledOutAt: now - 3 * hour,
          rolledOutVersion: '1.15.9',
        },
      },
    });
  const verify = (verdict: ReturnType<typeof healthy>) =>
    plan(input([upgraded(verdict)], { profile: { upgradeWithWorkaround: true, verifyWindowSeconds: 2 * hour } }));
  const kinds = (p: Plan) => p.items.map((i) => (i.type === 'skip' ? `skip:${i.reason}` : i.kind));

  it('a flat floor past the window is verified, and the workaround removed', () => {
    expect(kinds(verify(healthy()))).toEqual(['upgrade-verified', 'revert-workaround']);
  });

  it('a rise held as suspected in its first day is no flat floor: neither verified nor the workaround removed, it waits', () => {
    const suspected = healthy({
      suspected: true,
      slope: { bytesPerHour: 465 * 2 ** 20, low: 440 * 2 ** 20, high: 480 * 2 ** 20 },
      hoursToLimit: 1,
      reasons: ['suspected, not acted on: floor rose 465.0 MiB/h over the last 3 min in its first day of history'],
    });
    const held = verify(suspected);
    expect(kinds(held)).toEqual(['skip:awaiting-verification']);
    expect(skips(held)[0]).toMatchObject({ wanted: 'revert-workaround', actionId: expect.stringMatching(/^revert/) });
    expect(skips(held)[0]!.note).toBe(
      'v1.15.9 not verified yet: its floor rose +465.0 MiB/h over the last 20.0 h, not (yet) called a leak; its ' +
        'verification and the removal of the workaround wait until the rise is called a leak or the floor holds level.',
    );
    // Not called leaking, not held as suspected, but rising still (a rise the detection cannot call yet) is no flat floor either.
    const rising = healthy({ slope: { bytesPerHour: 40 * 2 ** 20, low: 39 * 2 ** 20, high: 41 * 2 ** 20 } });
    expect(kinds(verify(rising))).toEqual(['skip:awaiting-verification']);
    // Below the detection's minimum growth, or not significant, the floor holds level.
    const slow = healthy({ slope: { bytesPerHour: 4 * 2 ** 20, low: 3 * 2 ** 20, high: 5 * 2 ** 20 } });
    const noisy = healthy({ slope: { bytesPerHour: 8 * 2 ** 20, low: -(2 ** 20), high: 17 * 2 ** 20 } });
    expect([kinds(verify(slow)), kinds(verify(noisy))]).toEqual([
      ['upgrade-verified', 'revert-workaround'],
      ['upgrade-verified', 'revert-workaround'],
    ]);
    // Inside the window a suspected rise is no news: the window has not passed for a flat floor either.
    expect(kinds(plan(input([upgraded(suspected)], { profile: { upgradeWithWorkaround: true } })))).toEqual([]);
  });
});
