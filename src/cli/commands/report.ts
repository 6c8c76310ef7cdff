/**
 * `leakguard report INCIDENT`: an upstream issue draft for a leak no catalogue entry explains, printed
 * for a person to paste (read-only: no lock, no Events, no writes; nothing is filed anywhere).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { knownIssueExplains } from '../../report/issue-draft.js';
import { draftIssue } from '../../run/issue-draft.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildRunDeps } from '../wiring.js';

export async function reportCommand(config: Config, incidentId: string | undefined, options: { logger: Logger }, print: (text: string) => void): Promise<ExitCode> {
  if (!incidentId || !/^inc-[a-z0-9-]+$/.test(incidentId)) throw new UsageError(`expected an incident ID like inc-202612071200-1abc (in the Events and the state annotation), got ${JSON.stringify(incidentId ?? '')}`);
  const deps = await buildRunDeps(config, options.logger, AbortSignal.timeout(config.deadline * 1000));
  const draft = await draftIssue(deps, incidentId);
  if (draft.outcome === 'not-found') throw new UsageError(`no watched workload has incident ${incidentId} (a workload's state names its current and previous incident)`);
  print(draft.outcome === 'known' ? knownIssueExplains(draft) : draft.markdown);
  return ExitCode.ok;
}
