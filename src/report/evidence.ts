/** What the detector saw for a workload, as the texts quote it (Events, Slack, the upgrade PR). */
import type { PodView } from '../catalog/condition.js';
import type { SampleSeries } from '../detect/columns.js';
import type { Verdict } from '../detect/types.js';
import type { WorkloadState } from '../model/state.js';
import { workloadKey } from '../model/workload.js';
import type { JudgedTarget } from '../detect/targets.js';
import { podViewOf, standInFacts } from '../policy/known-issues.js';
import type { HeapReport } from './heap-text.js';

/** The worst target of a workload: its verdict, history, limit, image and (when taken) heap profile. */
export interface TargetEvidence {
  verdict: Verdict;
  samples: SampleSeries;
  limitBytes: number | null;
  image: string;
  /** The image the catalogue is matched on when a hotfix leakguard set runs: the one it replaced. */
  catalogImage?: string;
  container: string;
  /** What the catalogue's condition checks may read of the pod (absent: conditions count as unchecked). */
  pod?: PodView;
  /** The heap profile taken before this run's restart (src/report/heap-text.ts). */
  heap?: HeapReport;
}

/** Per workload, the container growing fastest: what Events, Slack and the PR show. */
export function strongestEvidence(judged: readonly JudgedTarget[]): Map<string, TargetEvidence> {
  const evidence = new Map<string, TargetEvidence>();
  for (const t of judged) {
    const key = workloadKey(t.facts.workload);
    const previous = evidence.get(key);
    if (
      !previous ||
      (t.verdict.slope?.bytesPerHour ?? -Infinity) > (previous.verdict.slope?.bytesPerHour ?? -Infinity)
    ) {
      evidence.set(key, {
        verdict: t.verdict,
        samples: t.samples,
        limitBytes: t.facts.limitBytes,
        image: t.facts.image,
        container: t.facts.container,
        pod: podViewOf(t.facts),
      });
    }
  }
  return evidence;
}

/** Slack names the known issue the plan matched: under a hotfix leakguard set, the replaced image's. */
export function withCatalogImage(evidence: TargetEvidence, state: WorkloadState | undefined): TargetEvidence {
  const matchedOn = state
    ? standInFacts({ image: evidence.image, version: null, container: evidence.container }, state).image
    : evidence.image;
  return matchedOn === evidence.image ? evidence : { ...evidence, catalogImage: matchedOn };
}
