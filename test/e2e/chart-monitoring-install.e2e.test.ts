/**
 * The chart's PrometheusRule and dashboard ConfigMap installed by the real helm into the real API
 * server, which validates the PrometheusRule against the Prometheus Operator's own CRD (v0.85.0, from
 * the Go module proxy: `go mod download` of github.com/prometheus-operator/prometheus-operator holds it
 * under example/prometheus-operator-crd/). Also: a `kubectl create job --from` Job is owned by the
 * CronJob, which is what LeakguardLastRunFailed relies on (kube-state-metrics' kube_job_owner).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { chartDir, findOne, helmInCluster, render, valuesDir } from '../chart/helm.js';
import type { Loose } from '../chart/inspect.js';
import { kubectl, kubectlJson, loadE2eEnv, type E2eEnv } from './support/index.js';

const execFileAsync = promisify(execFile);
const operatorModule = 'github.com/prometheus-operator/prometheus-operator@v0.85.0';
const crdPath = 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml';

const suffix = Date.now().toString(36).slice(-5);
const ns = `lg-mon-${suffix}`;
const release = `lgm${suffix}`;
const fullname = `${release}-leakguard`;

let env: E2eEnv;
let helmHome: string;

/** The module's directory in Go's module cache (downloaded through the Go proxy once, then cached). */
async function operatorModuleDir(): Promise<string> {
  const go = process.env.GO ?? 'go';
  const { stdout } = await execFileAsync(go, ['mod', 'download', '-json', operatorModule], {
    cwd: tmpdir(),
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin`, GOFLAGS: '-mod=mod' },
    maxBuffer: 8 * 1024 * 1024,
    timeout: 300_000,
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${operatorModule}: ${info.Error ?? 'no Dir in the answer'}`);
  return info.Dir;
}

function helmIn(args: string[]): Promise<string> {
  return helmInCluster(args, env.kubeconfig, helmHome);
}

beforeAll(async () => {
  env = loadE2eEnv();
  helmHome = mkdtempSync(join(tmpdir(), 'leakguard-helm-'));
  // Cluster-scoped and shared by every test run on this cluster: applied, never deleted.
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(await operatorModuleDir(), crdPath)], {
    env,
  });
  await kubectl(['wait', '--for=condition=Established', 'crd/prometheusrules.monitoring.coreos.com', '--timeout=60s'], {
    env,
  });
  await kubectl(['create', 'namespace', ns], { env });
  await helmIn([
    'install',
    release,
    chartDir,
    '--namespace',
    ns,
    '--values',
    join(valuesDir, 'monitoring.yaml'),
    '--set',
    `config.prometheus.url=${env.prometheusUrl}`,
  ]);
});

afterAll(async () => {
  if (!env) return;
  await helmIn(['uninstall', release, '--namespace', ns]).catch(() => undefined);
  await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { env }).catch(() => undefined);
  rmSync(helmHome, { recursive: true, force: true });
});

describe('helm install with monitoring enabled, the PrometheusRule CRD served', () => {
  it('the API server accepts the PrometheusRule as rendered, field for field', async () => {
    const live = await kubectlJson<Loose>(['get', 'prometheusrules.monitoring.coreos.com', fullname, '-n', ns], {
      env,
    });
    const rendered = findOne(
      await render({
        release,
        namespace: ns,
        values: ['monitoring.yaml'],
        set: [`config.prometheus.url=${env.prometheusUrl}`],
      }),
      'PrometheusRule',
    );
    expect(live.spec).toEqual(rendered.spec);
    expect(live.spec.groups.flatMap((g: Loose) => g.rules.map((r: Loose) => r.alert))).toEqual([
      'LeakguardNotSucceeding',
      'LeakguardLastRunFailed',
      'LeakguardSuspended',
      'LeakguardKillSwitchOn',
      'LeakguardFloorRising',
    ]);
  });

  it("the CRD's schema is enforced here (a malformed rule is refused), so the acceptance above means something", async () => {
    const bad = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'malformed', namespace: ns },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', for: 'a while' }] }] },
    };
    await expect(kubectl(['apply', '--dry-run=server', '-f', '-'], { env, input: stringify(bad) })).rejects.toThrow(
      /spec\.groups\[0\]\.rules\[0\]\.for/,
    );
  });

  it("installs the dashboard ConfigMap with the sidecar's label and parseable JSON", async () => {
    const configMap = await kubectlJson<Loose>(['get', 'configmap', `${fullname}-dashboard`, '-n', ns], { env });
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(configMap.data[`${fullname}.json`]);
    expect(dashboard.templating.list.find((v: Loose) => v.name === 'namespace').current.value).toBe(ns);
  });

  it('a Job made with kubectl create job --from is owned by the CronJob, as kube_job_owner reports it', async () => {
    const job = `${fullname}-manual`;
    await kubectl(['create', 'job', `--from=cronjob/${fullname}`, job, '-n', ns], { env });
    const created = await kubectlJson<Loose>(['get', 'job', job, '-n', ns], { env });
    expect(created.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'CronJob', name: fullname, controller: true }),
    ]);
  });
});
