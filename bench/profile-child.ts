/**
 * Child of bench section 7: one profile observed as `leakguard run` observes it (`observeProfile`: the
 * window answer, then the workload history answer of the pods that can learn from it, both through
 * the real Prometheus adapter with the default caps), in a fresh process with the image's Node flags,
 * against a local server that serves prepared answers. Prints one JSON line as its last line.
 *   node .tmp-bench/profile-child.mjs --url URL --pods 1850 --pod-start SECONDS
 */
import { parseArgs } from 'node:util';
import { buildCatalog } from '../src/catalog/catalog.js';
import { parseConfig } from '../src/config/load.js';
import { toDetectOptions } from '../src/config/detection.js';
import { MemoryCluster } from '../src/demo/memory-cluster.js';
import { PrometheusSource } from '../src/prom/prometheus.js';
import { prometheusNow } from '../src/prom/history.js';
import { observeProfile } from '../src/run/observe.js';
import { exposedGc } from '../src/cli/reclaim.js';
import { FLEET, fleetTargets } from './fleet.js';
import { peakRssBytes } from './peak-rss.js';

export interface ProfileChildResult {
  judged: number;
  leaking: number;
  samples: number;
  problem: string | null;
  warnings: string[];
  peakRssBytes: number;
}

const { values } = parseArgs({
  options: { url: { type: 'string' }, pods: { type: 'string' }, 'pod-start': { type: 'string' } },
});
const config = parseConfig(`
prometheus: {url: ${JSON.stringify(values.url)}, step: 60s, timeout: 120s}
profiles: [{name: ${FLEET.profile}, namespace: ${FLEET.namespace}, selector: ${FLEET.selector}, container: ${FLEET.container}, expectedPods: ${values.pods}}]
`);
const { url, maxSeries, maxResponseBytes, timeout } = config.prometheus;
const metrics = new PrometheusSource({ url, version: 'bench', maxSeries, maxResponseBytes, timeoutSeconds: timeout });
const cluster = new MemoryCluster(fleetTargets(Number(values.pods), Number(values['pod-start'])));
const reclaim = exposedGc();
const clock = await prometheusNow(metrics);
const seen = await observeProfile(
  {
    cluster,
    metrics,
    prometheus: config.prometheus,
    workloadHistory: config.detection.workloadHistory,
    catalog: buildCatalog(),
    ...(reclaim ? { reclaim } : {}),
  },
  config.profiles[0]!,
  clock,
  toDetectOptions(config.detection),
);
const result: ProfileChildResult = {
  judged: seen.judged.length,
  leaking: seen.judged.filter((j) => j.verdict.kind === 'leaking').length,
  samples: seen.judged.reduce((n, j) => n + j.samples.t.length, 0),
  problem: seen.problem,
  warnings: seen.warnings,
  peakRssBytes: peakRssBytes(),
};
console.log(JSON.stringify(result));
