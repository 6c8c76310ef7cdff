/**
 * The demo's world: the embedded trace served as Prometheus would (one range query per profile,
 * matched by the query's namespace), the pods a cluster would report for it, and a Slack that
 * records what it is sent. Everything the demo shows comes from `runOnce` over these.
 */
import { versionFromImage } from '../catalog/image.js';
import { toColumns } from '../detect/columns.js';
import type { Sample } from '../detect/types.js';
import type { Notifier, NotifyError, NotifyOptions, NotifyResult, SlackMessage } from '../notify/types.js';
import type { TargetFacts } from '../model/workload.js';
import type { InstantQuery, InstantResult, MetricsAnswer, MetricsSource, RangeQuery, RangeResult } from '../prom/types.js';
import type { DemoSeries } from './trace.js';

export class DemoMetrics implements MetricsSource {
  constructor(
    private readonly trace: readonly DemoSeries[],
    private readonly now: number,
  ) {}

  async query(_query: InstantQuery): Promise<MetricsAnswer<InstantResult>> {
    return { outcome: 'answered', series: [{ labels: {}, sample: { t: this.now, v: this.now } }], warnings: [] };
  }

  /** As Prometheus answers the built-in query: per step, the minimum of the samples in that step. */
  async queryRange(query: RangeQuery): Promise<MetricsAnswer<RangeResult>> {
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
    return { outcome: 'answered', series, warnings: [] };
  }
}

/** A Slack that keeps what it is sent and answers as a bot token would (each incident its own thread). */
export class RecordingNotifier implements Notifier {
  readonly messages: SlackMessage[] = [];
  /** When set, every message fails with this (after the notifier's own retry). */
  failure: NotifyError | null = null;
  async notify(message: SlackMessage, options: NotifyOptions = {}): Promise<NotifyResult> {
    this.messages.push(message);
    if (this.failure) return { outcome: 'failed', error: this.failure, attempts: 2 };
    const ts = String(this.messages.length);
    return { outcome: 'sent', ts, threadTs: options.threadTs ?? ts, attempts: 1 };
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
