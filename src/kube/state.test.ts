import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyWorkloadState, type WorkloadState } from '../model/state.js';
import { decodeState, encodeState } from './state.js';

const kind = fc.constantFrom('restart', 'workaround', 'upgrade-pr') as fc.Arbitrary<
  'restart' | 'workaround' | 'upgrade-pr'
>;
const seconds = fc.integer({ min: 0, max: 4_000_000_000 });
const swap = fc.record({ container: fc.string(), previous: fc.string(), hotfix: fc.string() });
const stateArb: fc.Arbitrary<WorkloadState> = fc.record({
  incidentId: fc.option(fc.string(), { nil: null }),
  incidentStart: fc.option(seconds, { nil: null }),
  lastAction: fc.option(kind, { nil: null }),
  lastActionId: fc.option(fc.string(), { nil: null }),
  lastActionAt: fc.option(seconds, { nil: null }),
  actionCount: fc.nat(),
  restartTimes: fc.array(seconds, { maxLength: 10 }),
  intent: fc.option(
    fc.record(
      {
        actionId: fc.string(),
        kind,
        at: seconds,
        rung: fc.nat(5),
        revert: fc.boolean(),
        disruptive: fc.boolean(),
        image: swap,
      },
      { requiredKeys: ['actionId', 'kind', 'at'] },
    ),
    { nil: null },
  ),
  workaroundAppliedAt: fc.option(seconds, { nil: null }),
  rung: fc.option(fc.nat(5), { nil: null }),
  workaroundImage: fc.option(swap, { nil: null }),
});

describe('state annotation codec', () => {
  it('round-trips every state', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(decodeState(encodeState(state), emptyWorkloadState)).toEqual({ ok: true, state });
      }),
    );
  });

  it('keeps fields written by a newer leakguard when rewriting the state', () => {
    const newer = JSON.stringify({ v: 1, ...emptyWorkloadState, futureField: { a: 1 } });
    const decoded = decodeState(newer, emptyWorkloadState);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(JSON.parse(encodeState(decoded.state))).toMatchObject({ futureField: { a: 1 } });
  });

  it('reads a workload without the annotation as empty state', () => {
    expect(decodeState(null, emptyWorkloadState)).toEqual({ ok: true, state: emptyWorkloadState });
  });

  it.each([
    ['not JSON', '{oops', /not JSON/],
    ['a wrong field type', JSON.stringify({ ...emptyWorkloadState, v: 1, actionCount: 'two' }), /actionCount/],
    ['an unknown version', JSON.stringify({ ...emptyWorkloadState, v: 2 }), /"v"/],
  ])('refuses %s with a message naming the annotation', (_name, raw, detail) => {
    const decoded = decodeState(raw, emptyWorkloadState);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.message).toContain('leakguard.io/state');
      expect(decoded.message).toMatch(detail);
    }
  });
});
