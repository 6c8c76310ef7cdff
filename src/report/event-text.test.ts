import { describe, expect, it } from 'vitest';
import { input, target } from '../../test/support/policy-fixtures.js';
import { plan } from '../policy/plan.js';
import type { PlanAction } from '../policy/types.js';
import { outcomeEvent } from './event-text.js';

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
