import { describe, expect, it } from 'vitest';
import { buildEvent, eventName, noteLimitBytes, truncateUtf8 } from './events.js';
import type { EventInput } from './types.js';

const input: EventInput = {
  regarding: { kind: 'Deployment', namespace: 'rook-ceph', name: 'rook-ceph-operator', uid: 'u1' },
  reason: 'PodRestarted',
  action: 'Restart',
  note: 'Working set grows 41.2 MiB/h; limit reached in ~6.1 h. Rollout restart (action a1).',
  type: 'Normal',
  key: 'a1',
};

describe('eventName', () => {
  it('is stable for the same object, reason and key, so a re-run finds its Event', () => {
    expect(eventName(input)).toBe(eventName({ ...input, note: 'different wording' }));
  });

  it('differs by reason and by key', () => {
    const names = new Set([
      eventName(input),
      eventName({ ...input, reason: 'EvictionBlocked' }),
      eventName({ ...input, key: 'a2' }),
    ]);
    expect(names.size).toBe(3);
  });

  it('is a valid DNS subdomain within 253 characters even for long names', () => {
    const name = eventName({ ...input, regarding: { ...input.regarding, name: `${'a'.repeat(250)}-x` } });
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });
});

describe('truncateUtf8', () => {
  it('keeps short notes as they are', () => {
    expect(truncateUtf8('short', 1024)).toBe('short');
  });

  it('cuts multi-byte text under the byte limit without splitting a character', () => {
    const cut = truncateUtf8('é'.repeat(1000), noteLimitBytes);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(noteLimitBytes);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('buildEvent', () => {
  it('writes an events.k8s.io/v1 Event leakguard reports, with microsecond eventTime', () => {
    const event = buildEvent(
      { ...input, note: 'x'.repeat(5000) },
      'leakguard-29012345-abcde',
      new Date('2026-11-26T10:00:00.123Z'),
    );
    expect(event).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      reportingController: 'leakguard',
      reportingInstance: 'leakguard-29012345-abcde',
      reason: 'PodRestarted',
      action: 'Restart',
      type: 'Normal',
      metadata: { namespace: 'rook-ceph' },
      regarding: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'rook-ceph-operator',
        namespace: 'rook-ceph',
        uid: 'u1',
      },
    });
    expect(JSON.parse(JSON.stringify(event)).eventTime).toBe('2026-11-26T10:00:00.123000Z');
    expect(Buffer.byteLength(event.note ?? '', 'utf8')).toBeLessThanOrEqual(1024);
  });
});
