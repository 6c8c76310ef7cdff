/**
 * What the commands print for people: the verdict table with sparklines, slopes in MiB/h and time to
 * limit in hours (`run`, `status`, `analyze`, the demo), the run's summary, `status` rows. Pure.
 */
import type { Values } from '../model/units.js';
import type { Verdict } from '../detect/types.js';
import type { ActionOutcome } from '../model/action.js';
import type { Plan } from '../policy/types.js';
import type { WorkloadState } from '../model/state.js';
import { workloadKey, type WorkloadRef } from '../model/workload.js';
import type { JudgedTarget } from '../detect/targets.js';
import { tableLines, wrap } from '../model/text.js';
import { formatHours, formatMiBPerHour, formatTime, sparkline } from '../model/units.js';
import { incidentStatusText } from './incident-text.js';

export interface VerdictRow {
  name: string;
  verdict: Verdict;
  values: Values;
  lastAction?: string;
  /** The open incident's phase and what it waits for (status). */
  incident?: string;
}

export function formatSlope(verdict: Verdict): string {
  if (!verdict.slope) return '—';
  const { bytesPerHour, low, high } = verdict.slope;
  return `${formatMiBPerHour(bytesPerHour)} (${formatMiBPerHour(low, false)}–${formatMiBPerHour(high, false)})`;
}

export function formatTimeToLimit(verdict: Verdict): string {
  if (verdict.hoursToLimit === null) return '—';
  if (verdict.hoursToLimit <= 0) return 'at limit';
  return formatHours(verdict.hoursToLimit);
}

const verdictLabel: Record<Verdict['kind'], string> = { leaking: 'LEAKING', 'not-leaking': 'ok', unknown: 'unknown' };

/** One row per target; the detector's headline on its own indented line below, so rows stay narrow. */
export function renderVerdictTable(rows: readonly VerdictRow[], options: { withAction?: boolean } = {}): string {
  return verdictTableLines(rows, options).join('\n');
}

/**
 * `renderVerdictTable`'s lines, for a caller that adds its own before joining: a run's summary joined
 * once, not its table joined and then copied again into the summary (at 10,000 rows each copy is MBs).
 */
function verdictTableLines(rows: readonly VerdictRow[], options: { withAction?: boolean } = {}): string[] {
  if (rows.length === 0) return ['no series'];
  const table = [['TARGET', 'VERDICT', 'MEMORY', 'SLOPE (95% CI)', 'TO LIMIT']];
  if (options.withAction) table[0]!.push('LAST ACTION');
  // Plain loops and pushes, no spread or iterator per row: a run's summary has a row per target, and
  // the image's Node runs this code unoptimised.
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const { verdict } = row;
    const cells = [
      row.name,
      verdictLabel[verdict.kind],
      sparkline(finiteOnly(row.values), 24),
      formatSlope(verdict),
      formatTimeToLimit(verdict),
    ];
    if (options.withAction) cells.push(row.lastAction ?? '—');
    table.push(cells);
  }
  // Built as one list of lines, joined once: a run's summary holds a row per target, tens of thousands
  // of them, and each intermediate copy of the table (joined, split, flattened) added to the run's peak.
  const lines = tableLines(table);
  const out: string[] = [lines[0]!];
  for (let i = 1; i < lines.length; i++) {
    out.push(lines[i]!);
    const row = rows[i - 1]!;
    indented(out, wrap(row.verdict.reasons[0] ?? '', 112));
    if (row.incident) indented(out, wrap(`incident: ${row.incident}`, 112));
  }
  return out;
}

function indented(out: string[], lines: readonly string[]): void {
  for (let i = 0; i < lines.length; i++) out.push(`    ${lines[i]!}`);
}

/** The finite values (the column itself when all are: a copy per target is most of a big table's garbage). */
function finiteOnly(values: Values): Values {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return values.filter(Number.isFinite); // not finite (NaN, ±Infinity): no builtin per value
  }
  return values;
}

/** A failure line as `run` and `status` print it last. */
export function failedLine(failure: string): string {
  return `FAILED: ${failure}`;
}

/** `leakguard status`: one target — its workload and pod, verdict, the last action and when, the open incident. */
export function statusRow(
  target: { workload: WorkloadRef; pod: string; verdict: Verdict; values: Values },
  state: WorkloadState | null,
): VerdictRow {
  const last = state?.lastAction ? `${state.lastAction} ${formatTime(state.lastActionAt ?? 0)}` : undefined;
  const incident = state ? incidentStatusText(state) : null;
  return {
    name: `${target.workload.namespace}/${target.workload.name} (${target.pod})`,
    verdict: target.verdict,
    values: target.values,
    ...(last ? { lastAction: last } : {}),
    ...(incident ? { incident } : {}),
  };
}

/** An action of the run as `run` prints it: done, or planned (dry-run, kill switch). */
export interface ActionRecordEntry {
  id: string;
  kind: string;
  workload: string;
  dryRun: boolean;
  outcome: ActionOutcome['kind'] | 'planned';
  detail?: string;
}

/** A target of the run as `run` prints it. */
export interface TargetSummary {
  profile: string;
  workload: string;
  pod: string;
  container: string;
  verdict: Verdict;
  /** The working set judged, oldest first (a view of the fetched column, not a copy). */
  values: Values;
}

/** A judged target as the run's summary holds it. */
export function targetSummary({ facts, verdict, samples }: JudgedTarget): TargetSummary {
  return {
    profile: facts.profile,
    workload: workloadKey(facts.workload),
    pod: facts.pod.name,
    container: facts.container,
    verdict,
    values: samples.v,
  };
}

/** What one run leaves (`run` prints it, as text or JSON): what it judged, did and planned, and why it must exit 1. */
export interface RunSummary {
  status: 'ran' | 'locked';
  dryRun: boolean;
  /** Prometheus evaluation time (unix seconds) the run judged at; null when Prometheus was unreachable. */
  now: number | null;
  targets: TargetSummary[];
  actions: ActionRecordEntry[];
  plan: Plan | null;
  /** Reasons the run must exit 1 (a query or an action failed). */
  failures: string[];
  warnings: string[];
}

export function countVerdicts(summary: Pick<RunSummary, 'targets'>): Record<Verdict['kind'], number> {
  const counts: Record<Verdict['kind'], number> = { leaking: 0, 'not-leaking': 0, unknown: 0 };
  for (const t of summary.targets) counts[t.verdict.kind] += 1;
  return counts;
}

/** `leakguard run`'s text: the verdict table, the counts, each action, then warnings and failures. */
export function renderSummary(summary: RunSummary): string {
  if (summary.status === 'locked') return 'another run holds the lock; nothing was done';
  const verdicts = countVerdicts(summary);
  const lines = verdictTableLines(
    summary.targets.map((t) => ({ name: `${t.workload} (${t.pod})`, verdict: t.verdict, values: t.values })),
  );
  lines.push(
    '',
    `targets ${summary.targets.length} · leaking ${verdicts.leaking} · ok ${verdicts['not-leaking']} · unknown ${verdicts.unknown}${summary.dryRun ? ' · DRY RUN' : ''}`,
    ...summary.actions.map(
      (a) => `action ${a.id}: ${a.kind} on ${a.workload} → ${a.dryRun ? 'planned (dry-run)' : a.outcome}`,
    ),
    ...summary.warnings.map((w) => `warning: ${w}`),
    ...summary.failures.map(failedLine),
  );
  return lines.join('\n');
}
