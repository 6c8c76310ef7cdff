/** `leakguard run`: one run (what the CronJob executes), and the summary printed last. */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { runOnce, type RunSummary } from '../../run/index.js';
import { ExitCode } from '../errors.js';
import type { OutputFormat } from '../output.js';
import { countVerdicts, renderSummary } from '../../report/verdict-table.js';
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
