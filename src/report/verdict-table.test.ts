import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../detect/types.js';
import { renderTable, wrap } from '../model/text.js';
import {
  renderSummary,
  renderVerdictTable,
  formatSlope,
  formatTimeToLimit,
  type RunSummary,
  type VerdictRow,
} from './verdict-table.js';
import { sparkline } from '../model/units.js';

const labels: Record<Verdict['kind'], string> = { leaking: 'LEAKING', 'not-leaking': 'ok', unknown: 'unknown' };

/**
 * The table as it was first built (the whole table joined, split back into lines, each followed by its
 * reasons): the reference for the version that builds its lines once, as a run's summary of thousands does.
 */
function tableJoinedThenSplit(rows: readonly VerdictRow[], withAction: boolean): string {
  const header = ['TARGET', 'VERDICT', 'MEMORY', 'SLOPE (95% CI)', 'TO LIMIT', ...(withAction ? ['LAST ACTION'] : [])];
  const body = rows.map((row) => [
    row.name,
    labels[row.verdict.kind],
    sparkline(Array.from(row.values).filter(Number.isFinite), 24),
    formatSlope(row.verdict),
    formatTimeToLimit(row.verdict),
    ...(withAction ? [row.lastAction ?? '—'] : []),
  ]);
  const [head, ...lines] = renderTable([header, ...body]).split('\n');
  const below = (row: VerdictRow) => [
    ...wrap(row.verdict.reasons[0] ?? '', 112),
    ...(row.incident ? wrap(`incident: ${row.incident}`, 112) : []),
  ];
  return [head, ...lines.flatMap((line, i) => [line, ...below(rows[i]!).map((l) => `    ${l}`)])].join('\n');
}

const word = fc.string({ unit: fc.constantFrom('a', 'b', '▁', '😀', '-', '/'), minLength: 1, maxLength: 12 });
const sentence = fc.array(word, { maxLength: 30 }).map((words) => words.join(' '));
const finiteOrNot = fc.oneof(fc.double({ min: 0, max: 4e9, noNaN: true }), fc.constant(Number.NaN));

const row: fc.Arbitrary<VerdictRow> = fc.record(
  {
    name: word,
    verdict: fc.record({
      kind: fc.constantFrom<Verdict['kind']>('leaking', 'not-leaking', 'unknown'),
      slope: fc.option(
        fc.record({
          bytesPerHour: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          low: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          high: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        }),
      ),
      currentBytes: fc.constant(null),
      hoursToLimit: fc.option(fc.double({ min: -5, max: 500, noNaN: true })),
      reasons: fc.array(sentence, { maxLength: 2 }),
      evidence: fc.constant({ from: 0, to: 0, pointsUsed: 0, restarts: 0 }),
    }) as fc.Arbitrary<Verdict>,
    values: fc.array(finiteOrNot, { maxLength: 60 }),
    lastAction: word,
    incident: sentence,
  },
  { requiredKeys: ['name', 'verdict', 'values'] },
);

describe('renderVerdictTable', () => {
  it('prints what joining the table and splitting it again printed: each row, then its reasons indented', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), fc.boolean(), (rows, withAction) => {
        expect(renderVerdictTable(rows, { withAction })).toBe(tableJoinedThenSplit(rows, withAction));
      }),
    );
  });

  it('puts a row’s headline and incident under that row', () => {
    const verdict = (kind: Verdict['kind'], reason: string): Verdict => ({
      kind,
      slope: null,
      currentBytes: null,
      hoursToLimit: null,
      reasons: [reason],
      evidence: { from: 0, to: 0, pointsUsed: 0, restarts: 0 },
    });
    const text = renderVerdictTable([
      { name: 'ns/a (a-1)', verdict: verdict('leaking', 'grows 40 MiB/h'), values: [1, 2, 3], incident: 'restarted' },
      { name: 'ns/b (b-1)', verdict: verdict('not-leaking', 'flat'), values: [] },
    ]).split('\n');
    expect(text.map((line) => line.trimEnd())).toEqual([
      'TARGET      VERDICT  MEMORY  SLOPE (95% CI)  TO LIMIT',
      'ns/a (a-1)  LEAKING  ▁▅█     —               —',
      '    grows 40 MiB/h',
      '    incident: restarted',
      'ns/b (b-1)  ok               —               —',
      '    flat',
    ]);
  });
});

describe('renderSummary', () => {
  it("prints the run's table, a blank line, the counts, then each action, warning and failure", () => {
    const target = (name: string, r: VerdictRow): RunSummary['targets'][number] => ({
      profile: 'p',
      workload: `Deployment/ns/${name}`,
      pod: `${name}-1`,
      container: 'c',
      verdict: r.verdict,
      values: r.values,
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.boolean(), (rows, dryRun) => {
        const summary: RunSummary = {
          status: 'ran',
          dryRun,
          now: 0,
          targets: rows.map((r, i) => target(`${r.name}${i}`, r)),
          actions: [{ id: 'restart-1', kind: 'restart', workload: 'Deployment/ns/a', dryRun, outcome: 'restarted' }],
          plan: null,
          failures: ['query failed'],
          warnings: ['partial answer'],
        };
        const count = (kind: Verdict['kind']) => rows.filter((r) => r.verdict.kind === kind).length;
        const table = renderVerdictTable(
          summary.targets.map((t) => ({ name: `${t.workload} (${t.pod})`, verdict: t.verdict, values: t.values })),
        );
        expect(renderSummary(summary)).toBe(
          [
            table,
            '',
            `targets ${rows.length} · leaking ${count('leaking')} · ok ${count('not-leaking')}` +
              ` · unknown ${count('unknown')}${dryRun ? ' · DRY RUN' : ''}`,
            `action restart-1: restart on Deployment/ns/a → ${dryRun ? 'planned (dry-run)' : 'restarted'}`,
            'warning: partial answer',
            'FAILED: query failed',
          ].join('\n'),
        );
      }),
    );
  });
});
