/**
 * Section 5 of `npm run bench`: one `leakguard run` over 1,000 kwok pods on the real control plane
 * (the e2e cluster: `npm run cluster:up`), their history backfilled into a real Prometheus under the
 * pods' real names. Discovery, state reads, the lock and the dry-run Events all go to the real
 * kube-apiserver; only the memory history is synthetic. Skipped (and said so) when no cluster runs.
 *
 * The fleet: `WORKLOADS` Deployments of `1000 / WORKLOADS` replicas in one namespace and one profile,
 * on fake nodes of their own (the harness' three nodes hold 110 pods each). It is kept between runs
 * (creating it takes a minute or two) and removed by `npm run cluster:down`.
 */
import { existsSync } from 'node:fs';
import { defaultEnvFile, kubectl, loadE2eEnv, type E2eEnv } from '../test/e2e/support/index.js';
import { METRIC, toOpenMetrics } from '../test/support/memory-history.js';
import { startPrometheus } from '../test/support/prometheus.js';
import { FLEET, fleetHistory } from './fleet.js';
import { BATCHED, HISTORY_HOURS, SCRAPE_SECONDS, bundleChild, printVariant, runChild } from './fleet-section.js';
import { mb, median, ms, type Row } from './report.js';
import type { RunChildResult } from './run-child.js';

const NAMESPACE = 'bench-kwok';
const PODS = 1000;
const WORKLOADS = 20;
const NODES = 5;

function manifests(): string {
  const docs: string[] = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NAMESPACE}}`];
  for (let n = 0; n < NODES; n++) {
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: kwok-bench-${n}
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels: {type: kwok-bench, kubernetes.io/hostname: kwok-bench-${n}, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "${Math.ceil((PODS * 1.2) / NODES)}"}
  capacity: {cpu: "64", memory: 256Gi, pods: "${Math.ceil((PODS * 1.2) / NODES)}"}
  phase: Running`);
  }
  for (let w = 0; w < WORKLOADS; w++) {
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: operator-${String(w).padStart(2, '0')}, namespace: ${NAMESPACE}}
spec:
  replicas: ${PODS / WORKLOADS}
  selector: {matchLabels: {app: operator, shard: "${w}"}}
  template:
    metadata: {labels: {app: operator, shard: "${w}"}}
    spec:
      nodeSelector: {type: kwok-bench}
      containers:
        - name: ${FLEET.container}
          image: ghcr.io/example/operator:v1.2.3
          resources: {requests: {cpu: 10m, memory: 64Mi}, limits: {memory: 2Gi}}`);
  }
  return docs.join('\n---\n');
}

async function runningPods(env: E2eEnv): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-n', NAMESPACE, '-l', 'app=operator', '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].metadata.name}'], { env, timeoutMs: 120_000 });
  return out.split(/\s+/).filter(Boolean).sort();
}

async function fleetUp(env: E2eEnv): Promise<string[]> {
  const started = performance.now();
  await kubectl(['apply', '-f', '-'], { env, input: manifests(), timeoutMs: 120_000 });
  for (;;) {
    const pods = await runningPods(env);
    if (pods.length >= PODS) {
      console.log(`  fleet: ${pods.length} Running pods of ${WORKLOADS} Deployments in ${NAMESPACE} on ${NODES} kwok nodes (ready after ${ms(performance.now() - started)})`);
      return pods.slice(0, PODS);
    }
    if (performance.now() - started > 600_000) throw new Error(`only ${pods.length} of ${PODS} pods Running after 10 min`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

export async function kwokSection(repeat: number): Promise<Row[]> {
  if (!existsSync(defaultEnvFile())) {
    console.log('  skipped: no e2e cluster is running (npm run cluster:up, then npm run bench again)');
    return [];
  }
  const env = loadE2eEnv();
  const pods = await fleetUp(env);
  const end = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS - SCRAPE_SECONDS;
  const series = fleetHistory(PODS, end, HISTORY_HOURS, SCRAPE_SECONDS, pods, NAMESPACE);
  const prometheus = await startPrometheus({ openMetrics: toOpenMetrics(METRIC, series) });
  try {
    await bundleChild();
    const runs: RunChildResult[] = [];
    for (let i = 0; i < repeat; i++) {
      runs.push(await runChild(prometheus.url, BATCHED, PODS, 0, { args: ['--cluster', 'kube', '--namespace', NAMESPACE], env: { KUBECONFIG: env.kubeconfig } }));
    }
    console.log(`  each run: the CLI's wiring against the real kube-apiserver (admin kubeconfig), dry-run, lock in ${NAMESPACE}`);
    printVariant({ ...BATCHED, name: 'kwok fleet (as shipped)' }, runs);
    const calls = Object.keys(runs[0]!.clusterMs).map((k) => `${k} ${ms(median(runs.map((r) => r.clusterMs[k] ?? 0)))}`);
    console.log(`  ${''.padEnd(36)} time in API calls (median): ${calls.join(', ')}`);
    console.log(`  ${''.padEnd(36)} peak RSS after discovery ${mb(Math.max(...runs.map((r) => r.clusterRss['discoverTargets'] ?? 0)))}`);
    const wall = median(runs.map((r) => r.wallMs));
    const rss = Math.max(...runs.map((r) => r.maxRssBytes));
    const failures = runs.flatMap((r) => r.failures);
    return [
      { figure: `kwok: run over ${PODS} pods (${WORKLOADS} Deployments), wall`, measured: ms(wall), target: '<= 2 s', ok: wall <= 2000 && failures.length === 0 },
      { figure: 'kwok: range queries per profile (window + workload history)', measured: String(runs.at(-1)!.rangeQueries), target: '<= 2', ok: runs.every((r) => r.rangeQueries <= 2) },
      { figure: 'kwok: peak RSS of the run process', measured: mb(rss), target: '<= 120 MB', ok: rss <= 120e6 },
    ];
  } finally {
    await prometheus.stop();
  }
}
