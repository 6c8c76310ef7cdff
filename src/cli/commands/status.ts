/** `leakguard status`: the current verdict per watched target, read-only (no lock, no Events, no writes). */
import type { Logger } from 'pino';
import { toDetectOptions } from '../../config/detection.js';
import { valuesOf } from '../../detect/columns.js';
import type { Config } from '../../config/schema.js';
import { prometheusNow } from '../../prom/history.js';
import { observeProfile } from '../../run/observe.js';
import { ExitCode } from '../errors.js';
import type { OutputFormat } from '../output.js';
import { failedLine, renderVerdictTable, statusRow, type VerdictRow } from '../../report/verdict-table.js';
import { buildStatusDeps, type StatusDeps } from '../wiring.js';
import { workloadKey } from '../../model/workload.js';

export async function statusCommand(
  config: Config,
  options: { output: OutputFormat; logger: Logger },
  print: (text: string) => void,
): Promise<ExitCode> {
  const deps = buildStatusDeps(config, options.logger, AbortSignal.timeout(config.deadline * 1000));
  const { now, rows, failures } = await statusRows(config, deps);
  if (options.output === 'json') {
    print(JSON.stringify({ now, targets: rows.map(({ values: _v, ...row }) => row), failures }));
  } else {
    print([renderVerdictTable(rows, { withAction: true }), ...failures.map(failedLine)].join('\n'));
  }
  return failures.length > 0 ? ExitCode.stepFailed : ExitCode.ok;
}

export interface StatusRows {
  now: number | null;
  rows: (VerdictRow & { profile: string })[];
  failures: string[];
}

/** Every watched target's verdict and last action, observed as `run` observes it (read-only). */
export async function statusRows(config: Config, deps: StatusDeps): Promise<StatusRows> {
  const detect = toDetectOptions(config.detection);
  const clock = await prometheusNow(deps.metrics, deps.signal);
  const rows: (VerdictRow & { profile: string })[] = [];
  const failures: string[] = [];
  for (const profile of config.profiles) {
    // The same observation as `run` (workload history, catalogue prior): what status prints, a run would act on.
    const seen = await observeProfile(
      {
        cluster: deps.cluster,
        metrics: deps.metrics,
        prometheus: config.prometheus,
        workloadHistory: config.detection.workloadHistory,
        catalog: deps.catalog,
        ...(deps.signal ? { signal: deps.signal } : {}),
      },
      profile,
      clock,
      detect,
    );
    failures.push(...seen.failures);
    const states = await deps.cluster.readStates(seen.judged.map((t) => t.facts.workload));
    for (const target of seen.judged) {
      const state = states.get(workloadKey(target.facts.workload));
      const { workload, pod } = target.facts;
      const seen = { workload, pod: pod.name, verdict: target.verdict, values: valuesOf(target.samples) };
      rows.push({ profile: profile.name, ...statusRow(seen, state?.outcome === 'read' ? state.state : null) });
    }
  }
  return { now: clock.now, rows, failures };
}
