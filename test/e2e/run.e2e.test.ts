/**
 * `leakguard run` end to end: the bundled CLI, authenticated as leakguard's ServiceAccount (TokenRequest,
 * so the shipped RBAC is what it has), against the real control plane and the real Prometheus scraping
 * kwok's emulated cAdvisor metrics. Each scenario has its own sandbox namespace with a copy of the Rook
 * fixture, so they are independent; the history of all of them is gathered once, up front.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventsV1EventList, V1Deployment, V1PodList, V1ReplicaSetList } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyWorkloadState, type WorkloadState } from '../../src/model/state.js';
import { applyLeakguardRbac, createSandbox, deleteSandboxes, type SandboxOptions } from './rbac/sandbox.js';
import {
  kubeConfigForToken,
  kubectl,
  kubectlJson,
  loadE2eEnv,
  promQueryRange,
  repoRoot,
  runLeakguard,
  tokenFor,
  waitFor,
} from './support/index.js';

const env = loadE2eEnv();
const suffix = Date.now().toString(36).slice(-5);
const operator = 'rook-ceph-operator';
const scenarios = [
  'restart',
  'cooldown',
  'escalate',
  'configmap',
  'flux',
  'dryrun',
  'evict',
  'twins',
  'killed',
] as const;
type Scenario = (typeof scenarios)[number];
const ns = Object.fromEntries(scenarios.map((s) => [s, `lg-run-${s}-${suffix}`])) as Record<Scenario, string>;
const workdir = mkdtempSync(join(tmpdir(), 'leakguard-run-e2e-'));
let kubeconfigFile = '';

const blockingPdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: rook-ceph-operator}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: rook-ceph-operator}}
`;

const sandboxOptions: Partial<Record<Scenario, SandboxOptions>> = {
  flux: {
    deploymentLabels: {
      'kustomize.toolkit.fluxcd.io/name': 'rook',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    },
  },
  evict: { extra: blockingPdb },
};

/** A stand-in for a leakguard Job's pod (kwok runs it on a fake node), so the lock sees its holder alive. */
const runnerPod = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app.kubernetes.io/name: leakguard}}
spec:
  containers: [{name: leakguard, image: leakguard:e2e}]
`;

interface ProfileOverrides {
  ladder?: string[];
  restartMode?: 'rollout' | 'evict';
  workaround?: Record<string, unknown>;
}

/** A config for one sandbox, with detection scaled to minutes (the fixture leaks 400 MiB/h). */
function writeConfig(namespace: string, options: { dryRun?: boolean; profile?: ProfileOverrides } = {}): string {
  const config = {
    dryRun: options.dryRun ?? false,
    // Runs from the host, as `kubectl leakguard run` would: no CronJob of ours holds a kill switch here.
    controller: 'none',
    prometheus: { url: env.prometheusUrl, step: '30s', timeout: '10s' },
    detection: {
      window: '30m',
      minHistory: '3m',
      maxGap: '2m',
      maxStaleness: '2m',
      minCoverage: 0.5,
      floorBucket: '30s',
      warmup: '30s',
      sustained: '10m',
    },
    guardrails: { cooldown: '1h', maxActionsPerRun: 2, maxRestartsPerDay: 3, escalateWithin: '24h' },
    lock: { namespace: 'leakguard', name: 'leakguard', duration: '3m' },
    deadline: '2m',
    profiles: [
      {
        name: 'rook',
        namespace,
        selector: 'app=rook-ceph-operator',
        container: 'rook-ceph-operator',
        knownIssues: ['rook-operator-leak-1.14'],
        ladder: options.profile?.ladder ?? ['restart', 'workaround'],
        restartMode: options.profile?.restartMode ?? 'rollout',
        workaround: options.profile?.workaround ?? { env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
      },
    ],
  };
  const file = join(workdir, `${namespace}-${Math.random().toString(36).slice(2, 7)}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  summary: {
    status: string;
    actions: { id: string; kind: string; outcome: string; dryRun: boolean }[];
    failures: string[];
    targets: { verdict: { kind: string } }[];
  };
}

const cliEnv = (identity: string) => ({
  PATH: process.env.PATH,
  KUBECONFIG: kubeconfigFile,
  POD_NAME: identity,
  POD_NAMESPACE: 'leakguard',
  LEAKGUARD_LOG_LEVEL: 'warn',
});

async function leakguard(config: string, identity: string, extra: string[] = [], command = 'run'): Promise<CliResult> {
  const { code, stdout, stderr } = await runLeakguard(
    [command, '--config', config, '--output', 'json', ...extra],
    cliEnv(identity),
    120_000,
  );
  let summary = { status: 'unparsable', actions: [], failures: [stdout, stderr], targets: [] } as CliResult['summary'];
  try {
    summary = JSON.parse(stdout) as CliResult['summary'];
  } catch {
    // left as unparsable: the assertions below show stdout and stderr
  }
  return { code, stdout, stderr, summary };
}

const deployment = (namespace: string) =>
  kubectlJson<V1Deployment>(['get', 'deployment', operator, '-n', namespace], { env });
const events = async (namespace: string) =>
  (await kubectlJson<EventsV1EventList>(['get', 'events.v1.events.k8s.io', '-n', namespace], { env })).items;
const reasons = async (namespace: string) =>
  (await events(namespace)).filter((e) => e.reportingController === 'leakguard').map((e) => e.reason);
const replicaSets = async (namespace: string) =>
  (await kubectlJson<V1ReplicaSetList>(['get', 'replicasets', '-n', namespace], { env })).items;
const templateEnv = async (namespace: string) =>
  Object.fromEntries(
    ((await deployment(namespace)).spec?.template.spec?.containers.find((c) => c.name === operator)?.env ?? []).map(
      (e) => [e.name, e.value],
    ),
  );

/** Pre-sets leakguard's durable state, as an earlier run would have left it. */
async function setState(namespace: string, state: Partial<WorkloadState>): Promise<void> {
  const value = JSON.stringify({ v: 1, ...emptyWorkloadState, ...state });
  await kubectl(['annotate', 'deployment', operator, '-n', namespace, `leakguard.io/state=${value}`, '--overwrite'], {
    env,
  });
}

async function readState(namespace: string): Promise<WorkloadState & { v: number }> {
  return JSON.parse(
    (await deployment(namespace)).metadata?.annotations?.['leakguard.io/state'] ?? '{}',
  ) as WorkloadState & { v: number };
}

/** Every object's resourceVersion in the namespace (Events excluded: they are the record). */
async function resourceVersions(namespace: string): Promise<Record<string, string>> {
  const list = await kubectlJson<{ items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }>(
    ['get', 'deployments,replicasets,pods,configmaps,serviceaccounts', '-n', namespace],
    { env },
  );
  return Object.fromEntries(list.items.map((i) => [`${i.kind}/${i.metadata.name}`, i.metadata.resourceVersion]));
}

beforeAll(async () => {
  await applyLeakguardRbac(env);
  await Promise.all(scenarios.map((s) => createSandbox(env, ns[s], sandboxOptions[s] ?? {})));
  const token = await tokenFor('leakguard', 'leakguard');
  kubeconfigFile = join(workdir, 'kubeconfig.json');
  writeFileSync(kubeconfigFile, kubeConfigForToken(token, env).exportConfig());
  // Enough scraped history in every sandbox to judge: minHistory (3m) after the warm-up (30s), with
  // margin, through the very query the run makes (the floor of each 30 s step).
  const query = `max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace=~"lg-run-.*-${suffix}", container="rook-ceph-operator"}[30s]))`;
  await waitFor(
    'five minutes of scraped history in every sandbox',
    async () => {
      const end = Math.floor(Date.now() / 1000);
      const series = await promQueryRange(query, { start: end - 1800, end, stepSeconds: 30 });
      const ready = series.filter((s) => s.samples.length > 0 && s.samples.at(-1)!.t - s.samples[0]!.t >= 300);
      return ready.length >= scenarios.length ? ready : undefined;
    },
    { timeoutMs: 720_000, intervalMs: 10_000 },
  );
}, 900_000);

afterAll(async () => {
  if (!process.env.LEAKGUARD_E2E_KEEP) await deleteSandboxes(env, Object.values(ns));
});

describe('leakguard run on the real control plane', () => {
  it('restarts the leaking Rook operator: LeakSuspected + PodRestarted on the Deployment, a new pod', async () => {
    const before = await kubectlJson<V1PodList>(['get', 'pods', '-n', ns.restart, '-l', 'app=rook-ceph-operator'], {
      env,
    });
    const result = await leakguard(writeConfig(ns.restart), 'job-restart');
    expect(result.summary.failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.summary.targets[0]!.verdict).toMatchObject({ kind: 'leaking' });
    expect(result.summary.actions).toEqual([
      expect.objectContaining({ kind: 'restart', outcome: 'restarted', dryRun: false }),
    ]);
    expect(await reasons(ns.restart)).toEqual(expect.arrayContaining(['LeakSuspected', 'PodRestarted']));
    // `kubectl events --for` tells the story.
    const story = await kubectl(['events', '--for', `deployment/${operator}`, '-n', ns.restart], { env });
    expect(story).toMatch(/LeakSuspected/);
    expect(story).toMatch(/PodRestarted/);
    expect(story).toMatch(/rook-operator-leak-1\.14/);
    const oldPod = before.items[0]!.metadata!.name!;
    await waitFor('a new operator pod', async () => {
      const pods = await kubectlJson<V1PodList>(['get', 'pods', '-n', ns.restart, '-l', 'app=rook-ceph-operator'], {
        env,
      });
      return pods.items.find((p) => p.metadata?.name !== oldPod && p.status?.phase === 'Running');
    });
    const state = await readState(ns.restart);
    expect(state).toMatchObject({ lastAction: 'restart', intent: null, actionCount: 1 });
    expect((await deployment(ns.restart)).spec?.template.metadata?.annotations?.['leakguard.io/restart-id']).toBe(
      result.summary.actions[0]!.id,
    );
  });

  it('inside the cooldown: RemediationSkipped, no restart (state survives between runs in annotations)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await setState(ns.cooldown, {
      incidentId: 'inc-earlier',
      incidentStart: now - 3600,
      lastAction: 'restart',
      lastActionId: 'restart-earlier',
      lastActionAt: now - 600,
      actionCount: 1,
      restartTimes: [now - 600],
      rung: 0,
    });
    const rsBefore = (await replicaSets(ns.cooldown)).length;
    const result = await leakguard(writeConfig(ns.cooldown), 'job-cooldown');
    expect(result.code).toBe(0);
    expect(result.summary.actions).toEqual([]);
    expect(await reasons(ns.cooldown)).toContain('RemediationSkipped');
    expect((await replicaSets(ns.cooldown)).length).toBe(rsBefore);
  });

  it('a leak that returns after a restart escalates to the workaround: env set, other env untouched', async () => {
    const now = Math.floor(Date.now() / 1000);
    const envBefore = await templateEnv(ns.escalate);
    await setState(ns.escalate, {
      incidentId: 'inc-earlier',
      incidentStart: now - 8 * 3600,
      lastAction: 'restart',
      lastActionId: 'restart-earlier',
      lastActionAt: now - 7 * 3600,
      actionCount: 1,
      restartTimes: [now - 7 * 3600],
      rung: 0,
    });
    const result = await leakguard(writeConfig(ns.escalate), 'job-escalate');
    expect(result.summary.failures).toEqual([]);
    expect(result.summary.actions).toEqual([
      expect.objectContaining({ kind: 'workaround', outcome: 'workaround-applied' }),
    ]);
    expect(await templateEnv(ns.escalate)).toEqual({ ...envBefore, ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(await reasons(ns.escalate)).toContain('WorkaroundApplied');
  });

  it('the ConfigMap variant sets the key in rook-ceph-operator-config and leaves the other keys', async () => {
    const now = Math.floor(Date.now() / 1000);
    const before = await kubectlJson<{ data: Record<string, string> }>(
      ['get', 'configmap', 'rook-ceph-operator-config', '-n', ns.configmap],
      { env },
    );
    await setState(ns.configmap, {
      incidentId: 'inc-earlier',
      incidentStart: now - 8 * 3600,
      lastAction: 'restart',
      lastActionId: 'restart-earlier',
      lastActionAt: now - 7 * 3600,
      actionCount: 1,
      restartTimes: [now - 7 * 3600],
      rung: 0,
    });
    const config = writeConfig(ns.configmap, {
      profile: {
        workaround: {
          configMap: { name: 'rook-ceph-operator-config', data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
        },
      },
    });
    const result = await leakguard(config, 'job-configmap');
    expect(result.summary.failures).toEqual([]);
    const after = await kubectlJson<{ data: Record<string, string> }>(
      ['get', 'configmap', 'rook-ceph-operator-config', '-n', ns.configmap],
      { env },
    );
    expect(after.data).toEqual({ ...before.data, ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
    expect(await templateEnv(ns.configmap)).not.toHaveProperty('ROOK_WATCH_FOR_NODE_FAILURE');
  });

  it('a Flux-owned operator is not patched live: RemediationSkipped explains, the Deployment keeps its env', async () => {
    const now = Math.floor(Date.now() / 1000);
    const envBefore = await templateEnv(ns.flux);
    await setState(ns.flux, {
      incidentId: 'inc-earlier',
      incidentStart: now - 8 * 3600,
      lastAction: 'restart',
      lastActionId: 'restart-earlier',
      lastActionAt: now - 7 * 3600,
      actionCount: 1,
      restartTimes: [now - 7 * 3600],
      rung: 0,
    });
    const result = await leakguard(writeConfig(ns.flux), 'job-flux');
    expect(result.code).toBe(0);
    expect(await templateEnv(ns.flux)).toEqual(envBefore);
    const skipped = (await events(ns.flux)).filter((e) => e.reason === 'RemediationSkipped');
    expect(skipped.map((e) => e.note).join('\n')).toMatch(/flux/i);
  });

  it('dry-run: every object keeps its resourceVersion, and "would" Events exist', async () => {
    const before = await resourceVersions(ns.dryrun);
    const result = await leakguard(writeConfig(ns.dryrun, { dryRun: true }), 'job-dryrun');
    expect(result.code).toBe(0);
    expect(result.summary.actions).toEqual([
      expect.objectContaining({ kind: 'restart', dryRun: true, outcome: 'planned' }),
    ]);
    expect(await resourceVersions(ns.dryrun)).toEqual(before);
    const planned = (await events(ns.dryrun)).filter((e) => e.reason === 'RemediationPlanned');
    expect(planned[0]?.note).toMatch(/^\[dry-run\] would rollout-restart/);
  });

  it('eviction refused by a PodDisruptionBudget: EvictionBlocked, the pod is not deleted, exit 1', async () => {
    const podsBefore = await kubectlJson<V1PodList>(['get', 'pods', '-n', ns.evict, '-l', 'app=rook-ceph-operator'], {
      env,
    });
    const result = await leakguard(writeConfig(ns.evict, { profile: { restartMode: 'evict' } }), 'job-evict');
    expect(result.code).toBe(1);
    expect(result.summary.actions).toEqual([expect.objectContaining({ kind: 'restart', outcome: 'eviction-blocked' })]);
    expect(await reasons(ns.evict)).toContain('EvictionBlocked');
    const podsAfter = await kubectlJson<V1PodList>(['get', 'pods', '-n', ns.evict, '-l', 'app=rook-ceph-operator'], {
      env,
    });
    expect(podsAfter.items.map((p) => [p.metadata?.uid, p.metadata?.deletionTimestamp])).toEqual(
      podsBefore.items.map((p) => [p.metadata?.uid, undefined]),
    );
  });

  it('two runs at once (a manual Job during the scheduled one): one acts, the other exits 0 doing nothing', async () => {
    // Both runs are live Job pods, as in a cluster: a lock whose holder pod is gone is taken over at once,
    // so identities without a pod would each take the lock from the other.
    const [scheduled, manual] = [`job-scheduled-${suffix}`, `job-manual-${suffix}`];
    await kubectl(['apply', '-n', 'leakguard', '-f', '-'], {
      env,
      input: [scheduled, manual].map(runnerPod).join('---\n'),
    });
    const config = writeConfig(ns.twins);
    const [a, b] = await Promise.all([leakguard(config, scheduled), leakguard(config, manual)]);
    await kubectl(['delete', 'pod', '-n', 'leakguard', '--wait=false', scheduled, manual], { env });
    expect({ a: a.summary.failures, b: b.summary.failures }).toEqual({ a: [], b: [] });
    expect([a.code, b.code]).toEqual([0, 0]);
    const statuses = [a.summary.status, b.summary.status].sort();
    const restarts = [...a.summary.actions, ...b.summary.actions].filter((x) => x.outcome === 'restarted');
    if (restarts.length !== 1) console.error(JSON.stringify({ a: a.summary, b: b.summary }, null, 1).slice(0, 6000));
    // Either the second waited out nothing and found the lock held, or it ran after and found the cooldown.
    expect(restarts).toHaveLength(1);
    expect(statuses.includes('locked') || statuses.every((s) => s === 'ran')).toBe(true);
    const restartIds = new Set(
      (await replicaSets(ns.twins))
        .map((rs) => rs.spec?.template?.metadata?.annotations?.['leakguard.io/restart-id'])
        .filter(Boolean),
    );
    expect(restartIds.size).toBe(1);
  });

  it('a run killed between intent and restart is completed by the next run, with exactly one restart', async () => {
    const now = Math.floor(Date.now() / 1000);
    const actionId = `restart-e2e-${suffix}`;
    await setState(ns.killed, {
      incidentId: 'inc-killed',
      incidentStart: now - 600,
      intent: { actionId, kind: 'restart', at: now - 60, rung: 0, disruptive: true },
    });
    const first = await leakguard(writeConfig(ns.killed), 'job-after-crash');
    expect(first.summary.failures).toEqual([]);
    expect((await deployment(ns.killed)).spec?.template.metadata?.annotations?.['leakguard.io/restart-id']).toBe(
      actionId,
    );
    expect(await readState(ns.killed)).toMatchObject({ intent: null, lastActionId: actionId });
    const rsCount = (await replicaSets(ns.killed)).length;
    await leakguard(writeConfig(ns.killed), 'job-next');
    expect((await replicaSets(ns.killed)).length).toBe(rsCount);
  });

  it('the healthy neighbour in cert-manager is never touched', async () => {
    const neighbour = await kubectlJson<V1Deployment>(['get', 'deployments', '-n', 'cert-manager', '-o', 'json'], {
      env,
    });
    for (const d of (neighbour as unknown as { items: V1Deployment[] }).items) {
      expect(d.metadata?.annotations?.['leakguard.io/state']).toBeUndefined();
      expect(d.spec?.template.metadata?.annotations?.['leakguard.io/restart-id']).toBeUndefined();
    }
  });

  it('status: the verdict per target, read-only', async () => {
    const before = await resourceVersions(ns.dryrun);
    const result = await leakguard(writeConfig(ns.dryrun, { dryRun: true }), 'status-check', [], 'status');
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { targets: { name: string; verdict: { kind: string } }[] };
    expect(status.targets).toEqual([
      expect.objectContaining({
        name: expect.stringContaining(`${ns.dryrun}/rook-ceph-operator`),
        verdict: expect.objectContaining({ kind: 'leaking' }),
      }),
    ]);
    expect(await resourceVersions(ns.dryrun)).toEqual(before);
  });

  it('status with Prometheus down: each profile says its history is unavailable, exit 1, nothing judged', async () => {
    const config = writeConfig(ns.dryrun, { dryRun: true });
    writeFileSync(config, readFileSync(config, 'utf8').replace(env.prometheusUrl, 'http://127.0.0.1:9'));
    const result = await leakguard(config, 'status-down', [], 'status');
    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout) as { now: number | null; targets: unknown[]; failures: string[] };
    expect(status).toMatchObject({ now: null, targets: [] });
    expect(status.failures).toEqual([
      expect.stringMatching(
        /^profile rook: memory history unavailable: query at http:\/\/127\.0\.0\.1:9\/api\/v1\/query: .*ECONNREFUSED/,
      ),
    ]);
  });

  it('daemon: runs on its schedule, and SIGTERM stops it cleanly', async () => {
    const config = writeConfig(ns.dryrun, { dryRun: true });
    writeFileSync(config, `${readFileSync(config, 'utf8')}schedule: "*/3 * * * * *"\n`);
    const child = spawn(process.execPath, [join(repoRoot, 'bin/leakguard.mjs'), 'daemon', '--config', config], {
      env: { ...cliEnv('daemon-check'), LEAKGUARD_LOG_LEVEL: 'info' },
    });
    let logs = '';
    child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    await waitFor('a scheduled run to finish', async () => (logs.includes('run finished') ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs).toMatch(/stopping: no new runs/);
  });
});
