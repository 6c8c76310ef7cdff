/**
 * The demo's world: the embedded trace served as Prometheus would (one range query per profile,
 * matched by the query's namespace), the pods a cluster would report for it, and a Slack that
 * records what it is sent. Everything the demo shows comes from `runOnce` over these.
 */
import { versionFromImage } from '../catalog/image.js';
import { toColumns } from '../detect/columns.js';
import type { Sample } from '../detect/types.js';
import type { Notifier, NotifyResult, SlackMessage } from '../notify/types.js';
import type { TargetFacts } from '../policy/types.js';
import type { InstantQuery, InstantResult, MetricsSource, RangeQuery, RangeResult } from '../prom/types.js';
import type { DemoSeries } from './trace.js';

export class DemoMetrics implements MetricsSource {
  constructor(
    private readonly trace: readonly DemoSeries[],
    private readonly now: number,
  ) {}

  async query(_query: InstantQuery): Promise<InstantResult> {
    return { series: [{ labels: {}, sample: { t: this.now, v: this.now } }], warnings: [] };
  }

  /** As Prometheus answers the built-in query: per step, the minimum of the samples in that step. */
  async queryRange(query: RangeQuery): Promise<RangeResult> {
    const namespace = /namespace="([^"]+)"/.exec(query.query)?.[1];
    const container = /container="([^"]+)"/.exec(query.query)?.[1];
    const series = this.trace
      .filter((s) => s.labels.namespace === namespace && (container === undefined || s.labels.container === container))
      .map((s) => {
        const floor: Sample[] = [];
        for (let t = query.start; t <= query.end; t += query.stepSeconds) {
          const inStep = s.samples.filter((x) => x.t > t - query.stepSeconds && x.t <= t);
          if (inStep.length > 0) floor.push({ t, v: Math.min(...inStep.map((x) => x.v)) });
        }
        return { labels: { ...s.labels }, samples: toColumns(floor) };
      });
    return { series, warnings: [] };
  }
}

export class RecordingNotifier implements Notifier {
  readonly messages: SlackMessage[] = [];
  async notify(message: SlackMessage): Promise<NotifyResult> {
    this.messages.push(message);
    return { ok: true, ts: String(this.messages.length), threadTs: null, attempts: 1 };
  }
}

/** The pod a cluster would report for a series of the trace, for the profile that watches it. */
export function demoFacts(series: DemoSeries, profile: string, now: number): TargetFacts {
  return {
    profile,
    workload: { kind: 'Deployment', namespace: series.labels.namespace, name: series.workload, uid: `demo-${series.workload}` },
    pod: { name: series.labels.pod, uid: `demo-${series.labels.pod}`, startTime: now - 48 * 3600, ready: true, terminating: false, controlled: true },
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
