// One central store, two clusters: the same namespace and pod names in both, told apart only by the
// `cluster` label. Each cluster's leakguard (prometheus.matchers) judges and acts on its own series.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LabelledSeries } from '../support/memory-history.js';
import { METRIC, syntheticHistory } from '../support/memory-history.js';
import { operatorTarget, runAgainst, type MetricsRun } from '../support/metrics-run.js';
import { PROMETHEUS_SETUP_MS } from '../support/prometheus.js';
import { importSeries, startVictoriaMetrics, type RunningVictoriaMetrics } from '../support/victoria-metrics.js';

const PODS = ['rook-ceph-operator-7d9f', 'cert-manager-5c6b'] as const;
let vm: RunningVictoriaMetrics;

/** In prod-eu the first pod leaks, in prod-us the second; the other one is flat in each. */
function twoClusters(nowSeconds: number): LabelledSeries[] {
  const { series } = syntheticHistory(nowSeconds);
  const pod = (cluster: string, name: string, from: LabelledSeries): LabelledSeries => ({
    labels: { ...from.labels, pod: name, cluster },
    samples: from.samples,
  });
  return [
    pod('prod-eu', PODS[0], series.leaking),
    pod('prod-eu', PODS[1], series.flat),
    pod('prod-us', PODS[0], series.flat),
    pod('prod-us', PODS[1], series.leaking),
  ];
}

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  await importSeries(vm, METRIC, twoClusters(Math.floor(Date.now() / 1000)));
}, PROMETHEUS_SETUP_MS);

afterAll(async () => {
  await vm?.stop();
});

async function leakguardOf(matchers: string | undefined): Promise<MetricsRun> {
  const now = Math.floor(Date.now() / 1000);
  const targets = PODS.map((pod) => operatorTarget('operators', pod, 'manager', now));
  return runAgainst(vm.url, targets, {
    namespace: 'operators',
    container: 'manager',
    ...(matchers ? { prometheus: `matchers: '${matchers}'` } : {}),
  });
}

const restarted = (run: MetricsRun) => run.cluster.mutations.filter((m) => m.verb === 'restart').map((m) => m.target);
const verdicts = (run: MetricsRun) => Object.fromEntries(run.summary.targets.map((t) => [t.pod, t.verdict.kind]));

it("each cluster's leakguard judges and restarts only its own operator, though both have the same names", async () => {
  const [eu, us] = await Promise.all([leakguardOf('cluster="prod-eu"'), leakguardOf('cluster="prod-us"')]);
  expect(verdicts(eu)).toEqual({ [PODS[0]]: 'leaking', [PODS[1]]: 'not-leaking' });
  expect(verdicts(us)).toEqual({ [PODS[0]]: 'not-leaking', [PODS[1]]: 'leaking' });
  expect(restarted(eu)).toEqual([`Deployment/operators/${PODS[0]}`]);
  expect(restarted(us)).toEqual([`Deployment/operators/${PODS[1]}`]);
  expect(eu.summary.failures).toEqual([]);
  // The Slack message's graph link shows the same slice of the store.
  const link = /<(http[^|>]+)\|Prometheus graph>/.exec(JSON.stringify(eu.slack))?.[1];
  expect(new URL(link!).searchParams.get('g0.expr')).toContain('container="manager", cluster="prod-eu"}');
});

it("without matchers, the two clusters' series merge and both operators look leaking: why the setting exists", async () => {
  const all = await leakguardOf(undefined);
  expect(verdicts(all)).toEqual({ [PODS[0]]: 'leaking', [PODS[1]]: 'leaking' });
});
