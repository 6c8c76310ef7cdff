import { describe, expect, it } from 'vitest';
import { healthy, input, leaking, now, target } from '../../test/support/policy-fixtures.js';
import { incidentView, severityOf } from './incident.js';
import { plan } from './plan.js';
import type { PlanAction, PlanNotice } from './types.js';

describe('severityOf', () => {
  it.each([
    [leaking({ hoursToLimit: 5.9 }), 'critical'],
    [leaking({ hoursToLimit: 6 }), 'warning'],
    [leaking({ hoursToLimit: null }), 'warning'],
    [healthy(), 'info'],
    [undefined, 'info'],
  ] as const)('%#: %s', (verdict, severity) => {
    expect(severityOf(verdict)).toBe(severity);
  });
});

describe('incidentView', () => {
  const restart = () =>
    plan(input([target()], { guardrails: { dryRun: false } })).items.find((i): i is PlanAction => i.type === 'action')!;

  it('a first rung done remediates; failed says so; dry-run is planned and tagged', () => {
    const action = restart();
    expect(incidentView([action], [{ kind: 'restarted' }], leaking())).toMatchObject({
      phase: 'remediated',
      actionTag: 'restart:done',
      steps: [{ status: 'done' }],
    });
    expect(incidentView([action], [{ kind: 'failed', message: 'forbidden' }], leaking())).toMatchObject({
      phase: 'failed',
      actionTag: 'restart:failed',
    });
    expect(incidentView([{ ...action, dryRun: true }], [], leaking())).toMatchObject({
      phase: 'leaking',
      actionTag: 'restart:planned:dry-run',
      steps: [{ status: 'planned' }],
    });
  });

  it('a PR opened with its link, and an escalated rung', () => {
    const action = { ...restart(), kind: 'upgrade-pr' as const, rung: 2 };
    expect(
      incidentView([action], [{ kind: 'pr', result: 'opened', url: 'https://github.com/o/r/pull/1' }], leaking()),
    ).toMatchObject({ phase: 'escalated', prUrl: 'https://github.com/o/r/pull/1' });
  });

  it('after the verification, removing the workaround (or a quiet run) stays in the verified phase: never "Escalated" or "Healthy"', () => {
    const track = {
      issueId: 'i',
      fromVersion: '1.14.9',
      toVersion: '1.15.9',
      proposedAt: now - 30 * 3600,
      leakBytesPerHour: null,
      rolledOutAt: now - 26 * 3600,
      rolledOutVersion: '1.15.9',
      verifiedAt: now - 3600,
    };
    const revert = { ...restart(), kind: 'revert-workaround' as const, rung: 1 };
    expect(incidentView([revert], [{ kind: 'workaround-reverted' }], healthy(), track)).toMatchObject({
      phase: 'verified',
      actionTag: 'revert-workaround:done',
    });
    const { profile, workload, pod, container, incidentId, incidentStart } = revert;
    const reconciled: PlanNotice = {
      ...{ type: 'notice', profile, workload, pod, container, incidentId, incidentStart },
      ...{ kind: 'reconcile-intent', note: 'the recorded revert', verdict: null, knownIssues: [], dryRun: false },
    };
    expect(incidentView([reconciled], [], healthy(), track).phase).toBe('verified');
    expect(incidentView([reconciled], [], healthy(), { ...track, verifiedAt: null }).phase).toBe('upgrade-rolled-out');
    expect(incidentView([reconciled], [], healthy(), null).phase).toBe('healthy');
  });
});
