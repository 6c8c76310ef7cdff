/**
 * The chart's RBAC is enough to act, not only to read: install the chart (acting, not dry-run) with a
 * profile on a fresh copy of the leaking Rook fixture, then run the bundled `leakguard run` with the
 * installed ConfigMap, authenticated by the chart's ServiceAccount token. The operator is restarted and
 * its state recorded without one refused request — with exactly the Roles users get.
 * Like test/e2e/run.e2e.test.ts, it needs the detector to judge a fixture minutes old (detection
 * scaled down in the config); the read-only path is covered by chart-install.e2e.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { chartDir, helmInCluster } from '../chart/helm.js';
import type { Loose } from '../chart/inspect.js';
import { rookFixtureIn } from './rbac/sandbox.js';
import {
  kubeConfigForToken,
  kubectl,
  runLeakguard,
  kubectlJson,
  loadE2eEnv,
  promQueryRange,
  tokenFor,
  waitFor,
  type E2eEnv,
} from './support/index.js';

const suffix = Date.now().toString(36).slice(-5);
const releaseNs = `lg-chart-run-${suffix}`;
const targetNs = `lg-chart-rook-${suffix}`;
const release = `lgr${suffix}`;
const fullname = `${release}-leakguard`;
const operator = 'rook-ceph-operator';

let env: E2eEnv;
let work: string;

/** Values a user would write, with detection scaled to the fixture's minutes of history. */
function values(prometheusUrl: string): string {
  return stringify({
    config: {
      dryRun: false,
      prometheus: { url: prometheusUrl, step: '30s', timeout: '10s' },
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
      guardrails: { cooldown: '1h', maxActionsPerRun: 1, maxRestartsPerDay: 3 },
      deadline: '2m',
      profiles: [
        {
          name: 'rook',
          namespace: targetNs,
          selector: 'app=rook-ceph-operator',
          container: operator,
          knownIssues: ['rook-operator-leak-1.14'],
          ladder: ['restart', 'workaround'],
          workaround: {
            env: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' },
            configMap: { name: 'rook-ceph-operator-config', data: { ROOK_WATCH_FOR_NODE_FAILURE: 'false' } },
          },
        },
      ],
    },
    rbac: { workloads: { rook: { deployments: [operator] } } },
  });
}

function helmIn(args: string[]): Promise<string> {
  return helmInCluster(args, env.kubeconfig, join(work, 'helm'));
}

beforeAll(async () => {
  env = loadE2eEnv();
  work = mkdtempSync(join(tmpdir(), 'leakguard-chart-run-'));
  await kubectl(['apply', '-f', '-'], { env, input: rookFixtureIn(targetNs) });
  await kubectl(['create', 'namespace', releaseNs], { env });
  await kubectl(['label', 'namespace', releaseNs, 'pod-security.kubernetes.io/enforce=restricted'], { env });
  const valuesFile = join(work, 'values.yaml');
  writeFileSync(valuesFile, values(env.prometheusUrl));
  await helmIn(['install', release, chartDir, '--namespace', releaseNs, '--values', valuesFile]);
  await kubectl(['rollout', 'status', `deployment/${operator}`, '-n', targetNs, '--timeout=240s'], {
    env,
    timeoutMs: 250_000,
  });
  // Enough scraped history to judge: minHistory (3m) after the warm-up, with margin, through the
  // run's own query (the floor of each 30 s step).
  const query = `max by (namespace, pod, container) (min_over_time(container_memory_working_set_bytes{namespace="${targetNs}", container="${operator}"}[30s]))`;
  await waitFor(
    'five minutes of scraped history of the sandbox operator',
    async () => {
      const end = Math.floor(Date.now() / 1000);
      const series = await promQueryRange(query, { start: end - 1800, end, stepSeconds: 30 });
      return series.some((s) => s.samples.length > 0 && s.samples.at(-1)!.t - s.samples[0]!.t >= 300)
        ? true
        : undefined;
    },
    { timeoutMs: 720_000, intervalMs: 10_000 },
  );
}, 900_000);

afterAll(async () => {
  if (!env) return;
  await helmIn(['uninstall', release, '--namespace', releaseNs]).catch(() => undefined);
  await kubectl(['delete', 'namespace', releaseNs, targetNs, '--wait=false', '--ignore-not-found'], { env }).catch(
    () => undefined,
  );
  rmSync(work, { recursive: true, force: true });
});

interface RunResult {
  code: number;
  output: string;
  summary: {
    dryRun: boolean;
    targets: { verdict: { kind: string; reasons: string[] } }[];
    actions: { kind: string; outcome: string; dryRun: boolean }[];
    warnings: string[];
    failures: string[];
  };
}

/**
 * `leakguard run` as the chart's Job pod runs it: the installed ConfigMap, the ServiceAccount's token,
 * and the environment the CronJob's pod template gives its container (downward API fields filled in).
 */
async function runAsChartJob(): Promise<RunResult> {
  const configMap = await kubectlJson<Loose>(['get', 'configmap', fullname, '-n', releaseNs], { env });
  const configFile = join(work, 'config.yaml');
  writeFileSync(configFile, configMap.data['config.yaml']);
  const kubeconfigFile = join(work, 'kubeconfig.json');
  writeFileSync(kubeconfigFile, kubeConfigForToken(await tokenFor(releaseNs, fullname, { env }), env).exportConfig());
  const cronJob = await kubectlJson<Loose>(['get', 'cronjob', fullname, '-n', releaseNs], { env });
  const downward: Record<string, string> = {
    'metadata.name': `${fullname}-manual-a1b2c`,
    'metadata.namespace': releaseNs,
  };
  const podEnv: Record<string, string> = {};
  for (const e of cronJob.spec.jobTemplate.spec.template.spec.containers[0].env as Loose[])
    podEnv[e.name] = e.value ?? downward[e.valueFrom?.fieldRef?.fieldPath];
  const runEnv = {
    ...podEnv,
    PATH: process.env.PATH,
    KUBECONFIG: kubeconfigFile,
    LEAKGUARD_CONFIG: configFile,
    LEAKGUARD_LOG_LEVEL: 'warn',
  };
  const { code, stdout, stderr } = await runLeakguard(['run', '--output', 'json'], runEnv);
  return { code, output: `${stdout}\n${stderr}`, summary: JSON.parse(stdout) as RunResult['summary'] };
}

describe("leakguard run with the chart's ConfigMap and ServiceAccount (acting)", () => {
  it('the kill-switch annotation on the CronJob stops every change, and says so in Events', async () => {
    await kubectl(['annotate', 'cronjob', fullname, '-n', releaseNs, 'leakguard.io/kill-switch=true'], { env });
    const before = await kubectlJson<Loose>(['get', 'deployment', operator, '-n', targetNs], { env });
    const { code, output, summary } = await runAsChartJob();
    expect(output).not.toMatch(/forbidden|(?<![\d.])403(?!\d)/i);
    expect(summary.failures).toEqual([]);
    expect(code).toBe(0);
    expect(summary.warnings).toContain(
      `kill switch on (CronJob ${releaseNs}/${fullname} annotation leakguard.io/kill-switch=true): nothing is changed`,
    );
    expect(summary.actions).toEqual([]);
    const after = await kubectlJson<Loose>(['get', 'deployment', operator, '-n', targetNs], { env });
    // Not even leakguard's own state annotation is written.
    expect(after.metadata.annotations).toEqual(before.metadata.annotations);
    expect(after.spec.template).toEqual(before.spec.template);
    const events = await kubectlJson<Loose>(['get', 'events.events.k8s.io', '-n', targetNs], { env });
    const skipped = (events.items as Loose[]).filter((e) => e.reason === 'RemediationSkipped');
    expect(skipped.map((e) => e.note)).toEqual([expect.stringMatching(/kill switch/)]);
    await kubectl(['annotate', 'cronjob', fullname, '-n', releaseNs, 'leakguard.io/kill-switch-'], { env });
  });

  it('restarts the leaking operator and records its state, with no request refused', async () => {
    const { code, output, summary } = await runAsChartJob();
    expect(output).not.toMatch(/forbidden|(?<![\d.])403(?!\d)/i);
    expect(summary.failures).toEqual([]);
    expect(code).toBe(0);
    expect(summary.dryRun).toBe(false);
    expect(
      summary.targets.map((t) => t.verdict.kind),
      JSON.stringify(summary.targets.map((t) => t.verdict.reasons)),
    ).toEqual(['leaking']);
    expect(summary.actions).toEqual([
      expect.objectContaining({ kind: 'restart', outcome: 'restarted', dryRun: false }),
    ]);

    const deployment = await kubectlJson<Loose>(['get', 'deployment', operator, '-n', targetNs], { env });
    expect(deployment.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(JSON.parse(deployment.metadata.annotations['leakguard.io/state'])).toMatchObject({
      lastAction: 'restart',
      actionCount: 1,
    });
    const story = await kubectl(['events', '--for', `deployment/${operator}`, '-n', targetNs], { env });
    expect(story).toMatch(/PodRestarted/);
    // The lock was the chart's Lease, in the release namespace.
    const lease = await kubectlJson<Loose>(['get', 'lease', fullname, '-n', releaseNs], { env });
    expect(lease.metadata.name).toBe(fullname);
  });
});
