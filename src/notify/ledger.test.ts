import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLedger, closedRetentionSeconds, compactLedger, describeDropped, type Ledger } from './ledger.js';

/** What the ledger keeps per workload: what Slack was last told. */
type NotifiedEntry = Ledger['notified'][string];

const now = 1_800_000_000;
const entry = (
  phase: NotifiedEntry['phase'],
  at: number | undefined,
  threadTs: string | null = '1700000000.000100',
): NotifiedEntry => ({
  incidentId: 'rook/Deployment/rook-ceph/rook-ceph-operator/2026-11-25T00',
  phase,
  severity: 'warning',
  action: 'restart:done',
  threadTs,
  ...(at === undefined ? {} : { at }),
});
const ledgerOf = (notified: Record<string, NotifiedEntry>): Ledger => ({ notified, metricsFailures: { rook: 1 } });
const size = (ledger: Ledger) => Buffer.byteLength(JSON.stringify(ledger));

describe('checkLedger: what is read from the Lease is checked entry by entry', () => {
  it('keeps the good records next to a damaged one, and says what was dropped', () => {
    const raw = JSON.stringify({
      notified: {
        'Deployment/rook-ceph/rook-ceph-operator': entry('leaking', now),
        'Deployment/a/b': { phase: 'on fire' },
        'not a key; rm -rf /': entry('leaking', now),
      },
      metricsFailures: { rook: 2, certs: -1 },
    });
    const { ledger, problems } = checkLedger(raw);
    expect(Object.keys(ledger.notified)).toEqual(['Deployment/rook-ceph/rook-ceph-operator']);
    expect(ledger.metricsFailures).toEqual({ rook: 2 });
    expect(problems.map((p) => `${p.where}: ${p.problem}`)).toEqual([
      'notified["Deployment/a/b"]: invalid (incidentId); dropped',
      'notified["not a key; rm -rf /"]: not a workload key; dropped',
      'metricsFailures["certs"]: not a count; dropped',
    ]);
  });

  it.each([
    ['a channel id', 'C0123456'],
    ['a path', '1700000000.000100/../../chat.delete'],
    ['a number', 1700000000.0001],
    ['a timestamp without microseconds', '1700000000'],
  ])('drops a threadTs that is not a Slack message timestamp (%s), keeping the record', (_name, threadTs) => {
    const { ledger, problems } = checkLedger(
      JSON.stringify({ notified: { 'Deployment/a/b': { ...entry('leaking', now), threadTs } } }),
    );
    expect(ledger.notified['Deployment/a/b']).toMatchObject({ phase: 'leaking', threadTs: null });
    expect(problems).toEqual([
      {
        where: 'notified["Deployment/a/b"]',
        problem: expect.stringMatching(/^threadTs is not a Slack message timestamp; dropped/),
      },
    ]);
  });

  it('reads text that is not a ledger as empty, saying so', () => {
    expect(checkLedger('{"notified": [1]')).toMatchObject({
      ledger: { notified: {}, metricsFailures: {} },
      problems: [{ problem: 'not JSON; starting empty' }],
    });
    expect(checkLedger('[]').problems).toEqual([{ where: 'ledger', problem: 'not an object; starting empty' }]);
    expect(checkLedger(JSON.stringify({ notified: 'x' })).problems).toEqual([
      { where: 'notified', problem: 'not an object; dropped' },
    ]);
  });

  it('reads a record written before `at` was kept', () => {
    expect(
      checkLedger(JSON.stringify({ notified: { 'Deployment/a/b': entry('resolved', undefined) } })).problems,
    ).toEqual([]);
  });
});

describe('compactLedger: the stored ledger is bounded', () => {
  it(`forgets a closed incident ${closedRetentionSeconds / 86_400} days after its last message, never an open one`, () => {
    const old = now - closedRetentionSeconds - 1;
    const { ledger, dropped } = compactLedger(
      ledgerOf({
        'Deployment/a/resolved': entry('resolved', old),
        'Deployment/a/recent': entry('resolved', now - 60),
        'Deployment/a/open': entry('leaking', old),
        'Deployment/a/legacy': entry('healthy', undefined),
      }),
      now,
    );
    expect(Object.keys(ledger.notified)).toEqual(['Deployment/a/recent', 'Deployment/a/open']);
    expect(dropped).toEqual([
      { workload: 'Deployment/a/resolved', phase: 'resolved', at: old, why: 'closed long ago' },
      { workload: 'Deployment/a/legacy', phase: 'healthy', at: null, why: 'closed long ago' },
    ]);
    expect(describeDropped(dropped)).toBe(
      'ledger: forgot what Slack was told about 2 closed more than 14 days ago: Deployment/a/resolved (resolved), Deployment/a/legacy (healthy)',
    );
  });

  it('over the budget, drops every closed record before any open one, oldest first', () => {
    const notified: Record<string, NotifiedEntry> = {};
    for (let i = 0; i < 40; i++) notified[`Deployment/open/w${i}`] = entry('leaking', now - 1000 + i);
    for (let i = 0; i < 40; i++) notified[`Deployment/closed/w${i}`] = entry('resolved', now - 1000 + i);
    const budget = size(ledgerOf(Object.fromEntries(Object.entries(notified).slice(0, 30))));
    const { ledger, dropped } = compactLedger(ledgerOf(notified), now, budget);
    expect(size(ledger)).toBeLessThanOrEqual(budget);
    expect(dropped.slice(0, 40).map((d) => d.workload)).toEqual(
      Array.from({ length: 40 }, (_, i) => `Deployment/closed/w${i}`),
    );
    expect(dropped.slice(40).map((d) => d.workload)).toEqual(
      Array.from({ length: dropped.length - 40 }, (_, i) => `Deployment/open/w${i}`),
    );
    expect(Object.keys(ledger.notified).at(-1)).toBe('Deployment/open/w39');
    expect(ledger.metricsFailures).toEqual({ rook: 1 });
    expect(describeDropped(dropped)).toMatch(
      new RegExp(
        `^ledger: forgot what Slack was told about ${dropped.length} oldest over the 128 KiB budget: Deployment/closed/w0 \\(resolved\\), .*, and ${dropped.length - 20} more$`,
      ),
    );
  });

  it('never exceeds the budget, and drops nothing it need not (property)', () => {
    const record = fc.record({
      name: fc.stringMatching(/^[a-z0-9-]{1,40}$/),
      phase: fc.constantFrom<NotifiedEntry['phase']>('leaking', 'resolved', 'healthy', 'remediated'),
      age: fc.integer({ min: 0, max: 2 * closedRetentionSeconds }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 300 }), fc.integer({ min: 200, max: 20_000 }), (records, budget) => {
        const notified = Object.fromEntries(
          records.map((r) => [`Deployment/ns/${r.name}`, entry(r.phase, now - r.age)]),
        );
        const { ledger, dropped } = compactLedger(ledgerOf(notified), now, budget);
        const empty = size(ledgerOf({}));
        if (empty <= budget) expect(size(ledger)).toBeLessThanOrEqual(budget);
        expect(Object.keys(ledger.notified).length + dropped.length).toBe(Object.keys(notified).length);
        const overBudget = dropped.filter((d) => d.why === 'over the size budget');
        if (overBudget.some((d) => d.phase === 'leaking' || d.phase === 'remediated')) {
          expect(Object.values(ledger.notified).every((e) => e.phase !== 'resolved' && e.phase !== 'healthy')).toBe(
            true,
          );
        }
        if (
          size(
            ledgerOf(
              Object.fromEntries(
                Object.entries(notified).filter(
                  ([k]) => !dropped.some((d) => d.workload === k && d.why === 'closed long ago'),
                ),
              ),
            ),
          ) <= budget
        ) {
          expect(overBudget).toEqual([]);
        }
      }),
    );
  });
});
