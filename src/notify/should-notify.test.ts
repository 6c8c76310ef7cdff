import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shouldNotify, type NotifyState } from './should-notify.js';

const s = (over: Partial<NotifyState> = {}): NotifyState => ({
  incidentId: 'inc-1',
  phase: 'leaking',
  severity: 'warning',
  action: null,
  ...over,
});

describe('shouldNotify', () => {
  it.each([
    ['first sight of a leak', null, s(), true, 'new incident'],
    ['same state next run', s(), s(), false, 'unchanged'],
    ['healthy and still healthy', null, s({ incidentId: null, phase: 'healthy' }), false, 'no incident'],
    ['action taken', s(), s({ phase: 'remediated', action: 'restart:done' }), true, 'phase leaking → remediated'],
    ['same action again (re-run)', s({ action: 'restart:done' }), s({ action: 'restart:done' }), false, 'unchanged'],
    [
      'new action outcome in same phase',
      s({ action: 'upgrade-pr:opened' }),
      s({ action: 'upgrade-pr:updated' }),
      true,
      'action upgrade-pr:updated',
    ],
    ['severity rises', s(), s({ severity: 'critical' }), true, 'severity warning → critical'],
    ['severity falls alone', s({ severity: 'critical' }), s(), false, 'unchanged'],
    ['resolved', s(), s({ phase: 'resolved' }), true, 'phase leaking → resolved'],
    ['new incident after resolution', s({ phase: 'resolved' }), s({ incidentId: 'inc-2' }), true, 'new incident'],
  ])('%s', (_name, prev, next, notify, reason) => {
    expect(shouldNotify(prev, next)).toEqual({ notify, reason });
  });

  it('never speaks twice for the same state (one message per change, not per run)', () => {
    const state = fc.record({
      incidentId: fc.option(fc.constantFrom('a', 'b'), { nil: null }),
      phase: fc.constantFrom('healthy', 'suspected', 'leaking', 'remediated', 'resolved' as const),
      severity: fc.constantFrom('info', 'warning', 'critical' as const),
      action: fc.option(fc.constantFrom('restart:done', 'workaround:done'), { nil: null }),
    });
    fc.assert(
      fc.property(state, (st) => {
        expect(shouldNotify(st as NotifyState, st as NotifyState).notify).toBe(false);
      }),
    );
  });
});
