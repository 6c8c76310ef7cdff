/**
 * The heap profile before a restart, for real: two operators on the real node leak (the leaker imported
 * as rook/ceph:v1.14.9), both in profiles with `diagnostics.heapProfile`. One serves net/http/pprof
 * (`-pprof`), the other does not listen on the port. One leakguard run (the bundled CLI, as
 * `kubectl leakguard run` from a laptop, with a token of the ServiceAccount bound to exactly the Roles
 * the chart renders for these values) restarts both: the first gets a HeapProfileCaptured Event naming
 * the leak's function as the top in-use site (≥ 50 %) before its restart, with a command that really
 * opens the kept profile with `go tool pprof`; the second gets a HeapProfileFailed Warning saying why,
 * and its restart happens all the same, within the run's deadline.
 * Both share one wait for history (about 3 minutes: the detector's minHistory scaled to minutes).
 *
 * The operators run without hostNetwork, on the real node's pod network (test/e2e/cluster/real-node.sh:
 * a bridge with a private range that reaches nothing beyond this machine): the API server proxies to a
 * pod's IP and refuses loopback ones, so a hostNetwork pod on a node at 127.0.0.1 cannot be profiled.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventsV1Event, EventsV1EventList, V1Pod, V1PodList } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { chartDir, helm, kubeVersion } from '../chart/helm.js';
import {
  kubeConfigForToken,
  kubectl,
  kubectlJson,
  loadE2eEnv,
  runLeakguard,
  scrapedSamples,
  tokenFor,
  waitFor,
  type E2eEnv,
} from './support/index.js';
import { realNodeDetection } from './support/real-node.js';

const run = promisify(execFile);
const env: E2eEnv = loadE2eEnv();
const realNode = env.realNode;
const taint = 'leakguard.test/real-node';
const operator = 'rook-ceph-operator';
const suffix = Date.now().toString(36).slice(-5);
const releaseNs = `lg-heap-rel-${suffix}`;
const release = `lgh${suffix}`;
const serviceAccount = `${release}-leakguard`;
/** Scraped history a run needs to call the leak (minHistory, warm-up, a step), with a scrape of margin. */
const historySeconds = 180;
const deadlineSeconds = 60;

/** Each pod has a network namespace of its own: both use the port, only one serves on it. */
const pprofPort = 6060;

interface Case {
  name: 'answers' | 'silent';
  ns: string;
}

const cases: Case[] = [
  { name: 'answers', ns: `lg-heap-on-${suffix}` },
  { name: 'silent', ns: `lg-heap-off-${suffix}` },
];
const [answers, silent] = cases as [Case, Case];

/** The leaker as an operator: 8 MiB held from the start, ~1.8 GiB/h of leak in leakWatchEventsForNodeFailure. */
function operatorManifests(c: Case): string {
  const pprof = c.name === 'answers' ? ['-pprof', `:${pprofPort}`] : [];
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: c.ns } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: operator, namespace: c.ns },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: operator } },
        template: {
          metadata: { labels: { app: operator } },
          spec: {
            // The pod network, not the host's: the API server proxies only to a pod IP that is not loopback.
            dnsPolicy: 'Default',
            automountServiceAccountToken: false,
            nodeSelector: { [taint]: 'true' },
            tolerations: [{ key: taint, operator: 'Exists', effect: 'NoSchedule' }],
            containers: [
              {
                name: operator,
                image: 'rook/ceph:v1.14.9',
                imagePullPolicy: 'Never',
                args: ['-initial', '8Mi', '-rate', '512Ki', '-every', '1s', '-max', '300Mi', ...pprof],
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '512Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
  return docs.map((d) => stringify(d)).join('---\n');
}

function profiles() {
  return cases.map((c) => ({
    name: c.name,
    namespace: c.ns,
    selector: `app=${operator}`,
    container: operator,
    ladder: ['restart'],
    diagnostics: { heapProfile: { port: pprofPort, timeout: '5s' } },
  }));
}

/** The chart's RBAC for these profiles (acting), as `helm template` renders it: only what it grants is used. */
async function chartRbac(work: string): Promise<string> {
  const values = join(work, 'values.yaml');
  writeFileSync(
    values,
    stringify({
      config: { dryRun: false, prometheus: { url: env.prometheusUrl }, profiles: profiles() },
      rbac: { workloads: Object.fromEntries(cases.map((c) => [c.name, { deployments: [operator] }])) },
    }),
  );
  const args = ['template', release, chartDir, '-n', releaseNs, '--kube-version', kubeVersion, '-f', values];
  const rendered = await helm(args);
  if (rendered.code !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  const kinds = new Set(['ServiceAccount', 'Role', 'RoleBinding']);
  return parseAllDocuments(rendered.stdout)
    .map((d) => d.toJS() as { kind?: string } | null)
    .filter((d): d is { kind: string } => !!d?.kind && kinds.has(d.kind))
    .map((d) => stringify(d))
    .join('---\n');
}

function configFile(work: string): string {
  const file = join(work, 'config.yaml');
  writeFileSync(
    file,
    stringify({
      dryRun: false,
      controller: 'none',
      prometheus: { url: env.prometheusUrl, step: '15s', timeout: '10s' },
      detection: realNodeDetection,
      guardrails: { cooldown: '1h', maxActionsPerRun: 2, maxRestartsPerDay: 3 },
      // The chart's lock: named like the release.
      lock: { namespace: releaseNs, name: serviceAccount, duration: '2m' },
      deadline: `${deadlineSeconds}s`,
      profiles: profiles(),
    }),
  );
  return file;
}

async function leakguardEvents(ns: string): Promise<EventsV1Event[]> {
  const events = await kubectlJson<EventsV1EventList>(['get', 'events.v1.events.k8s.io', '-n', ns], { env });
  return events.items.filter((e) => e.reportingController === 'leakguard');
}

async function runningPods(ns: string): Promise<V1Pod[]> {
  const pods = await kubectlJson<V1PodList>(['get', 'pods', '-n', ns, '-l', `app=${operator}`], { env });
  return pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
}

async function operatorPods(ns: string): Promise<string[]> {
  return (await runningPods(ns)).map((p) => p.metadata?.uid ?? '');
}

describe.skipIf(realNode === undefined)('the heap profile before a restart, on the real node', () => {
  let work = '';
  let kubeconfig = '';
  const before = new Map<string, string[]>();
  let result: { code: number; stdout: string; stderr: string; seconds: number };
  let podIps: string[] = [];

  beforeAll(
    async () => {
      work = mkdtempSync(join(tmpdir(), 'leakguard-heap-e2e-'));
      await kubectl(['create', 'namespace', releaseNs], { env });
      for (const c of cases) await kubectl(['apply', '-f', '-'], { env, input: operatorManifests(c) });
      await kubectl(['apply', '-f', '-'], { env, input: await chartRbac(work) });
      for (const c of cases) {
        const rollout = ['rollout', 'status', `deployment/${operator}`, '-n', c.ns, '--timeout=120s'];
        await kubectl(rollout, { env, timeoutMs: 130_000 });
      }
      for (const c of cases) before.set(c.ns, await operatorPods(c.ns));
      podIps = (await Promise.all(cases.map((c) => runningPods(c.ns)))).flat().map((p) => p.status?.podIP ?? '');
      // One wait for both: the history the detector needs of each pod.
      await waitFor(
        `${historySeconds} s of scraped history of both operators`,
        async () => {
          for (const c of cases) {
            const selector = `container_memory_working_set_bytes{namespace="${c.ns}",container="${operator}"}`;
            const series = await scrapedSamples(selector, 1800, env);
            const samples = series.flatMap((s) => s.samples);
            if (samples.length < 2 || samples.at(-1)!.t - samples[0]!.t < historySeconds) return undefined;
          }
          return true;
        },
        { timeoutMs: (historySeconds + 240) * 1000, intervalMs: 5_000 },
      );
      const token = await tokenFor(releaseNs, serviceAccount, { env });
      kubeconfig = join(work, 'kubeconfig');
      writeFileSync(kubeconfig, kubeConfigForToken(token, env).exportConfig());
      const started = performance.now();
      const cli = await runLeakguard(['run', '--config', configFile(work), '--output', 'json'], {
        PATH: process.env.PATH,
        KUBECONFIG: kubeconfig,
        POD_NAME: `heap-e2e-${suffix}`,
        POD_NAMESPACE: releaseNs,
        LEAKGUARD_LOG_LEVEL: 'warn',
      });
      result = { ...cli, seconds: (performance.now() - started) / 1000 };
    },
    (historySeconds + 600) * 1000,
  );

  afterAll(async () => {
    const namespaces = [releaseNs, ...cases.map((c) => c.ns)];
    await kubectl(['delete', 'namespace', '--wait=false', '--ignore-not-found', ...namespaces], { env });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs the operators on the real node’s pod network, each at an address of its own', () => {
    expect(podIps).toHaveLength(2);
    for (const ip of podIps) expect(ip).toMatch(/^10\.244\.0\.\d+$/); // the bridge's range in real-node.sh
    expect(new Set(podIps).size).toBe(2);
  });

  it('restarts both leaking operators within the run deadline', async () => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.seconds).toBeLessThan(deadlineSeconds);
    const summary = JSON.parse(result.stdout) as { actions: { kind: string; outcome: string; workload: string }[] };
    const done = summary.actions.map((a) => `${a.workload} ${a.kind} ${a.outcome}`).sort();
    expect(done).toEqual(cases.map((c) => `Deployment/${c.ns}/${operator} restart restarted`).sort());
    for (const c of cases) {
      await waitFor(
        `a new operator pod in ${c.ns}`,
        async () => {
          const now = await operatorPods(c.ns);
          return now.length === 1 && !before.get(c.ns)!.includes(now[0]!) ? true : undefined;
        },
        { timeoutMs: 120_000 },
      );
    }
  });

  it('names the leak’s function as the top in-use site before the restart, and a command that opens it', async () => {
    const events = await leakguardEvents(answers.ns);
    const captured = events.find((e) => e.reason === 'HeapProfileCaptured');
    expect(captured, JSON.stringify(events.map((e) => [e.reason, e.note]))).toBeDefined();
    const restarted = events.find((e) => e.reason === 'PodRestarted')!;
    const at = (e: EventsV1Event) => new Date(String(e.eventTime)).getTime();
    expect(at(captured!)).toBeLessThanOrEqual(at(restarted));
    const note = captured!.note ?? '';
    console.log(`[real-node-heap] HeapProfileCaptured: ${note}`);
    const top = /1\. main\.leakWatchEventsForNodeFailure \(\S*main\.go:\d+\) (\d+)%/.exec(note);
    expect(top, note).not.toBeNull();
    expect(Number(top![1])).toBeGreaterThanOrEqual(50);
    const command = /Open it: (kubectl .* && go tool pprof -top \S+)$/.exec(note)?.[1];
    expect(command, note).toBeDefined();
    // Exactly as printed, in a shell, with the admin's kubectl.
    const shellEnv = { ...process.env, PATH: `${env.binDir}:${process.env.PATH}`, KUBECONFIG: env.kubeconfig };
    const opened = await run('sh', ['-c', command!], { cwd: work, env: shellEnv, timeout: 120_000 });
    expect(opened.stdout).toMatch(/flat%[\s\S]*main\.leakWatchEventsForNodeFailure/);
  });

  it('says why there is no profile when the port does not answer, and the restart still happened', async () => {
    const events = await leakguardEvents(silent.ns);
    const failed = events.find((e) => e.reason === 'HeapProfileFailed');
    expect(failed, JSON.stringify(events.map((e) => [e.reason, e.note]))).toMatchObject({ type: 'Warning' });
    console.log(`[real-node-heap] HeapProfileFailed: ${failed!.note ?? ''}`);
    const why = `port ${pprofPort} path /debug/pprof/heap did not answer through the pod proxy \\(.+\\)`;
    const pod = `${operator}-\\S+`;
    const after = 'The restart went ahead without it\\.';
    expect(failed!.note).toMatch(new RegExp(`^No heap profile of pod ${pod} before the restart: ${why}\\. ${after}$`));
    expect(events.map((e) => e.reason)).toContain('PodRestarted');
  });
});
