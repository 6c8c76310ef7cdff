/**
 * The upstream issue draft for one incident (`leakguard report INCIDENT`): finds the watched workload
 * whose state names the incident, judges it as `status` does, and drafts the report unless a
 * catalogue entry already explains the leak. Read-only.
 */
import { matchKnownIssues, type Catalog } from '../catalog/catalog.js';
import { versionFromImage } from '../catalog/image.js';
import { toDetectOptions } from '../config/detection.js';
import type { Config } from '../config/schema.js';
import type { Cluster } from '../kube/types.js';
import type { MetricsSource } from '../prom/types.js';
import { upstreamIssueDraft } from '../report/issue-draft.js';
import { keptHeapReport } from './heap-evidence.js';
import { observeProfile, prometheusNow } from './observe.js';
import { workloadKey } from '../model/workload.js';

export type IssueDraft =
  | { outcome: 'drafted'; markdown: string }
  /** A catalogue entry explains it: the known issue, in words. */
  | { outcome: 'known'; issueId: string; title: string; image: string }
  | { outcome: 'not-found' };

export async function draftIssue(deps: { config: Config; cluster: Cluster; metrics: MetricsSource; catalog: Catalog; signal?: AbortSignal }, incidentId: string): Promise<IssueDraft> {
  const { config, cluster } = deps;
  const clock = await prometheusNow(deps.metrics, deps.signal);
  const detect = toDetectOptions(config.detection);
  const observing = { cluster, metrics: deps.metrics, prometheus: config.prometheus, workloadHistory: config.detection.workloadHistory, ...(deps.signal ? { signal: deps.signal } : {}) };
  for (const profile of config.profiles) {
    const seen = await observeProfile(observing, profile, clock, detect);
    const states = await cluster.readStates(seen.judged.map((t) => t.facts.workload));
    for (const { facts, verdict, samples } of seen.judged) {
      const read = states.get(workloadKey(facts.workload));
      if (read?.outcome !== 'read' || (read.state.incidentId !== incidentId && read.state.previousIncidentId !== incidentId)) continue;
      const known = matchKnownIssues(deps.catalog, facts.image, { container: facts.container }).find((m) => m.certainty === 'certain');
      if (known) return { outcome: 'known', issueId: known.issue.id, title: known.issue.title, image: facts.image };
      const heap = await keptHeapReport(cluster, facts.workload, incidentId);
      const now = clock.now ?? Math.floor(Date.now() / 1000);
      const markdown = upstreamIssueDraft({ incidentId, workload: facts.workload, container: facts.container, image: facts.image, version: versionFromImage(facts.image), verdict, limitBytes: facts.limitBytes, memory: samples, state: read.state, now, ...(heap ? { heap } : {}) });
      return { outcome: 'drafted', markdown };
    }
  }
  return { outcome: 'not-found' };
}
