/**
 * Section 5 of `npm run bench`: one `leakguard run` over 1,000 (`--kwok-pods`) kwok pods on the real control plane
 * (the e2e cluster: `npm run cluster:up`), their history backfilled into a real Prometheus under the
 * pods' real names. Discovery, state reads, the lock and the dry-run Events all go to the real
 * kube-apiserver; only the memory history is synthetic. Skipped (and said so) when no cluster runs.
 *
 * The fleet: Deployments of `REPLICAS` pods in one namespace (one per fleet size) and one profile, on
 * fake nodes of their own (the harness' three nodes hold 110 pods each). It is kept between runs
 * (creating 1,000 pods takes a minute or two, 10,000 a quarter of an hour) and removed by
 * `npm run cluster:down`. Each run counts its requests to the API server by verb and resource, so
 * that what grows with the pods (and what does not) is seen.
 */
import { existsSync } from 'node:fs';
import { defaultEnvFile, kubectl, loadE2eEnv, type E2eEnv } from '../test/e2e/support/index.js';
import { METRIC, openMetricsChunks } from '../test/support/memory-history.js';
import { startPrometheus } from '../test/support/prometheus.js';
import { FLEET, fleetSeries } from './fleet.js';
import {
  BATCHED,
  HISTORY_HOURS,
  SCRAPE_SECONDS,
  bundleChild,
  printVariant,
  runChild,
  type Variant,
} from './fleet-section.js';
import { mb, median, ms, type Row } from './report.js';
import type { RunChildResult } from './run-child.js';
import { timelineLines } from './timeline.js';

/** Pods per Deployment: 20 Deployments at 1,000 pods, 200 at 10,000. */
const REPLICAS = 50;
const NODES = 5;

/** The fleet of one size: its namespace and fake nodes are its own (the 1,000-pod fleet keeps its old names). */
function fleetOf(pods: number) {
  const suffix = pods === 1000 ? '' : `-${pods}`;
  return {
    pods,
    namespace: `bench-kwok${suffix}`,
    nodeType: `kwok-bench${suffix}`,
    workloads: Math.ceil(pods / REPLICAS),
  };
}
type KwokFleet = ReturnType<typeof fleetOf>;

function manifests({ pods, namespace, nodeType, workloads }: KwokFleet): string {
  const docs: string[] = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}}`];
  for (let n = 0; n < NODES; n++) {
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: ${nodeType}-${n}
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: ${nodeType}, kubernetes.io/hostname: ${nodeType}-${n}, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "640", memory: 2560Gi, pods: "${Math.ceil((pods * 1.2) / NODES)}"}
  capacity: {cpu: "640", memory: 2560Gi, pods: "${Math.ceil((pods * 1.2) / NODES)}"}
  phase: Running`);
  }
  for (let w = 0; w < workloads; w++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: operator-${String(w).padStart(workloads > 100 ? 3 : 2, '0')}, namespace: ${namespace}}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: operator, shard: "${w}"}}
  template:
    metadata: {labels: {app: operator, shard: "${w}"}}
    spec:
      nodeSelector: {type: ${nodeType}}
      containers:
        - name: ${FLEET.container}
          image: ghcr.io/example/operator:v1.2.3
          resources: {requests: {cpu: 10m, memory: 64Mi}, limits: {memory: 2Gi}}`);
  }
  return docs.join('\n---\n');
}

async function runningPods(env: E2eEnv, namespace: string): Promise<string[]> {
  const out = await kubectl(
    [
      'get',
      'pods',
      '-n',
      namespace,
      '-l',
      'app=operator',
      '--field-selector=status.phase=Running',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ],
    { env, timeoutMs: 300_000 },
  );
  return out.split(/\s+/).filter(Boolean).sort();
}

async function fleetUp(env: E2eEnv, fleet: KwokFleet): Promise<string[]> {
  const started = performance.now();
  await kubectl(['apply', '-f', '-'], { env, input: manifests(fleet), timeoutMs: 300_000 });
  // 10,000 pods are made by the controller-manager at its API rate: allow a minute per 250.
  const patienceMs = Math.max(600_000, (fleet.pods / 250) * 60_000);
  for (;;) {
    const pods = await runningPods(env, fleet.namespace);
    if (pods.length >= fleet.pods) {
      console.log(
        `  fleet: ${pods.length} Running pods of ${fleet.workloads} Deployments in ${fleet.namespace} on ${NODES} kwok nodes (ready after ${ms(performance.now() - started)})`,
      );
      return pods.slice(0, fleet.pods);
    }
    if (performance.now() - started > patienceMs)
      throw new Error(`only ${pods.length} of ${fleet.pods} pods Running after ${ms(patienceMs)}`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

const totalCalls = (r: RunChildResult) => Object.values(r.apiCalls).reduce((a, b) => a + b, 0);

/** `list pods 4, get deployments 20, …`: the requests of one run. */
function callsText(run: RunChildResult): string {
  return Object.entries(run.apiCalls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([call, n]) => `${call} ${n}`)
    .join(', ');
}

/** The requests of the run in the middle (by median total). */
function apiCallsText(runs: RunChildResult[]): { text: string; total: number } {
  const middle = [...runs].sort((a, b) => totalCalls(a) - totalCalls(b))[Math.floor(runs.length / 2)]!;
  return { text: callsText(middle), total: totalCalls(middle) };
}

export async function kwokSection(
  repeat: number,
  size = 1000,
  options: { baseline?: Variant | undefined; timeline?: boolean } = {},
): Promise<Row[]> {
  const { baseline } = options;
  if (!existsSync(defaultEnvFile())) {
    console.log('  skipped: no e2e cluster is running (npm run cluster:up, then npm run bench again)');
    return [];
  }
  const env = loadE2eEnv();
  const fleet = fleetOf(size);
  const { namespace } = fleet;
  const pods = await fleetUp(env, fleet);
  // 10,000 pods at 60 s would take promtool a quarter of an hour: one sample a step (the run's 5 min) instead.
  const scrapeSeconds = size > 1000 ? 300 : SCRAPE_SECONDS;
  const end = Math.floor(Date.now() / 1000 / scrapeSeconds) * scrapeSeconds - scrapeSeconds;
  const started = performance.now();
  const prometheus = await startPrometheus({
    openMetrics: openMetricsChunks(METRIC, fleetSeries(size, end, HISTORY_HOURS, scrapeSeconds, pods, namespace)),
  });
  console.log(
    `  history: ${size} pods x ${HISTORY_HOURS} h at ${scrapeSeconds} s, backfilled in ${ms(performance.now() - started)}; the runs judge at its end`,
  );
  try {
    await bundleChild();
    const runs: RunChildResult[] = [];
    const before: RunChildResult[] = [];
    for (let i = 0; i < repeat; i++) {
      // Judged at the history's end, however long the backfill took (Prometheus' own clock has moved on).
      const args = ['--cluster', 'kube', '--namespace', namespace, '--now', String(end + 60)];
      const extra = { args, env: { KUBECONFIG: env.kubeconfig } };
      if (baseline) before.push(await runChild(prometheus.url, baseline, size, 0, extra));
      const timeline = options.timeline ? ['--timeline'] : [];
      runs.push(await runChild(prometheus.url, BATCHED, size, 0, { ...extra, args: [...args, ...timeline] }));
    }
    if (baseline) printVariant({ ...baseline, name: `kwok fleet, ${baseline.name}` }, before);
    const marks = runs.at(-1)!.timeline;
    if (marks) {
      console.log('  timeline of the last run (wall since it began, CPU of this process and of Prometheus):');
      for (const line of timelineLines(marks)) console.log(`    ${line}`);
    }
    console.log(
      `  each run: the CLI's wiring against the real kube-apiserver (admin kubeconfig), dry-run, lock in ${namespace}`,
    );
    printVariant({ ...BATCHED, name: 'kwok fleet (as shipped)' }, runs);
    const calls = Object.keys(runs[0]!.clusterMs).map(
      (k) => `${k} ${ms(median(runs.map((r) => r.clusterMs[k] ?? 0)))}`,
    );
    console.log(`  ${''.padEnd(36)} time in API calls (median): ${calls.join(', ')}`);
    const api = apiCallsText(runs);
    console.log(`  ${''.padEnd(36)} requests to the API server (${api.total}): ${api.text}`);
    // The first run tells the fleet's decisions; the runs after it repeat them (Events only for what changed).
    console.log(
      `  ${''.padEnd(36)} requests per run, in order: ${runs.map(totalCalls).join(', ')}; the first: ${callsText(runs[0]!)}`,
    );
    console.log(
      `  ${''.padEnd(36)} peak RSS after discovery ${mb(Math.max(...runs.map((r) => r.clusterRss['discoverTargets'] ?? 0)))}`,
    );
    const wall = median(runs.map((r) => r.wallMs));
    const rss = Math.max(...runs.map((r) => r.maxRssBytes));
    const failures = runs.flatMap((r) => r.failures);
    const label = `kwok: run over ${size} pods (${fleet.workloads} Deployments)`;
    const rssTarget = size <= 1000 ? 120e6 : 200e6;
    return [
      {
        figure: `${label}, wall`,
        measured: ms(wall),
        target: size <= 1000 ? '<= 2 s' : 'report',
        ok: size <= 1000 ? wall <= 2000 && failures.length === 0 : failures.length === 0 ? null : false,
      },
      {
        figure: `${label}: requests to the API server`,
        measured: `${api.total} (${api.text})`,
        target: 'grow with workloads, not pods',
        ok: null,
      },
      {
        figure: `${label}: range queries (window${size > 1000 ? ' shards' : ''} + workload history)`,
        measured: String(runs.at(-1)!.rangeQueries),
        target: size <= 1000 ? '<= 2' : 'report',
        ok: size <= 1000 ? runs.every((r) => r.rangeQueries <= 2) : null,
      },
      {
        figure: `${label}: peak RSS of the run process`,
        measured: mb(rss),
        target: `<= ${mb(rssTarget)}`,
        ok: rss <= rssTarget,
      },
    ];
  } finally {
    await prometheus.stop();
  }
}
