// One leakguard run (runOnce, the real PrometheusSource) against a real metrics server, over an
// in-memory cluster holding the given operator pods: what a user sees is the run's summary, its
// mutations and its Events.
import { inContainer, inWorkload, startedAt, targetFacts, withPod } from './gen.js';
import { pino } from 'pino';
import { buildCatalog } from '../../src/catalog/catalog.js';
import { parseConfig } from '../../src/config/load.js';
import type { SlackMessage } from '../../src/notify/types.js';
import type { TargetFacts } from '../../src/model/workload.js';
import { PrometheusSource } from '../../src/prom/prometheus.js';
import { runOnce, type RunSummary } from '../../src/run/index.js';
import { TestCluster } from './test-cluster.js';
import { RecordingNotifier } from '../../src/demo/world.js';

/** An operator pod of profile `ops`, one Deployment per pod, started long before the history. */
export function operatorTarget(namespace: string, pod: string, container: string, nowSeconds: number): TargetFacts {
  const mods = [inWorkload(namespace, pod), withPod(pod), startedAt(nowSeconds - 40 * 3600), inContainer(container)];
  return targetFacts(...mods);
}

export interface MetricsRun {
  summary: RunSummary;
  cluster: TestCluster;
  /** What Slack was sent. */
  slack: SlackMessage[];
}

/**
 * Runs leakguard once (not dry-run) with one profile `ops` over `namespace`/`container`;
 * `prometheus` is YAML added to the prometheus section (`matchers: …`), `extra` top-level YAML.
 */
export async function runAgainst(
  url: string,
  targets: TargetFacts[],
  {
    namespace,
    container,
    prometheus = '',
    extra = '',
  }: { namespace: string; container: string; prometheus?: string; extra?: string },
): Promise<MetricsRun> {
  const config = parseConfig(`
dryRun: false
controller: none
prometheus: {url: ${JSON.stringify(url)}, step: 5m${prometheus ? `, ${prometheus}` : ''}}
guardrails: {maxActionsPerRun: 10}
profiles:
  - {name: ops, namespace: ${namespace}, selector: app=operator, container: ${container}, expectedPods: 100}
${extra}
`);
  const cluster = new TestCluster(targets);
  const notifier = new RecordingNotifier();
  const summary = await runOnce({
    config,
    cluster,
    metrics: new PrometheusSource({ url, version: 'test' }),
    catalog: buildCatalog(),
    logger: pino({ level: 'silent' }),
    identity: { identity: 'test-run', namespace: 'leakguard' },
    notifier,
  });
  return { summary, cluster, slack: notifier.messages };
}
