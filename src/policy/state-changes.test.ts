import { describe, expect, it } from 'vitest';
import { plan } from './plan.js';
import { stateAfter, stateWithIntent } from './state-changes.js';
import type { PlanAction, PlanNotice } from './types.js';
import { healthy, hour, input, now, state, target } from '../../test/support/policy-fixtures.js';

const restart = plan(input([target()])).items.find((item): item is PlanAction => item.type === 'action')!;
const suspected = plan(input([target()])).items.find((item): item is PlanNotice => item.type === 'notice')!;

describe('stateWithIntent', () => {
  it('records the intent and the incident before acting, leaving the rest untouched', () => {
    const before = state({ lastAction: 'restart', lastActionAt: now - 50 * hour, restartTimes: [now - 50 * hour] });
    expect(stateWithIntent(restart, before, now)).toEqual({
      ...before,
      incidentId: restart.incidentId,
      incidentStart: restart.incidentStart,
      actionCount: 0,
      rung: null,
      // A new incident follows no upgrade and has no actions yet.
      upgrade: null,
      history: [],
      intent: {
        actionId: restart.id,
        kind: 'restart',
        at: now,
        rung: 0,
        revert: false,
        disruptive: true,
        restartMode: 'rollout',
      },
    });
  });
});

describe('stateAfter', () => {
  it('a done restart counts toward the daily cap and forgets restarts older than 24 h', () => {
    const before = stateWithIntent(restart, state({ restartTimes: [now - 30 * hour, now - 3 * hour] }), now);
    const after = stateAfter(restart, before, now);
    expect(after).toMatchObject({
      intent: null,
      lastAction: 'restart',
      lastActionId: restart.id,
      lastActionAt: now,
      actionCount: 1,
      rung: 0,
    });
    expect(after.restartTimes).toEqual([now - 3 * hour, now]);
  });

  it.each(['failed', 'abandoned'] as const)('a %s action clears its intent and records nothing else', (outcome) => {
    const before = stateWithIntent(restart, state(), now);
    expect(stateAfter(restart, before, now, outcome)).toEqual({ ...before, intent: null });
  });

  it('leak-suspected opens the incident; an action of another incident restarts the count', () => {
    const old = state({
      incidentId: 'inc-old',
      incidentStart: now - 90 * hour,
      actionCount: 3,
      rung: 2,
      lastAction: 'upgrade-pr',
      lastActionAt: now - 60 * hour,
    });
    const opened = stateAfter(suspected, old, now);
    expect(opened).toMatchObject({
      incidentId: suspected.incidentId,
      incidentStart: suspected.incidentStart,
      actionCount: 0,
      rung: null,
      lastAction: 'upgrade-pr',
    });
    expect(stateAfter(restart, stateWithIntent(restart, old, now), now)).toMatchObject({
      incidentId: restart.incidentId,
      actionCount: 1,
      rung: 0,
    });
  });

  it('the incident a new one follows is kept: the closed one on LeakResolved, the lapsed one when another opens', () => {
    const open = state({
      incidentId: 'inc-1',
      incidentStart: now - 80 * hour,
      actionCount: 1,
      lastAction: 'restart',
      lastActionId: 'restart-1',
      lastActionAt: now - 50 * hour,
    });
    const resolved = plan(input([target({ verdict: healthy(), state: open })])).items[0]!;
    expect(stateAfter(resolved, open, now)).toMatchObject({
      incidentId: null,
      previousIncidentId: 'inc-1',
      lastActionId: 'restart-1',
    });
    expect(stateAfter(suspected, open, now)).toMatchObject({
      incidentId: suspected.incidentId,
      previousIncidentId: 'inc-1',
    });
  });

  it('skips and confirmations leave the state as it was', () => {
    const before = state({ incidentId: 'inc-1', incidentStart: now - hour, actionCount: 1, lastActionAt: now - hour });
    const skip = plan(input([target({ state: before })])).items.find((item) => item.type === 'skip')!;
    expect(skip.type === 'skip' && skip.reason).toBe('awaiting-verification');
    expect(stateAfter(skip, before, now)).toBe(before);
  });
});
