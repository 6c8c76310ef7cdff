/**
 * `leakguard report INCIDENT`: an upstream issue draft for a leak no catalogue entry explains, printed
 * for a person to paste (read-only: no lock, no Events, no writes; nothing is filed anywhere).
 */
import type { Logger } from 'pino';
import { knownIssueExplains, upstreamIssueDraft } from '../../report/issue-draft.js';
import { matchKnownIssues, type Catalog } from '../../catalog/catalog.js';
import { versionFromImage } from '../../catalog/image.js';
import { toDetectOptions } from '../../config/detection.js';
import type { Config } from '../../config/schema.js';
import type { Cluster } from '../../kube/types.js';
import type { MetricsSource } from '../../prom/types.js';
import { keptHeapReport } from '../../kube/heap-capture.js';
import { prometheusNow } from '../../prom/history.js';
import { workloadKey } from '../../model/workload.js';
import { observeProfile } from '../../run/observe.js';
import { ExitCode, UsageError } from '../errors.js';
import { buildRunDeps } from '../wiring.js';

export async function reportCommand(
  config: Config,
  incidentId: string | undefined,
  options: { logger: Logger },
  print: (text: string) => void,
): Promise<ExitCode> {
  if (!incidentId || !/^inc-[a-z0-9-]+$/.test(incidentId))
    throw new UsageError(
      `expected an incident ID like inc-202612071200-1abc (in the Events and the state annotation), got ${JSON.stringify(incidentId ?? '')}`,
    );
  const deps = await buildRunDeps(config, options.logger, AbortSignal.timeout(config.deadline * 1000));
  const draft = await draftIssue(deps, incidentId);
  if (draft.outcome === 'not-found')
    throw new UsageError(
      `no watched workload has incident ${incidentId} (a workload's state names its current and previous incident)`,
    );
  print(draft.outcome === 'known' ? knownIssueExplains(draft) : draft.markdown);
  return ExitCode.ok;
}

/**
 * Finds the watched workload whose state names the incident, judges it as `status` does, and drafts the
 * report unless a catalogue entry already explains the leak.
 */
export type IssueDraft =
  | { outcome: 'drafted'; markdown: string }
  /** A catalogue entry explains it: the known issue, in words. */
  | { outcome: 'known'; issueId: string; title: string; image: string }
  | { outcome: 'not-found' };

export async function draftIssue(
  deps: { config: Config; cluster: Cluster; metrics: MetricsSource; catalog: Catalog; signal?: AbortSignal },
  incidentId: string,
): Promise<IssueDraft> {
  const { config, cluster } = deps;
  const clock = await prometheusNow(deps.metrics, deps.signal);
  const detect = toDetectOptions(config.detection);
  const observing = {
    cluster,
    metrics: deps.metrics,
    prometheus: config.prometheus,
    workloadHistory: config.detection.workloadHistory,
    catalog: deps.catalog,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  for (const profile of config.profiles) {
    const seen = await observeProfile(observing, profile, clock, detect);
    const states = await cluster.readStates(seen.judged.map((t) => t.facts.workload));
    for (const { facts, verdict, samples } of seen.judged) {
      const read = states.get(workloadKey(facts.workload));
      if (
        read?.outcome !== 'read' ||
        (read.state.incidentId !== incidentId && read.state.previousIncidentId !== incidentId)
      )
        continue;
      const known = matchKnownIssues(deps.catalog, facts.image, { container: facts.container }).find(
        (m) => m.certainty === 'certain',
      );
      if (known) return { outcome: 'known', issueId: known.issue.id, title: known.issue.title, image: facts.image };
      const heap = await keptHeapReport(cluster, facts.workload, incidentId);
      const now = clock.now ?? Math.floor(Date.now() / 1000);
      const markdown = upstreamIssueDraft({
        incidentId,
        workload: facts.workload,
        container: facts.container,
        image: facts.image,
        version: versionFromImage(facts.image),
        verdict,
        limitBytes: facts.limitBytes,
        memory: samples,
        state: read.state,
        now,
        ...(heap ? { heap } : {}),
      });
      return { outcome: 'drafted', markdown };
    }
  }
  return { outcome: 'not-found' };
}
