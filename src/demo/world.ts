/**
 * The demo's world: the embedded trace served as Prometheus would (one range query per profile,
 * matched by the query's labels), the pods a cluster would report for it, and a Slack that
 * records what it is sent. Everything the demo shows comes from `runOnce` over these.
 */
import { versionFromImage } from '../catalog/image.js';
import { toColumns } from '../detect/columns.js';
import type { Sample } from '../detect/types.js';
import type { Notifier, NotifyError, NotifyOptions, NotifyResult, SlackMessage } from '../notify/types.js';
import type { TargetFacts } from '../model/workload.js';
import { MetricsError } from '../prom/errors.js';
import type {
  InstantQuery,
  InstantResult,
  MetricsAnswer,
  MetricsSource,
  RangeQuery,
  RangeResult,
  RangeSeries,
} from '../prom/types.js';
import type { DemoSeries } from './trace.js';

/** One pod's container as a Prometheus would hold it: its labels, its raw samples, its owner (kube_pod_owner). */
export interface TracedPod {
  labels: { namespace: string; pod: string; container: string };
  /** In time order. */
  samples: readonly Sample[];
  owner?: { kind: string; name: string };
}

/**
 * Memory history served as Prometheus answers leakguard's built-in queries, read from what the query
 * selects (`RangeQuery.selection`), never from its PromQL: per step, the minimum of each pod's samples
 * in that step, for the selected namespace, container and pods; the workload history also gets each
 * pod's owner series. The demo's Prometheus, and the run tests'.
 */
export class TraceMetrics implements MetricsSource {
  constructor(
    private readonly pods: readonly TracedPod[],
    public now: number,
  ) {}

  async query(_query: InstantQuery): Promise<MetricsAnswer<InstantResult>> {
    return { outcome: 'answered', series: [{ labels: {}, sample: { t: this.now, v: this.now } }], warnings: [] };
  }

  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
    const selection = query.selection;
    if (!selection)
      return {
        outcome: 'failed',
        error: new MetricsError('bad-request', 'the in-memory Prometheus answers the built-in queries only'),
      };
    const pods = selection.pods === undefined ? undefined : new RegExp(`^(?:${selection.pods})$`);
    const series: RangeSeries[] = [];
    for (const p of this.pods) {
      if (
        p.labels.namespace !== selection.namespace ||
        (selection.container !== undefined && p.labels.container !== selection.container) ||
        (pods && !pods.test(p.labels.pod))
      )
        continue;
      const floor = floorPerStep(p.samples, query);
      if (floor.length === 0) continue;
      series.push({ labels: { ...p.labels }, samples: toColumns(floor) });
      if (selection.owners && p.owner) {
        series.push({
          labels: {
            namespace: p.labels.namespace,
            pod: p.labels.pod,
            owner_kind: p.owner.kind,
            owner_name: p.owner.name,
          },
          samples: toColumns(floor.map(({ t }) => ({ t, v: 1 }))),
        });
      }
    }
    return { outcome: 'answered', series, warnings: [] };
  }
}

/** The minimum of the samples in each step (t − step, t], for t = start, start + step, … ≤ end. */
function floorPerStep(samples: readonly Sample[], { start, end, stepSeconds }: RangeQuery): Sample[] {
  const floor: Sample[] = [];
  let i = 0;
  for (let t = start; t <= end; t += stepSeconds) {
    while (i < samples.length && samples[i]!.t <= t - stepSeconds) i++;
    let low = Infinity;
    for (let k = i; k < samples.length && samples[k]!.t <= t; k++) low = Math.min(low, samples[k]!.v);
    if (low !== Infinity) floor.push({ t, v: low });
  }
  return floor;
}

/** A Slack that keeps what it is sent and answers as a bot token would (each incident its own thread). */
export class RecordingNotifier implements Notifier {
  readonly messages: SlackMessage[] = [];
  /** The thread each message was asked to go to (null: a new one). */
  readonly threads: (string | null)[] = [];
  /** When set, every message fails with this (after the notifier's own retry). */
  failure: NotifyError | null = null;
  async notify(message: SlackMessage, options: NotifyOptions = {}): Promise<NotifyResult> {
    this.messages.push(message);
    this.threads.push(options.threadTs ?? null);
    if (this.failure) return { outcome: 'failed', error: this.failure, attempts: 2 };
    const ts = `${1_700_000_000 + this.messages.length}.000100`;
    return { outcome: 'sent', ts, threadTs: options.threadTs ?? ts, attempts: 1 };
  }
}

/** The pod a cluster would report for a series of the trace, for the profile that watches it. */
export function demoFacts(series: DemoSeries, profile: string, now: number): TargetFacts {
  return {
    profile,
    workload: {
      kind: 'Deployment',
      namespace: series.labels.namespace,
      name: series.workload,
      uid: `demo-${series.workload}`,
    },
    pod: {
      name: series.labels.pod,
      uid: `demo-${series.labels.pod}`,
      startTime: now - 48 * 3600,
      ready: true,
      terminating: false,
      controlled: true,
    },
    container: series.labels.container,
    image: series.image,
    version: versionFromImage(series.image),
    limitBytes: series.limitBytes,
    restartCount: 0,
    gitopsOwner: null,
    rollingOut: false,
    unreadyReplicas: 0,
    env: series.labels.namespace === 'rook-ceph' ? { ROOK_LOG_LEVEL: 'INFO', ROOK_CURRENT_NAMESPACE_ONLY: 'true' } : {},
  };
}
