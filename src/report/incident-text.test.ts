import { describe, expect, it } from 'vitest';
import { emptyWorkloadState, type WorkloadState } from '../model/state.js';
import { incidentStatusText } from './incident-text.js';

const open: WorkloadState = {
  ...emptyWorkloadState,
  incidentId: 'inc-1',
  incidentStart: 0,
  lastAction: 'workaround',
  lastActionAt: 10,
  actionCount: 2,
  workaroundAppliedAt: 10,
};
const upgrade = {
  issueId: 'rook-operator-leak-1.14',
  fromVersion: '1.14.9',
  toVersion: '1.15.9',
  proposedAt: 10,
  leakBytesPerHour: 40 * 2 ** 20,
};
const workaround = { env: { container: 'op', set: { A: 'false' }, previous: { A: null } } };

describe("leakguard status: each open incident's phase and what it waits for", () => {
  it.each([
    [emptyWorkloadState, null],
    [
      { ...open, actionCount: 0, workaroundAppliedAt: null },
      'detected — waits for the first action the guardrails allow',
    ],
    [open, 'remediated (workaround in place) — waits for the upgrade to be proposed'],
    [{ ...open, upgrade }, 'upgrade proposed (v1.14.9 → v1.15.9) — waits for the rollout'],
    [
      { ...open, upgrade: { ...upgrade, rolledOutAt: 20, rolledOutVersion: '1.15.9' } },
      'v1.15.9 rolled out — waits for the verification window',
    ],
    [
      { ...open, workaround, upgrade: { ...upgrade, rolledOutAt: 20, rolledOutVersion: '1.15.9', verifiedAt: 30 } },
      'verified on v1.15.9 — waits to remove the workaround (guardrails)',
    ],
    [
      { ...open, upgrade: { ...upgrade, rolledOutAt: 20, rolledOutVersion: '1.15.9', ineffectiveAt: 30 } },
      'still leaking on v1.15.9 — the workaround stays; look into it',
    ],
  ] as [WorkloadState, string | null][])('%#', (state, text) => {
    expect(incidentStatusText(state)).toBe(text);
  });
});
