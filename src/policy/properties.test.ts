import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../detect/types.js';
import { plan } from './plan.js';
import { stateAfter, stateWithIntent } from './state-changes.js';
import { catalog, hour, leaking, now } from '../../test/support/policy-fixtures.js';
import { inContainer, ofProfile, runningImage, startedAt, targetFacts, withPod } from '../../test/support/gen.js';
import { type Guardrails, type PlanInput, type PlanTarget, type ProfilePolicy } from './types.js';
import { emptyWorkloadState, type WorkloadState } from '../model/state.js';
import { type ActionKind } from '../model/action.js';
import { workloadKey } from '../model/workload.js';
import { planWords } from '../report/plan-words.js';

const workloads = [
  { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'w1' },
  { kind: 'StatefulSet', namespace: 'crossplane', name: 'provider-aws', uid: 'w2' },
  { kind: 'ReplicaSet', namespace: 'cert-manager', name: 'cert-manager-5d8f', uid: 'w3' },
  { kind: 'Pod', namespace: 'misc', name: 'bare', uid: 'w4' },
] as const;

/** True about one time in six: guardrail flags that block everything when common hide the interesting plans. */
const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const kinds: ActionKind[] = ['restart', 'workaround', 'upgrade-pr'];
const timeAgo = fc.integer({ min: 0, max: 72 * hour });

const verdictArb: fc.Arbitrary<Verdict> = fc
  .record({
    kind: fc.constantFrom('leaking', 'leaking', 'not-leaking', 'unknown'),
    hoursToLimit: fc.option(fc.double({ min: 0.5, max: 100, noNaN: true }), { nil: null }),
    fromAgo: timeAgo,
  })
  .map(({ kind, hoursToLimit, fromAgo }) => ({
    ...leaking(),
    kind: kind as Verdict['kind'],
    hoursToLimit,
    evidence: { from: now - fromAgo, to: now, pointsUsed: 100, restarts: 0 },
  }));

const recordedStateArb: fc.Arbitrary<WorkloadState> = fc.record({
  incidentId: fc.option(fc.constant('inc-202611240000-abc'), { nil: null }),
  incidentStart: fc.option(
    timeAgo.map((ago) => now - ago),
    { nil: null },
  ),
  lastAction: fc.option(fc.constantFrom(...kinds), { nil: null }),
  lastActionId: fc.constant(null),
  lastActionAt: fc.option(
    timeAgo.map((ago) => now - ago),
    { nil: null },
  ),
  actionCount: fc.integer({ min: 0, max: 4 }),
  restartTimes: fc.array(
    timeAgo.map((ago) => now - ago),
    { maxLength: 4 },
  ),
  intent: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.record({
        actionId: fc.constant('restart-202611240000-abc'),
        kind: fc.constantFrom(...kinds),
        at: timeAgo.map((ago) => now - ago),
        disruptive: fc.boolean(),
      }),
    },
  ),
  workaroundAppliedAt: fc.option(
    timeAgo.map((ago) => now - ago),
    { nil: null },
  ),
  rung: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
});

/** Half the workloads have no history, so guardrails on state do not hide every action. */
const stateArb = fc.oneof(fc.constant(emptyWorkloadState), recordedStateArb);

/** Targets for up to four workloads; pods of one workload share its state, as annotations do. */
const targetsArb: fc.Arbitrary<PlanTarget[]> = fc
  .tuple(
    fc.array(stateArb, { minLength: 4, maxLength: 4 }),
    fc.uniqueArray(
      fc.record({
        workload: fc.integer({ min: 0, max: 3 }),
        container: fc.constantFrom('c0', 'c1'),
        profile: fc.constantFrom('a', 'b'),
        pod: fc.integer({ min: 0, max: 3 }),
        verdict: verdictArb,
        version: fc.constantFrom('1.14.9', '1.15.2', '1.16.2', '1.16.5', null),
        gitopsOwner: fc.constantFrom(null, 'flux', 'argocd'),
        rollingOut: rarely,
        terminating: rarely,
        controlled: fc.constantFrom(true, true, false),
        unreadyReplicas: fc.constantFrom(0, 0, 0, 1, 2),
        envSet: fc.boolean(),
      }),
      { maxLength: 10, selector: (spec) => `${spec.workload}/${spec.pod}/${spec.container}` },
    ),
  )
  .map(([states, specs]) =>
    specs.map((spec) => ({
      facts: {
        profile: spec.profile,
        workload: workloads[spec.workload]!,
        pod: {
          name: `pod-${spec.workload}-${spec.pod}`,
          uid: `uid-${spec.workload}-${spec.pod}`,
          startTime: now - 30 * hour + spec.pod * hour,
          ready: true,
          terminating: spec.terminating,
          controlled: spec.controlled,
        },
        container: spec.container,
        image: `rook/ceph:v${spec.version ?? 'master'}`,
        version: spec.version,
        limitBytes: null,
        restartCount: 0,
        gitopsOwner: spec.gitopsOwner as PlanTarget['facts']['gitopsOwner'],
        rollingOut: spec.rollingOut,
        unreadyReplicas: spec.unreadyReplicas,
        env: (spec.envSet ? { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } : {}) as Record<string, string>,
      },
      verdict: spec.verdict,
      state: states[spec.workload]!,
    })),
  );

const profileArb = (name: string): fc.Arbitrary<ProfilePolicy> =>
  fc.record({
    name: fc.constant(name),
    ladder: fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 5, arbitrary: fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 4 }) },
    ),
    restartMode: fc.constantFrom('rollout', 'evict'),
    escalateWithinSeconds: fc.integer({ min: hour, max: 96 * hour }),
    revertWorkaroundIfIneffective: fc.boolean(),
    upgradeWithWorkaround: fc.boolean(),
    upgradeRepo: fc.boolean(),
    verifyWindowSeconds: fc.integer({ min: hour, max: 48 * hour }),
    flatBelowBytesPerHour: fc.constant(5 * 2 ** 20),
    knownIssues: fc.constantFrom([], ['rook-operator-leak-1.14']),
  });

const guardrailsArb: fc.Arbitrary<Guardrails> = fc.record({
  dryRun: fc.boolean(),
  cooldownSeconds: fc.integer({ min: 0, max: 24 * hour }),
  maxActionsPerRun: fc.integer({ min: 0, max: 5 }),
  maxRestartsPerDay: fc.integer({ min: 0, max: 5 }),
  windows: fc.constantFrom(
    [],
    [],
    [{ start: '09:00', end: '11:00' }],
    [{ days: ['sat' as const], start: '22:00', end: '02:00' }],
  ),
  killSwitch: rarely,
});

const inputArb: fc.Arbitrary<PlanInput> = fc
  .record({ targets: targetsArb, a: profileArb('a'), b: profileArb('b'), guardrails: guardrailsArb })
  .map(({ targets, a, b, guardrails }) => ({ targets, profiles: [a, b], guardrails, now, catalog, words: planWords }));

/** Actions that may mutate: planned actions plus intents the actor may carry out. */
function mutations(input: PlanInput) {
  return plan(input).items.flatMap((item) => {
    if (item.type === 'action' && !item.together)
      return [{ workload: item.workload, disruptive: item.disruptive, dryRun: item.dryRun }];
    if (item.type === 'notice' && item.intent?.mayComplete) {
      const intent = input.targets.find((t) => t.facts.workload.name === item.workload.name)?.state.intent;
      return [{ workload: item.workload, disruptive: intent?.disruptive ?? true, dryRun: item.dryRun }];
    }
    return [];
  });
}

const runs = { numRuns: 400 };

describe('plan invariants', () => {
  it('never holds two pod-restarting actions for one workload', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const disruptive = mutations(input)
          .filter((m) => m.disruptive)
          .map((m) => workloadKey(m.workload));
        expect(new Set(disruptive).size).toBe(disruptive.length);
      }),
      runs,
    );
  });

  it('a dry-run plan holds no live action and lets no intent be carried out', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const dry = { ...input, guardrails: { ...input.guardrails, dryRun: true } };
        const result = plan(dry);
        expect(result.items.filter((i) => i.type === 'action' && !i.dryRun)).toEqual([]);
        expect(result.items.filter((i) => i.type === 'notice' && i.intent?.mayComplete)).toEqual([]);
      }),
      runs,
    );
  });

  it('the same input gives the same plan, IDs included, whatever the order of targets', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const shuffled = [...input.targets].sort((x, y) =>
          (x.facts.pod.uid + x.facts.container + seed).localeCompare(y.facts.pod.uid + y.facts.container + seed),
        );
        expect(plan(input)).toEqual(plan(input));
        const ids = (p: ReturnType<typeof plan>) =>
          p.items.map((i) => (i.type === 'action' ? i.id : i.type === 'skip' ? i.actionId : i.incidentId));
        expect(ids(plan({ ...input, targets: shuffled }))).toEqual(ids(plan(input)));
      }),
      runs,
    );
  });

  it('holds at most maxActionsPerRun actions', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(mutations(input).length).toBeLessThanOrEqual(input.guardrails.maxActionsPerRun);
      }),
      runs,
    );
  });

  it('with the kill switch on, holds no action at all', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        expect(mutations({ ...input, guardrails: { ...input.guardrails, killSwitch: true } })).toEqual([]);
      }),
      runs,
    );
  });

  it('never acts on an unknown verdict (missing, stale or doubted data), nor on a mid-rollout, terminating or unready workload', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const item of plan(input).items) {
          if (item.type !== 'action') continue;
          const own = input.targets.filter(
            (t) => t.facts.profile === item.profile && workloadKey(t.facts.workload) === workloadKey(item.workload),
          );
          const target = own.find((t) => t.facts.pod.name === item.pod?.name && t.facts.container === item.container)!;
          expect(target.verdict.kind).toBe('leaking');
          if (item.kind !== 'upgrade-pr') {
            expect(own.some((t) => t.facts.rollingOut || t.facts.pod.terminating || t.facts.unreadyReplicas > 1)).toBe(
              false,
            );
          }
          if (item.details.restart?.mode === 'evict') expect(target.facts.pod.controlled).toBe(true);
          expect(item.id).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
        }
      }),
      runs,
    );
  });
});

describe('one workload over many runs', () => {
  /** Runs minutes apart, each seeing the pod leak or not; done actions replace the pod (rollout) as the cluster would. */
  const historyArb = fc.array(
    fc.record({ afterMinutes: fc.integer({ min: 1, max: 40 }), leaks: fc.boolean(), done: fc.boolean() }),
    { minLength: 2, maxLength: 25 },
  );

  it('no two incidents share an incident ID or an action ID (a new incident never finds its restart already done)', () => {
    const policy: ProfilePolicy = {
      name: 'rook',
      ladder: ['restart', 'workaround', 'upgrade-pr'],
      restartMode: 'rollout',
      escalateWithinSeconds: 20 * 60,
      revertWorkaroundIfIneffective: false,
      knownIssues: [],
      upgradeWithWorkaround: true,
      upgradeRepo: true,
      verifyWindowSeconds: 3600,
      flatBelowBytesPerHour: 5 * 2 ** 20,
    };
    const rails: Guardrails = {
      dryRun: false,
      cooldownSeconds: 5 * 60,
      maxActionsPerRun: 1,
      maxRestartsPerDay: 100,
      windows: [],
      killSwitch: false,
    };
    const workload = workloads[0];
    fc.assert(
      fc.property(historyArb, (runsOf) => {
        let at = now;
        let podStart = now - 10 * 60;
        let st: WorkloadState = emptyWorkloadState;
        const incidentOfAction = new Map<string, string>();
        const opened = new Set<string>();
        for (const run of runsOf) {
          at += run.afterMinutes * 60;
          const verdict: Verdict = {
            ...leaking(),
            kind: run.leaks ? 'leaking' : 'not-leaking',
            evidence: { from: Math.max(podStart + 60, at - 24 * hour), to: at, pointsUsed: 100, restarts: 0 },
          };
          const target: PlanTarget = {
            facts: targetFacts(
              ofProfile('rook'),
              (f) => ({ ...f, workload }),
              withPod('p', `u${podStart}`),
              startedAt(podStart),
              inContainer('c'),
              runningImage('rook/ceph:v1.14.9', '1.14.9'),
            ),
            verdict,
            state: st,
          };
          for (const item of plan({
            targets: [target],
            profiles: [policy],
            guardrails: rails,
            now: at,
            catalog,
            words: planWords,
          }).items) {
            if (item.type === 'notice' && item.kind === 'leak-suspected') {
              expect(opened.has(item.incidentId!)).toBe(false);
              opened.add(item.incidentId!);
            }
            if (item.type === 'action') {
              expect(incidentOfAction.get(item.id) ?? item.incidentId).toBe(item.incidentId);
              incidentOfAction.set(item.id, item.incidentId);
              st = stateWithIntent(item, st, at);
              if (run.done && item.disruptive) podStart = at + 10;
            }
            st = stateAfter(item, st, at, run.done ? 'done' : 'failed');
          }
        }
      }),
      runs,
    );
  });
});
