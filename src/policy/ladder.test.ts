import { describe, expect, it } from 'vitest';
import { plan } from './plan.js';
import { stateAfter, stateWithIntent } from './state-changes.js';
import type { Plan, PlanAction, PlanInput, PlanNotice, PlanSkip } from './types.js';
import type { WorkloadState } from '../model/state.js';
import { healthy, hour, input, leaking, now, state, target } from '../../test/support/policy-fixtures.js';
import type { Verdict } from '../detect/types.js';

const actions = (p: Plan) => p.items.filter((item): item is PlanAction => item.type === 'action');
const skips = (p: Plan) => p.items.filter((item): item is PlanSkip => item.type === 'skip');
const notices = (p: Plan) => p.items.filter((item): item is PlanNotice => item.type === 'notice');

/** What the actor does with a plan when every action succeeds: intent first, then completion. */
function carryOut(result: Plan, before: WorkloadState, at: number): WorkloadState {
  let current = before;
  for (const item of result.items) {
    if (item.type === 'action') current = stateWithIntent(item, current, at);
    current = stateAfter(item, current, at);
  }
  return current;
}

/** The operator as Prometheus sees it at `at`: a pod started at `podStart`, judged since then. */
function operator(
  at: number,
  podStart: number,
  verdict: (v: Partial<Verdict>) => Verdict,
  st: WorkloadState,
  env: Record<string, string> = {},
) {
  return target({
    pod: { startTime: podStart },
    facts: { env },
    verdict: verdict({
      evidence: { from: Math.max(podStart + 60, at - 24 * hour), to: at, pointsUsed: 500, restarts: 0 },
    }),
    state: st,
  });
}

describe('the ladder over successive runs', () => {
  it('restart → workaround → upgrade PR → notify only, one rung per recurrence', () => {
    const run = (at: number, podStart: number, st: WorkloadState, env?: Record<string, string>) =>
      plan(input([operator(at, podStart, leaking, st, env)], { now: at }));

    const first = run(now, now - 20 * hour, state());
    expect(actions(first).map((a) => a.kind)).toEqual(['restart']);
    let st = carryOut(first, state(), now);
    expect(st).toMatchObject({ lastAction: 'restart', actionCount: 1, rung: 0, restartTimes: [now], intent: null });

    // The restarted pod leaks again 8 h later (inside escalateWithin, past the cooldown).
    const second = run(now + 8 * hour, now + 60, st);
    expect(notices(second).map((n) => n.kind)).toEqual(['leak-confirmed']);
    const [workaround] = actions(second);
    expect(workaround).toMatchObject({
      kind: 'workaround',
      rung: 1,
      incidentId: actions(first)[0]?.incidentId,
      disruptive: true,
    });
    expect(workaround?.details.env).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(workaround?.details.configMap).toEqual({
      name: 'rook-ceph-operator-config',
      data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
    });
    st = carryOut(second, st, now + 8 * hour);
    expect(st.workaroundAppliedAt).toBe(now + 8 * hour);

    // Still leaking with the workaround in place: say so, and escalate to the upgrade PR.
    const third = run(now + 16 * hour, now + 8 * hour + 60, st, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(notices(third).map((n) => n.kind)).toEqual(['leak-confirmed', 'workaround-ineffective']);
    expect(actions(third)).toMatchObject([
      {
        kind: 'upgrade-pr',
        rung: 2,
        details: {
          upgrade: {
            fromVersion: '1.14.9',
            toVersion: '1.15.9',
            path: '1.14.9 → 1.15.9 (one minor version at a time)',
          },
        },
      },
    ]);
    st = carryOut(third, st, now + 16 * hour);

    // Once the PR is open and the leak goes on past the cooldown: nothing left but to notify.
    const fourth = run(now + 40 * hour, now + 8 * hour + 60, st, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(actions(fourth)).toEqual([]);
    expect(skips(fourth).map((s) => s.reason)).toEqual(['ladder-exhausted']);
  });

  it('a leak that comes back after escalateWithin is a new incident, back to the first rung', () => {
    const st = state({
      incidentId: 'inc-old',
      incidentStart: now - 80 * hour,
      lastAction: 'restart',
      lastActionAt: now - 60 * hour,
      actionCount: 1,
      rung: 0,
    });
    const result = plan(input([operator(now, now - 60 * hour + 30, leaking, st)]));
    expect(notices(result).map((n) => n.kind)).toEqual(['leak-suspected']);
    expect(actions(result)).toMatchObject([{ kind: 'restart', rung: 0 }]);
    expect(actions(result)[0]?.incidentId).not.toBe('inc-old');
  });

  describe('every incident gets IDs of its own, even one that starts in the hour the last one did', () => {
    // A fast leak: the pod starts at 10:05, is restarted at 10:20, and the new pod is caught leaking
    // again at 10:50 — after escalateWithin (20 min), so a new incident whose onset (10:20) floors to
    // the same hour as the first one's (10:05).
    const short = { profile: { escalateWithinSeconds: 1200 }, guardrails: { cooldownSeconds: 600 } };
    const run = (at: number, podStart: number, st: WorkloadState) =>
      plan(input([operator(at, podStart, leaking, st)], { now: at, ...short }));
    const first = run(now + 1200, now + 300, state());
    const restarted = carryOut(first, state(), now + 1200);
    const second = run(now + 3000, now + 1210, restarted);

    it('the returning leak is a new incident, back at the first rung, with a new restart ID the cluster has not seen', () => {
      expect(notices(second).map((n) => n.kind)).toEqual(['leak-suspected']);
      expect(actions(second)).toMatchObject([{ kind: 'restart', rung: 0 }]);
      expect(actions(second)[0]!.incidentId).not.toBe(actions(first)[0]!.incidentId);
      expect(actions(second)[0]!.id).not.toBe(actions(first)[0]!.id);
      expect(actions(second)[0]!.details.restart?.annotationValue).toBe(actions(second)[0]!.id);
    });

    it('a second run reading the same state plans the same new IDs (a retry stays idempotent)', () => {
      const again = run(now + 3055, now + 1210, restarted);
      expect(actions(again).map((a) => [a.id, a.incidentId])).toEqual(actions(second).map((a) => [a.id, a.incidentId]));
    });

    it("within the new incident the next rung is planned, and its IDs differ from the first incident's too", () => {
      const afterSecond = carryOut(second, restarted, now + 3000);
      const third = run(now + 3000 + 900, now + 3010, afterSecond);
      expect(notices(third).map((n) => n.kind)).toEqual(['leak-confirmed']);
      expect(actions(third)).toMatchObject([
        { kind: 'workaround', rung: 1, incidentId: actions(second)[0]!.incidentId },
      ]);
      // The workaround the first incident would have taken, had the leak come back inside escalateWithin.
      const escalated = run(now + 1900, now + 1210, restarted);
      expect(actions(escalated)).toMatchObject([
        { kind: 'workaround', rung: 1, incidentId: actions(first)[0]!.incidentId },
      ]);
      expect(actions(third)[0]!.id).not.toBe(actions(escalated)[0]!.id);
    });

    it('a leak that resolved and comes back on the same pod is a new incident with its own ID (Events, Slack thread)', () => {
      const opened = plan(
        input([operator(now + 1200, now + 300, leaking, state())], {
          now: now + 1200,
          ...short,
          guardrails: { ...short.guardrails, windows: [{ start: '00:00', end: '00:01' }] },
        }),
      );
      expect(actions(opened)).toEqual([]);
      const open = carryOut(opened, state(), now + 1200);
      const quiet = plan(input([operator(now + 1500, now + 300, healthy, open)], { now: now + 1500, ...short }));
      expect(notices(quiet).map((n) => n.kind)).toEqual(['leak-resolved']);
      const closed = carryOut(quiet, open, now + 1500);
      const back = plan(input([operator(now + 1800, now + 300, leaking, closed)], { now: now + 1800, ...short }));
      expect(notices(back).map((n) => n.kind)).toEqual(['leak-suspected']);
      expect(notices(back)[0]!.incidentId).not.toBe(notices(opened)[0]!.incidentId);
    });
  });

  it('waits for data after the last action before escalating', () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'restart',
      lastActionAt: now - 7 * hour,
      actionCount: 1,
      rung: 0,
    });
    // The verdict still spans the pre-restart pod (the restart did not take).
    const result = plan(input([operator(now, now - 30 * hour, leaking, st)]));
    expect(actions(result)).toEqual([]);
    expect(skips(result).map((s) => s.reason)).toEqual(['awaiting-verification']);
  });

  it('reverts an ineffective workaround when configured, as a separate, pod-restarting action', () => {
    const set = { ROOK_WATCH_FOR_NODE_FAILURE: 'false' };
    const workaround = {
      env: { container: 'rook-ceph-operator', set, previous: { ROOK_WATCH_FOR_NODE_FAILURE: 'true' } },
      configMap: { name: 'rook-ceph-operator-config', set, previous: { ROOK_WATCH_FOR_NODE_FAILURE: null } },
    };
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'workaround',
      lastActionAt: now - 10 * hour,
      actionCount: 2,
      rung: 1,
      workaroundAppliedAt: now - 10 * hour,
      workaround,
    });
    const t = operator(now, now - 10 * hour + 30, leaking, st, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    const result = plan(
      input([t], { profile: { revertWorkaroundIfIneffective: true }, guardrails: { maxActionsPerRun: 2 } }),
    );
    expect(actions(result).map((a) => [a.kind, a.disruptive])).toEqual([
      ['upgrade-pr', false],
      ['revert-workaround', true],
    ]);
    const revert = actions(result)[1]!;
    // Exactly what was there before: the admin's explicit `true` on the container, no key in the ConfigMap.
    expect(revert.details.revert).toEqual(workaround);
    const after = carryOut(result, st, now);
    expect(after).toMatchObject({
      workaroundAppliedAt: null,
      workaround: null,
      lastAction: 'upgrade-pr',
      rung: 2,
      restartTimes: [now],
    });
  });

  it("never reverts a workaround that was already in place (not leakguard's: nothing recorded)", () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'workaround',
      lastActionAt: now - 10 * hour,
      actionCount: 2,
      rung: 1,
      workaroundAppliedAt: now - 10 * hour,
    });
    const t = operator(now, now - 10 * hour + 30, leaking, st, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    const result = plan(
      input([t], { profile: { revertWorkaroundIfIneffective: true }, guardrails: { maxActionsPerRun: 2 } }),
    );
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
  });

  it('skips a workaround already in place and goes on to the next rung', () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'restart',
      lastActionAt: now - 8 * hour,
      actionCount: 1,
      rung: 0,
    });
    const result = plan(
      input([operator(now, now - 8 * hour + 30, leaking, st, { ROOK_WATCH_FOR_NODE_FAILURE: 'false' })]),
    );
    expect(actions(result).map((a) => a.kind)).toEqual(['upgrade-pr']);
  });

  it('an unaffected version has no upgrade target: the ladder ends in notify-only', () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'workaround',
      lastActionAt: now - 8 * hour,
      actionCount: 2,
      rung: 1,
    });
    const t = target({
      pod: { startTime: now - 8 * hour + 30 },
      facts: { image: 'rook/ceph:v1.16.6', version: '1.16.6' },
      verdict: leaking({ evidence: { from: now - 8 * hour + 60, to: now, pointsUsed: 400, restarts: 0 } }),
      state: st,
    });
    const result = plan(input([t]));
    expect(actions(result)).toEqual([]);
    expect(skips(result)[0]).toMatchObject({ reason: 'ladder-exhausted' });
    expect(skips(result)[0]?.note).toContain('upgrade-pr: no known issue matches rook/ceph:v1.16.6');
  });

  it('a ladder that repeats a kind gets a distinct ID per rung', () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'restart',
      lastActionAt: now - 8 * hour,
      actionCount: 1,
      rung: 0,
    });
    const ladder = { profile: { ladder: ['restart', 'restart'] as const } } as const;
    const firstRestart = actions(
      plan(
        input([operator(now, now - 30 * hour, leaking, state())], { profile: { ladder: [...ladder.profile.ladder] } }),
      ),
    )[0];
    const secondRestart = actions(
      plan(
        input([operator(now, now - 8 * hour + 30, leaking, st)], { profile: { ladder: [...ladder.profile.ladder] } }),
      ),
    )[0];
    expect(secondRestart?.rung).toBe(1);
    expect(secondRestart?.incidentStart).toBe(st.incidentStart);
    expect(firstRestart?.id).not.toBe(secondRestart?.id);
  });
});

describe('incident lifecycle', () => {
  /** A restart 50 h ago: past the escalation window (48 h). */
  const lapsed = state({
    incidentId: 'inc-1',
    incidentStart: now - 80 * hour,
    lastAction: 'restart',
    lastActionAt: now - 50 * hour,
    actionCount: 1,
    rung: 0,
  });

  it('closes a quiet incident once the escalation window has passed', () => {
    const st = lapsed;
    const result = plan(input([target({ verdict: healthy(), state: st })]));
    expect(notices(result).map((n) => n.kind)).toEqual(['leak-resolved']);
    expect(stateAfter(result.items[0]!, st, now)).toMatchObject({
      incidentId: null,
      actionCount: 0,
      lastAction: 'restart',
    });
  });

  it('never closes on a rise held as suspected (its first day): the incident stays open until the rise is called or dies out', () => {
    const suspected = healthy({ suspected: true, reasons: ['suspected, not acted on: floor rose 20.0 MiB/h'] });
    expect(plan(input([target({ verdict: suspected, state: lapsed })])).items).toEqual([]);
  });

  it('keeps watching a healthy workload inside the escalation window', () => {
    const st = state({
      incidentId: 'inc-1',
      incidentStart: now - 30 * hour,
      lastAction: 'restart',
      lastActionAt: now - 10 * hour,
      actionCount: 1,
      rung: 0,
    });
    expect(plan(input([target({ verdict: healthy(), state: st })])).items).toEqual([]);
  });
});

describe('a run killed mid-action (SPEC §10 rows 21, 23)', () => {
  const first = plan(input([target()]));
  const restart = actions(first)[0]!;
  const withIntent = stateWithIntent(restart, state(), now);
  const rerun = (overrides: Parameters<typeof input>[1] = {}): PlanInput =>
    input([target({ state: withIntent })], { now: now + 45, ...overrides });

  it('the next run reconciles the same action ID instead of planning a second restart', () => {
    const result = plan(rerun());
    expect(actions(result)).toEqual([]);
    expect(notices(result)).toMatchObject([
      { kind: 'reconcile-intent', intent: { actionId: restart.id, kind: 'restart', mayComplete: true } },
    ]);
  });

  it.each([
    ['kill switch', { guardrails: { killSwitch: true } }],
    ['dry-run', { guardrails: { dryRun: true } }],
    ['outside the window', { guardrails: { windows: [{ start: '00:00', end: '01:00' }] } }],
    ['no budget', { guardrails: { maxActionsPerRun: 0 } }],
    ['an intent older than the cooldown', { now: now + 7 * hour }],
  ])('%s: only confirms, never carries it out', (_name, overrides) => {
    const [reconcile] = notices(plan(rerun(overrides as Parameters<typeof input>[1])));
    expect(reconcile?.intent?.mayComplete).toBe(false);
  });

  it('confirming a done restart records it once, at the time it was taken; abandoning clears the intent only', () => {
    const [reconcile] = notices(plan(rerun()));
    const done = stateAfter(reconcile!, withIntent, now + 45);
    expect(done).toMatchObject({
      intent: null,
      lastActionId: restart.id,
      lastAction: 'restart',
      actionCount: 1,
      lastActionAt: now,
      restartTimes: [now],
      incidentId: restart.incidentId,
    });
    const dropped = stateAfter(reconcile!, withIntent, now + 45, 'abandoned');
    expect(dropped).toEqual({ ...withIntent, intent: null });
  });

  it('a second firing of the same schedule without state plans identical IDs', () => {
    const a = plan(input([target()], { now }));
    const b = plan(
      input(
        [
          target({
            verdict: leaking({ evidence: { from: now - 20 * hour + 55, to: now + 55, pointsUsed: 1200, restarts: 0 } }),
          }),
        ],
        { now: now + 55 },
      ),
    );
    expect(a.items.map((i) => (i.type === 'action' ? i.id : i.incidentId))).toEqual(
      b.items.map((i) => (i.type === 'action' ? i.id : i.incidentId)),
    );
  });
});
