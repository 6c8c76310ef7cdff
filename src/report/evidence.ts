/** What the detector saw for a workload, as the texts quote it (Events, Slack, the upgrade PR). */
import type { PodView } from '../catalog/condition.js';
import type { SampleSeries } from '../detect/columns.js';
import type { Verdict } from '../detect/types.js';
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
