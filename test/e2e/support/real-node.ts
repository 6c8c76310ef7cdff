/**
 * The real-node scenarios' shared scaffolding: Rook's operator shape running the leaker on the real
 * node, the chart installed acting beside it, its runs (Jobs from the CronJob) read back from their
 * pods' logs, and the operator's history read back from Prometheus.
 */
import { join } from 'node:path';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { chartDir, helm } from '../../chart/helm.js';
import type { Loose } from '../../chart/inspect.js';
import type { WorkloadState } from '../../../src/model/state.js';
import { adminKubeConfig } from './auth.js';
import { loadE2eEnv, repoRoot, type E2eEnv } from './env.js';
import { kubectl, kubectlJson } from './kubectl.js';
import { scrapedSamples } from './prom.js';
import { waitFor } from './wait.js';

export const operator = 'rook-ceph-operator';
const taint = 'leakguard.test/real-node';
export const onRealNode = {
  nodeSelector: { [taint]: 'true' },
  tolerations: [{ key: taint, operator: 'Exists', effect: 'NoSchedule' }],
};

let loaded: E2eEnv | undefined;
function e2e(): E2eEnv {
  loaded ??= loadE2eEnv();
  return loaded;
}

/** The API server as pods on the real node reach it (no kube-proxy there). */
export function apiServer(): URL {
  return new URL(adminKubeConfig(e2e()).getCurrentCluster()?.server ?? 'https://127.0.0.1');
}

/** A chart release (in `releaseNs`) watching Rook's operator (in `targetNs`). */
/** Detection scaled to minutes of 15 s scrapes: what every real-node scenario's leakguard config judges with. */
export const realNodeDetection = {
  window: '30m',
  minHistory: '90s',
  maxGap: '2m',
  maxStaleness: '2m',
  minCoverage: 0.5,
  floorBucket: '15s',
  warmup: '30s',
  sustained: '10m',
};

export interface Installed {
  releaseNs: string;
  targetNs: string;
  release: string;
  fullname: string;
}

/**
 * Rook's operator shape, running the leaker as `image`: ~450 MiB/h from 32 MiB, limit 512 MiB, reading
 * its ConfigMap (which holds `ROOK_LOG_LEVEL: INFO`).
 */
export function operatorManifests(ns: string, image = 'rook/ceph:v1.14.9'): string {
  const server = apiServer();
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'rook-ceph-system', namespace: ns } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'rook-ceph-operator-config', namespace: ns },
      data: { ROOK_LOG_LEVEL: 'INFO' },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'rook-ceph-system', namespace: ns },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['rook-ceph-operator-config'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rook-ceph-system', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rook-ceph-system' },
      subjects: [{ kind: 'ServiceAccount', name: 'rook-ceph-system', namespace: ns }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: operator, namespace: ns, labels: { operator: 'rook' } },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: operator } },
        template: {
          metadata: { labels: { app: operator } },
          spec: {
            serviceAccountName: 'rook-ceph-system',
            hostNetwork: true,
            ...onRealNode,
            containers: [
              {
                name: operator,
                image,
                imagePullPolicy: 'Never',
                args: ['-initial', '32Mi', '-rate', '128Ki', '-every', '1s', '-max', '400Mi', '-recheck', '10s'],
                env: [
                  { name: 'KUBERNETES_SERVICE_HOST', value: server.hostname },
                  { name: 'KUBERNETES_SERVICE_PORT', value: server.port },
                ],
                resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

/**
 * The chart's values every real-node scenario shares: the project's image on the real node, the API
 * server as a user without kube-proxy writes it, the CronJob suspended (the tests fire its Jobs), and
 * detection scaled to minutes — one point per 15 s scrape; a leak of 450 MiB/h is called after ~135 s
 * of history (minHistory 90 s after the 30 s warm-up; the slowest seen: 147 s).
 */
export function realNodeValues(config: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const server = apiServer();
  return stringify({
    schedule: '*/1 * * * *',
    image: { repository: 'leakguard.local/leakguard', tag: 'e2e', pullPolicy: 'Never' },
    k8sServiceHost: server.hostname,
    k8sServicePort: Number(server.port),
    cronJob: { suspend: true, activeDeadlineSeconds: 55, startingDeadlineSeconds: 30 },
    ...onRealNode,
    ...extra,
    config: {
      dryRun: false,
      prometheus: { url: e2e().prometheusUrl, step: '15s', timeout: '10s' },
      detection: realNodeDetection,
      deadline: '40s',
      ...config,
    },
  });
}

/** helm with its homes under `work`, against the e2e cluster. */
export async function helmIn(work: string, args: string[]): Promise<string> {
  const home = (dir: string) => join(work, 'helm', dir);
  const result = await helm([...args, '--kubeconfig', e2e().kubeconfig], {
    HELM_CACHE_HOME: home('cache'),
    HELM_CONFIG_HOME: home('config'),
    HELM_DATA_HOME: home('data'),
  });
  if (result.code !== 0) throw new Error(`helm ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** Installs the chart with its pods on the host network (the real node has no pod network). */
export async function installChart(work: string, c: Installed, valuesFile: string): Promise<void> {
  await helmIn(work, [
    'install',
    c.release,
    chartDir,
    '--namespace',
    c.releaseNs,
    '--values',
    valuesFile,
    '--post-renderer',
    join(repoRoot, 'test/e2e/support/host-network-post-renderer.mjs'),
  ]);
}

/** The one Running, not-terminating operator pod, other than the ones in `not`. */
export async function runningOperator(c: Installed, not: V1Pod[] = []): Promise<V1Pod> {
  const uids = new Set(not.map((p) => p.metadata?.uid));
  return waitFor(
    `a new Running operator pod in ${c.targetNs}`,
    async () => {
      const pods = await kubectlJson<V1PodList>(['get', 'pods', '-n', c.targetNs, '-l', `app=${operator}`], {
        env: e2e(),
      });
      const live = pods.items.filter(
        (p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && !uids.has(p.metadata?.uid),
      );
      return live.length === 1 ? live[0] : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
}

/** Scraped working-set samples of one operator pod over the last `windowSeconds`. */
export async function workingSet(c: Installed, pod: V1Pod, windowSeconds = 1800): Promise<{ t: number; v: number }[]> {
  const selector = `container_memory_working_set_bytes{namespace="${c.targetNs}",pod="${pod.metadata?.name}",container="${operator}"}`;
  const series = await scrapedSamples(selector, windowSeconds, e2e());
  return series.flatMap((s) => s.samples);
}

/** Waits until Prometheus holds `seconds` of the pod's history (the detector's minHistory plus margin). */
export async function historyOf(c: Installed, pod: V1Pod, seconds: number): Promise<void> {
  await waitFor(
    `${seconds} s of scraped history of ${c.targetNs}/${pod.metadata?.name}`,
    async () => {
      const samples = await workingSet(c, pod);
      return samples.length > 1 && samples.at(-1)!.t - samples[0]!.t >= seconds ? true : undefined;
    },
    { timeoutMs: (seconds + 240) * 1000, intervalMs: 5_000 },
  );
}

/** Least-squares slope of the samples (bytes a second): steadier than two endpoints over a few minutes. */
export function slopePerSecond(samples: { t: number; v: number }[]): number {
  const n = samples.length;
  const meanT = samples.reduce((a, x) => a + x.t, 0) / n;
  const meanV = samples.reduce((a, x) => a + x.v, 0) / n;
  const cov = samples.reduce((a, x) => a + (x.t - meanT) * (x.v - meanV), 0);
  const varT = samples.reduce((a, x) => a + (x.t - meanT) ** 2, 0);
  return cov / varT;
}

/** leakguard's state annotation on the operator's Deployment. */
export async function stateOf(c: Installed): Promise<Partial<WorkloadState>> {
  const deployment = await kubectlJson<Loose>(['get', 'deployment', operator, '-n', c.targetNs], { env: e2e() });
  return JSON.parse(
    (deployment.metadata.annotations as Record<string, string>)['leakguard.io/state'] ?? '{}',
  ) as Partial<WorkloadState>;
}

/** When leakguard's last action on the operator took effect (its state annotation, unix seconds). */
export async function lastActionAt(c: Installed): Promise<number> {
  const { lastActionAt } = await stateOf(c);
  if (typeof lastActionAt !== 'number') throw new Error(`no lastActionAt in the state of ${c.targetNs}/${operator}`);
  return lastActionAt;
}

export interface Job {
  metadata: { name: string; uid: string; ownerReferences?: { kind: string; name: string }[] };
  status?: { succeeded?: number; failed?: number; active?: number };
}

export async function jobsOf(c: Installed): Promise<Job[]> {
  return (await kubectlJson<{ items: Job[] }>(['get', 'jobs', '-n', c.releaseNs], { env: e2e() })).items;
}

/** Waits for the Job to finish; a failed Job throws with its log. */
export async function finished(c: Installed, name: string): Promise<Job> {
  const job = await waitFor(
    `Job ${c.releaseNs}/${name} to finish`,
    async () => {
      const j = (await jobsOf(c)).find((x) => x.metadata.name === name);
      return j && ((j.status?.succeeded ?? 0) > 0 || (j.status?.failed ?? 0) > 0) ? j : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  if ((job.status?.succeeded ?? 0) !== 1)
    throw new Error(
      `Job ${name} failed:\n${await kubectl(['logs', `job/${name}`, '-n', c.releaseNs], { env: e2e() }).catch((e: Error) => e.message)}`,
    );
  return job;
}

/** The Job's pod and the run summary its `leakguard run` printed (JSON on stdout, read from the pod's log). */
export async function runOf(c: Installed, job: string): Promise<{ pod: V1Pod; log: string; summary: Loose }> {
  const pods = await kubectlJson<V1PodList>(['get', 'pods', '-n', c.releaseNs, '-l', `job-name=${job}`], {
    env: e2e(),
  });
  if (pods.items.length !== 1) throw new Error(`expected one pod of Job ${job}, found ${pods.items.length}`);
  const pod = pods.items[0]!;
  const log = await kubectl(['logs', pod.metadata!.name!, '-n', c.releaseNs], { env: e2e() });
  const summary = log
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Loose)
    .find((o) => Array.isArray(o.actions) && Array.isArray(o.targets));
  if (!summary) throw new Error(`no run summary in the log of ${pod.metadata?.name}:\n${log}`);
  return { pod, log, summary };
}

/** leakguard's Events in the operator's namespace, oldest first. */
export async function leakguardEvents(c: Installed): Promise<Loose[]> {
  const events = await kubectlJson<{ items: Loose[] }>(['get', 'events.events.k8s.io', '-n', c.targetNs], {
    env: e2e(),
  });
  return (events.items as Loose[])
    .filter((e) => e.reportingController === 'leakguard' && e.reason !== undefined)
    .sort((a, b) =>
      String(a.eventTime ?? a.metadata.creationTimestamp).localeCompare(
        String(b.eventTime ?? b.metadata.creationTimestamp),
      ),
    );
}

export async function eventReasons(c: Installed): Promise<string[]> {
  const events = await kubectlJson<{ items: Loose[] }>(['get', 'events.events.k8s.io', '-n', c.targetNs], {
    env: e2e(),
  });
  return (events.items as Loose[])
    .filter((e) => e.reportingController !== 'kubelet' && e.reason !== undefined)
    .map((e) => e.reason as string);
}
