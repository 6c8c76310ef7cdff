import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionIdFor, floorToHour, incidentIdFor } from './ids.js';
import type { WorkloadRef } from '../model/workload.js';

const workload: WorkloadRef = { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'u' };
const start = Date.UTC(2026, 10, 24, 13) / 1000;
const first = { start, follows: null };
const labelSafe = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('action and incident IDs', () => {
  it('are readable: kind, incident hour (UTC), hash', () => {
    expect(actionIdFor('rook', workload, first, 'upgrade-pr', 2)).toMatch(/^upgrade-202611241300-[a-z0-9]{11}$/);
    expect(incidentIdFor('rook', workload, first)).toMatch(/^inc-202611241300-[a-z0-9]{11}$/);
  });

  it('change with each part they name', () => {
    const base = actionIdFor('rook', workload, first, 'restart', 0);
    const variants = [
      actionIdFor('rook-2', workload, first, 'restart', 0),
      actionIdFor('rook', { ...workload, namespace: 'other' }, first, 'restart', 0),
      actionIdFor('rook', { ...workload, name: 'other' }, first, 'restart', 0),
      actionIdFor('rook', workload, { start: start + 3600, follows: null }, 'restart', 0),
      actionIdFor('rook', workload, { start, follows: 'inc-202611241300-0000000000a' }, 'restart', 0),
      actionIdFor('rook', workload, first, 'restart', 1),
      actionIdFor('rook', workload, first, 'workaround', 0),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(actionIdFor('rook', { ...workload, uid: 'recreated' }, first, 'restart', 0)).toBe(base);
  });

  it("of a workload's first incident are those stored before incidents named the one they follow", () => {
    expect(incidentIdFor('rook', workload, first)).toBe('inc-202611241300-20mg9pbc9tl');
    expect(actionIdFor('rook', workload, first, 'restart', 0)).toBe('restart-202611241300-229195sg7qf');
  });

  it('are label-safe for any profile, workload and time', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.constantFrom('restart', 'workaround', 'upgrade-pr', 'revert-workaround' as const),
        fc.nat(9),
        (profile, name, t, kind, rung) => {
          const start = floorToHour(t);
          expect(actionIdFor(profile, { ...workload, name }, { start, follows: null }, kind, rung)).toMatch(labelSafe);
          expect(incidentIdFor(profile, { ...workload, name }, { start, follows: name })).toMatch(labelSafe);
        },
      ),
    );
  });
});
