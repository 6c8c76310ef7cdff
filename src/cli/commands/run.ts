/** `leakguard run`: one run (what the CronJob executes), and the summary printed last. */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { runOnce, type RunSummary } from '../../run/index.js';
import { ExitCode } from '../errors.js';
import type { OutputFormat } from '../output.js';
import { renderVerdictTable } from '../render.js';
import { buildRunDeps } from '../wiring.js';

export async function runCommand(
  config: Config,
  options: { dryRun: boolean; output: OutputFormat; logger: Logger },
  print: (text: string) => void,
): Promise<ExitCode> {
  // The whole run gives up at the deadline: queries are aborted and nothing new is started.
  const deadline = AbortSignal.timeout(config.deadline * 1000);
  const deps = await buildRunDeps(config, options.logger.child({ runId: `${Date.now().toString(36)}` }), deadline);
  const summary = await runOnce(deps, { dryRun: options.dryRun });
  print(options.output === 'json' ? JSON.stringify(summaryJson(summary)) : renderSummary(summary));
  return summary.failures.length > 0 ? ExitCode.stepFailed : ExitCode.ok;
}

export function summaryJson(summary: RunSummary) {
  return {
    status: summary.status,
    dryRun: summary.dryRun,
    now: summary.now,
    targets: summary.targets.map(({ values: _values, ...t }) => t),
    verdicts: countVerdicts(summary),
    actions: summary.actions,
    warnings: summary.warnings,
    failures: summary.failures,
  };
}

function countVerdicts(summary: RunSummary): Record<string, number> {
  const counts: Record<string, number> = { leaking: 0, 'not-leaking': 0, unknown: 0 };
  for (const t of summary.targets) counts[t.verdict.kind] = (counts[t.verdict.kind] ?? 0) + 1;
  return counts;
}

export function renderSummary(summary: RunSummary): string {
  if (summary.status === 'locked') return 'another run holds the lock; nothing was done';
  const verdicts = countVerdicts(summary);
  const lines = [
    renderVerdictTable(
      summary.targets.map((t) => ({ name: `${t.workload} (${t.pod})`, verdict: t.verdict, values: t.values })),
    ),
    '',
    `targets ${summary.targets.length} · leaking ${verdicts.leaking} · ok ${verdicts['not-leaking']} · unknown ${verdicts.unknown}${summary.dryRun ? ' · DRY RUN' : ''}`,
    ...summary.actions.map(
      (a) => `action ${a.id}: ${a.kind} on ${a.workload} → ${a.dryRun ? 'planned (dry-run)' : a.outcome}`,
    ),
    ...summary.warnings.map((w) => `warning: ${w}`),
    ...summary.failures.map((f) => `FAILED: ${f}`),
  ];
  return lines.join('\n');
}
