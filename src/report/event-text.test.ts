import { describe, expect, it } from 'vitest';
import { input, target } from '../../test/support/policy-fixtures.js';
import { plan } from '../policy/plan.js';
import type { PlanAction } from '../policy/types.js';
import { outcomeEvent } from './event-text.js';
import { rolledOutText } from './plan-words.js';

const restart = () =>
  plan(input([target()], { guardrails: { dryRun: false } })).items.find((i): i is PlanAction => i.type === 'action')!;

describe('a failed action says what to do, by the port error code it carries', () => {
  it.each([
    ['forbidden', 'restart', "list the workload under the chart's rbac.workloads"],
    ['forbidden', 'upgrade-pr', 'needs write access to the repository'],
    ['unreachable', 'restart', 'the next run tries again'],
    ['timeout', 'upgrade-pr', 'the next run tries again'],
    ['unauthorized', 'restart', 'the credentials were refused'],
  ] as const)('%s on %s', (code, kind, hint) => {
    const note = outcomeEvent({ ...restart(), kind }, { kind: 'failed', message: `${code}: refused`, code }).note;
    expect(note).toContain(`${code}: refused (`);
    expect(note).toContain(hint);
  });

  it('without a code, the message alone', () => {
    expect(outcomeEvent(restart(), { kind: 'failed', message: 'no workaround configured' }).note).toMatch(
      /^Failed to .*: no workaround configured\. /,
    );
  });
});

describe('what was done reads as done, naming every value set', () => {
  it('a restart', () => {
    const note = outcomeEvent(restart(), { kind: 'restarted' }).note;
    expect(note).toMatch(/^Restarted deployment \S+ \(rollout\): /);
  });

  it('a restart an earlier run of the same action made: done, and by whom', () => {
    const note = outcomeEvent(restart(), { kind: 'already-done' }).note;
    expect(note).toMatch(/^Restarted deployment \S+ \(rollout\), by an earlier run of this action: /);
  });

  it('a workaround on the container and in its ConfigMap: both values', () => {
    const action: PlanAction = {
      ...restart(),
      kind: 'workaround',
      container: 'operator',
      details: {
        ...restart().details,
        env: { WATCH: 'false' },
        configMap: { name: 'operator-config', data: { WATCH: 'false' } },
      },
    };
    expect(outcomeEvent(action, { kind: 'workaround-applied' }).note).toMatch(
      /^Set WATCH=false on container operator and WATCH=false in ConfigMap operator-config \(deployment \S+\): /,
    );
  });

  it('an upgrade PR: the link, then the hop, then why (a sentence)', () => {
    const action: PlanAction = {
      ...restart(),
      kind: 'upgrade-pr',
      reason: 'the workaround is temporary',
      details: { ...restart().details, upgrade: { fromVersion: '1.14.9', toVersion: '1.15.9' } as never },
    };
    const note = outcomeEvent(action, { kind: 'pr', result: 'opened', url: 'https://example.test/pull/1' }).note;
    expect(note).toMatch(
      /^Opened upgrade PR https:\/\/example\.test\/pull\/1 \(1\.14\.9 → 1\.15\.9\) for deployment \S+\. The workaround is temporary/,
    );
  });
});

describe('an upgrade rolled out', () => {
  const upgrade = { fromVersion: '1.14.9', toVersion: '1.15.9', leakBytesPerHour: null };
  const until = Date.UTC(2026, 10, 28, 15) / 1000;
  it('says until when it is judged, and that the workaround stays only when leakguard applied one', () => {
    expect(rolledOutText(upgrade, '1.15.9', false, null, { until, workaround: true })).toBe(
      'the pods now run v1.15.9: the proposed upgrade (v1.14.9 → v1.15.9). Judged on its own data until at least 2026-11-28 15:00 UTC; the workaround stays until then and is removed if the leak is gone.',
    );
    expect(rolledOutText(upgrade, '1.15.9', false, null, { until, workaround: false })).not.toContain('workaround');
    expect(rolledOutText(upgrade, '1.15.8', true, '1.15.9', { until, workaround: false })).not.toContain('workaround');
  });
});
