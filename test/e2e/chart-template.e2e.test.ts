/**
 * The Helm chart, judged by the real helm (lint, template, values.schema.json) and by the program's
 * own config loader: what the chart renders is what leakguard accepts. No cluster needed; it runs in
 * the e2e suite because helm is a Go binary the harness builds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import {
  chartDir,
  findOne,
  helm,
  kubeVersion,
  render,
  renderError,
  repoRoot,
  valuesDir,
  type Manifest,
} from '../chart/helm.js';
import { podTemplateOf, restrictedViolations, rulesOf, type Loose } from '../chart/inspect.js';

/** Values files that must render; `[]` is the chart's defaults. */
const goodValues: string[][] = [
  [],
  ['rook-all-actions.yaml'],
  ['deployment.yaml'],
  ['upgrade-pr-only.yaml'],
  ['shared-namespace.yaml'],
  ['every-kind.yaml'],
  ['chart-repositories.yaml'],
];
const cases = goodValues.map((files) => ({ values: files.length > 0 ? files.join(', ') : 'defaults', files }));

/** Helm's merge of values: maps merge key by key, anything else (lists too) is replaced. */
function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeValues(base[key], value);
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function configOf(manifests: Manifest[], release = 'lg'): string {
  const cm = findOne(manifests, 'ConfigMap', `${release}-leakguard`) as Manifest & { data: Record<string, string> };
  return cm.data['config.yaml']!;
}

/** API calls by method name of @kubernetes/client-node, e.g. `ctx.apps.patchNamespacedDeployment(`. */
const verbOf: Record<string, string> = {
  read: 'get',
  list: 'list',
  patch: 'patch',
  create: 'create',
  replace: 'update',
  delete: 'delete',
};
const resourceOf: Record<string, [group: string, resource: string]> = {
  Deployment: ['apps', 'deployments'],
  StatefulSet: ['apps', 'statefulsets'],
  DaemonSet: ['apps', 'daemonsets'],
  ReplicaSet: ['apps', 'replicasets'],
  Pod: ['', 'pods'],
  PodEviction: ['', 'pods/eviction'],
  ConfigMap: ['', 'configmaps'],
  Lease: ['coordination.k8s.io', 'leases'],
  Event: ['events.k8s.io', 'events'],
};

function kubeAdapterCalls(): { call: string; group: string; resource: string; verb: string }[] {
  const dir = join(repoRoot, 'src');
  const found = new Map<string, { call: string; group: string; resource: string; verb: string }>();
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  for (const file of files) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(
      /\b(?:core|apps|coordination|events)\.(read|list|patch|create|replace|delete)Namespaced(\w+?)(?:WithHttpInfo)?\(/g,
    )) {
      const [call, verb, kind] = [m[0], m[1]!, m[2]!];
      const target = resourceOf[kind];
      if (!target)
        throw new Error(`${file}: ${call} — add ${kind} to resourceOf so the chart's RBAC is checked for it`);
      found.set(`${verb} ${kind}`, {
        call: call.slice(0, -1),
        group: target[0],
        resource: target[1],
        verb: verbOf[verb]!,
      });
    }
  }
  return [...found.values()];
}

function roles(manifests: Manifest[]): Map<string, Manifest> {
  return new Map(
    manifests.filter((m) => m.kind === 'Role').map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]),
  );
}

describe('helm lint', () => {
  it.each(cases)('passes with --strict for values: $values', async ({ files }) => {
    const args = ['lint', chartDir, '--strict', '--kube-version', kubeVersion];
    for (const file of files) args.push('--values', `${valuesDir}/${file}`);
    const result = await helm(args);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.code).toBe(0);
  });
});

describe('values.schema.json rejects bad values with a message naming the field', () => {
  it('an unknown key in the config (a typo never falls back to a default)', async () => {
    const error = await renderError({ values: ['bad-unknown-key.yaml'] });
    expect(error).toContain("at '/config/detection': additional properties 'minGrowht' not allowed");
  });

  it('a string where the config wants a boolean ("false" must not mean act)', async () => {
    const error = await renderError({ values: ['bad-wrong-type.yaml'] });
    expect(error).toContain("at '/config/dryRun': got string, want boolean");
  });

  it('an unknown key in the chart settings', async () => {
    const error = await renderError({ set: ['cronJob.backofLimit=1'] });
    expect(error).toContain("at '/cronJob': additional properties 'backofLimit' not allowed");
  });

  it('a backoffLimit above 1 (a failed run is not retried in a loop)', async () => {
    const error = await renderError({ set: ['cronJob.backoffLimit=5'] });
    expect(error).toMatch(/at '\/cronJob\/backoffLimit': maximum: got 5, want 1/);
  });

  it('a secret file path that no Secret key is mounted as', async () => {
    const error = await renderError({ values: ['bad-secret-path.yaml'] });
    expect(error).toContain(
      'config.github.tokenFile is /var/run/secrets/leakguard/github-tokn, but no file "github-tokn" is mounted',
    );
  });

  it('a chart repository credential file that no Secret key is mounted as, named by its place in the list', async () => {
    const error = await renderError({
      values: ['chart-repositories.yaml'],
      set: ['secrets.files.registry-token=null'],
    });
    expect(error).toContain(
      'config.chartRepositories[1].bearerTokenFile is /var/run/secrets/leakguard/registry-token, but no file "registry-token" is mounted',
    );
  });

  it('a run deadline that outlives the Job, and a Job that outlives the schedule period', async () => {
    expect(await renderError({ set: ['config.deadline=15m'] })).toContain(
      'config.deadline (15m = 900s) must be below cronJob.activeDeadlineSeconds (600)',
    );
    expect(await renderError({ set: ['config.deadline=1h30m'] })).toContain(
      'config.deadline (1h30m = 5400s) must be below',
    );
    expect(await renderError({ set: ['config.deadline=900'] })).toContain('config.deadline (900 = 900s) must be below');
    expect(await renderError({ set: ['schedule=*/5 * * * *'] })).toContain(
      'cronJob.activeDeadlineSeconds (600) must be below the schedule\'s period ("*/5 * * * *" = 300s)',
    );
  });

  it('workload names for a profile that does not exist', async () => {
    const error = await renderError({ set: ['rbac.workloads.rook-ceph-operatr.deployments={x}'] });
    expect(error).toContain('rbac.workloads.rook-ceph-operatr: no profile is named "rook-ceph-operatr"');
  });
});

describe('the rendered config', () => {
  it.each(cases)("is accepted by leakguard's own loader (values: $values)", async ({ files }) => {
    const manifests = await render({ values: files, namespace: 'ops' });
    const config = parseConfig(configOf(manifests), 'chart ConfigMap');
    expect(config.lock.namespace).toBe('ops');
    expect(config.lock.name).toBe('lg-leakguard');
  });

  it("is safe by default: dry-run, restart only, the chart's schedule", async () => {
    const config = parseConfig(configOf(await render()));
    expect(config.dryRun).toBe(true);
    expect(config.profiles.map((p) => p.ladder)).toEqual([['restart']]);
    expect(config.schedule).toBe('*/15 * * * *');
    expect(config.deadline).toBeLessThan(600);
  });

  it("carries the values' config through unchanged, adding only the lock, the controller and the schedule", async () => {
    const read = (file: string) => parse(readFileSync(file, 'utf8')) as { config: Record<string, unknown> };
    const expected = mergeValues(
      read(`${chartDir}/values.yaml`).config,
      read(`${valuesDir}/rook-all-actions.yaml`).config,
    );
    const rendered = parse(configOf(await render({ values: ['rook-all-actions.yaml'] }))) as Record<string, unknown>;
    const { lock, schedule, controller, ...rest } = rendered;
    expect(rest).toEqual(expected);
    expect(lock).toEqual({ name: 'lg-leakguard', namespace: 'leakguard' });
    expect(controller).toEqual({ kind: 'CronJob', name: 'lg-leakguard', namespace: 'leakguard' });
    expect(schedule).toBe('*/15 * * * *');
    const config = parseConfig(configOf(await render({ values: ['rook-all-actions.yaml'] })));
    expect(config.dryRun).toBe(false);
    expect(config.github?.tokenFile).toBe('/var/run/secrets/leakguard/github-token');
    expect(config.profiles[0]!.workaround?.env).toEqual({ ROOK_WATCH_FOR_NODE_FAILURE: 'false' });
  });

  it("changes the pod template's checksum when it changes, so a Deployment rolls", async () => {
    const checksum = async (set: string[]) =>
      podTemplateOf(findOne(await render({ values: ['deployment.yaml'], set }), 'Deployment')).metadata!.annotations![
        'checksum/config'
      ];
    const a = await checksum([]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await checksum(['config.detection.window=12h'])).not.toBe(a);
    expect(await checksum(['logLevel=debug'])).toBe(a);
  });
});

describe('the CronJob', () => {
  it('never overlaps runs and bounds each one', async () => {
    const cronJob = findOne(await render(), 'CronJob', 'lg-leakguard', 'leakguard') as Manifest & { spec: Loose };
    expect(cronJob.spec.schedule).toBe('*/15 * * * *');
    expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
    expect(cronJob.spec.startingDeadlineSeconds).toBeGreaterThan(0);
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.backoffLimit).toBeLessThanOrEqual(1);
    expect(job.activeDeadlineSeconds).toBeLessThan(15 * 60);
    expect(job.ttlSecondsAfterFinished).toBeGreaterThan(0);
  });

  it('holds everything a run needs in jobTemplate (kubectl create job --from copies only that)', async () => {
    const manifests = await render({ values: ['rook-all-actions.yaml'] });
    const pod = podTemplateOf(findOne(manifests, 'CronJob'));
    const container = pod.spec.containers[0];
    expect(container.args).toEqual(['run', '--config', '/etc/leakguard/config.yaml']);
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.serviceAccountName).toBe(findOne(manifests, 'ServiceAccount').metadata.name);
    const env = Object.fromEntries(
      container.env.map((e: Loose) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]),
    );
    expect(env).toMatchObject({
      POD_NAME: 'metadata.name',
      POD_NAMESPACE: 'metadata.namespace',
      LEAKGUARD_CONFIG: '/etc/leakguard/config.yaml',
      LEAKGUARD_LOG_LEVEL: 'debug',
    });
    expect(parseConfig(configOf(manifests)).controller).toEqual({
      kind: 'CronJob',
      name: 'lg-leakguard',
      namespace: 'leakguard',
    });
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: Loose) => [v.name, v]));
    expect(volumes.config.configMap.name).toBe('lg-leakguard');
    expect(volumes.secrets.secret).toMatchObject({ secretName: 'leakguard-secrets' });
    expect(volumes.secrets.secret.items).toEqual([
      { key: 'token', path: 'github-token' },
      { key: 'prom-token', path: 'prometheus-bearer-token' },
      { key: 'webhook-url', path: 'slack-webhook-url' },
    ]);
    const mounts = Object.fromEntries(container.volumeMounts.map((m: Loose) => [m.name, m]));
    expect(mounts.config).toMatchObject({ mountPath: '/etc/leakguard', readOnly: true });
    expect(mounts.secrets).toMatchObject({ mountPath: '/var/run/secrets/leakguard', readOnly: true });
  });

  it("mounts the chart repositories' credentials from the same Secret as the GitHub token, where the config reads them", async () => {
    const manifests = await render({ values: ['chart-repositories.yaml'] });
    const pod = podTemplateOf(findOne(manifests, 'CronJob'));
    const volumes = Object.fromEntries(pod.spec.volumes.map((v: Loose) => [v.name, v]));
    expect(volumes.secrets.secret).toMatchObject({ secretName: 'leakguard-secrets', defaultMode: 0o440 });
    expect(volumes.secrets.secret.items).toEqual([
      { key: 'charts-password', path: 'charts-password' },
      { key: 'token', path: 'github-token' },
      { key: 'registry-token', path: 'registry-token' },
    ]);
    const mounts = Object.fromEntries(pod.spec.containers[0].volumeMounts.map((m: Loose) => [m.name, m]));
    expect(mounts.secrets).toMatchObject({ mountPath: '/var/run/secrets/leakguard', readOnly: true });
    const config = parseConfig(configOf(manifests));
    expect(config.chartRepositories).toEqual([
      {
        url: 'https://charts.example.com/private',
        basicAuth: { username: 'robot', passwordFile: '/var/run/secrets/leakguard/charts-password' },
      },
      { url: 'oci://registry.example.com/charts', bearerTokenFile: '/var/run/secrets/leakguard/registry-token' },
    ]);
    // The Secret is read as files only: no Role grants access to Secrets.
    expect(
      manifests
        .filter((m) => m.kind === 'Role')
        .flatMap((r) => rulesOf(r))
        .filter((rule) => JSON.stringify(rule).includes('secrets')),
    ).toEqual([]);
  });

  it('points the in-cluster client at k8sServiceHost/k8sServicePort on clusters without kube-proxy, and only then', async () => {
    const envOf = async (set: string[]): Promise<Record<string, string>> => {
      const container = podTemplateOf(findOne(await render({ set }), 'CronJob')).spec.containers[0];
      return Object.fromEntries(container.env.map((e: Loose) => [e.name, e.value]));
    };
    expect(await envOf(['k8sServiceHost=10.0.0.10', 'k8sServicePort=6443'])).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.0.0.10',
      KUBERNETES_SERVICE_PORT: '6443',
    });
    expect(await envOf(['k8sServiceHost=api.example.internal'])).toMatchObject({
      KUBERNETES_SERVICE_HOST: 'api.example.internal',
      KUBERNETES_SERVICE_PORT: '443',
    });
    const defaults = await envOf([]);
    expect(Object.keys(defaults).filter((k) => k.startsWith('KUBERNETES_'))).toEqual([]);
    expect(await renderError({ set: ['k8sServicePort=70000'] })).toMatch(/k8sServicePort/);
  });

  it('carries the standard app.kubernetes.io labels', async () => {
    for (const m of await render()) {
      expect(m.metadata.labels, `${m.kind}/${m.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'leakguard',
        'app.kubernetes.io/instance': 'lg',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/version': '0.1.0',
        'helm.sh/chart': 'leakguard-0.1.0',
      });
    }
  });
});

describe('kind: Deployment', () => {
  it('runs `leakguard daemon` in one replica, and no CronJob', async () => {
    const manifests = await render({ values: ['deployment.yaml'] });
    expect(manifests.filter((m) => m.kind === 'CronJob')).toEqual([]);
    const deployment = findOne(manifests, 'Deployment') as Manifest & { spec: Loose };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const pod = podTemplateOf(deployment);
    expect(pod.spec.containers[0].args).toEqual(['daemon', '--config', '/etc/leakguard/config.yaml']);
    expect(pod.spec.restartPolicy).toBeUndefined();
    expect(parseConfig(configOf(manifests)).schedule).toBe('*/30 * * * *');
  });

  it('reads its kill switch from its own Deployment, by name', async () => {
    const manifests = await render({ values: ['deployment.yaml'] });
    const deployment = findOne(manifests, 'Deployment') as Manifest & { spec: Loose };
    expect(parseConfig(configOf(manifests)).controller).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    const role = manifests.find((m) => m.kind === 'Role' && m.metadata.name.endsWith('-controller'))!;
    expect(rulesOf(role)).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [deployment.metadata.name], verbs: ['get'] },
    ]);
  });
});

describe('Pod Security Standards "restricted"', () => {
  it.each(cases)('every container complies (values: $values)', async ({ files }) => {
    const workloads = (await render({ values: files })).filter((m) => m.kind === 'CronJob' || m.kind === 'Deployment');
    expect(workloads).toHaveLength(1);
    for (const workload of workloads) expect(restrictedViolations(podTemplateOf(workload).spec)).toEqual([]);
  });

  it('the checker itself catches a non-compliant container', async () => {
    const pod = podTemplateOf(findOne(await render(), 'CronJob'));
    const spec = structuredClone(pod.spec);
    spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    delete spec.containers[0].securityContext.readOnlyRootFilesystem;
    expect(restrictedViolations(spec)).toEqual([
      'container leakguard: allowPrivilegeEscalation is not false',
      'container leakguard: root filesystem is writable',
    ]);
  });
});

describe('RBAC', () => {
  it('has no ClusterRole, no ClusterRoleBinding and no rule about Secrets, for any values', async () => {
    for (const files of goodValues) {
      const manifests = await render({ values: files });
      expect(manifests.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
      for (const role of manifests.filter((m) => m.kind === 'Role')) {
        for (const rule of rulesOf(role)) {
          expect(
            rule.resources.some((r) => r.startsWith('secrets') || r === '*'),
            `${role.metadata.name}: ${JSON.stringify(rule)}`,
          ).toBe(false);
          expect(rule.verbs).not.toContain('*');
          expect(rule.apiGroups).not.toContain('*');
          expect(rule.verbs).not.toContain('delete');
        }
      }
    }
  });

  it('names the objects of every get/patch/update on workloads and ConfigMaps', async () => {
    for (const role of (await render({ values: ['rook-all-actions.yaml'] })).filter((m) => m.kind === 'Role')) {
      for (const rule of rulesOf(role)) {
        const namedKinds = ['deployments', 'statefulsets', 'daemonsets', 'configmaps', 'leases'];
        if (
          rule.resources.some((r) => namedKinds.includes(r)) &&
          rule.verbs.some((v) => ['get', 'patch', 'update'].includes(v))
        ) {
          expect(rule.resourceNames?.length, `${role.metadata.name}: ${JSON.stringify(rule)}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it("grants one Role per enabled action, in each profile's namespace, bound to the chart's ServiceAccount", async () => {
    const manifests = await render({ values: ['rook-all-actions.yaml'] });
    const byName = roles(manifests);
    expect([...byName.keys()].sort()).toEqual([
      'cert-manager/lg-leakguard-events',
      'cert-manager/lg-leakguard-evict',
      'cert-manager/lg-leakguard-read',
      'cert-manager/lg-leakguard-state',
      'leakguard/lg-leakguard-controller',
      'leakguard/lg-leakguard-lease',
      'rook-ceph/lg-leakguard-events',
      'rook-ceph/lg-leakguard-read',
      'rook-ceph/lg-leakguard-restart',
      'rook-ceph/lg-leakguard-state',
      'rook-ceph/lg-leakguard-workaround',
    ]);
    expect(rulesOf(byName.get('rook-ceph/lg-leakguard-workaround')!)).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['rook-ceph-operator'], verbs: ['patch'] },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['rook-ceph-operator-config'],
        verbs: ['get', 'patch'],
      },
    ]);
    expect(rulesOf(byName.get('cert-manager/lg-leakguard-evict')!)).toEqual([
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
    ]);
    expect(rulesOf(byName.get('leakguard/lg-leakguard-lease')!)).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['lg-leakguard'],
        verbs: ['get', 'update'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    ]);
    expect(rulesOf(byName.get('leakguard/lg-leakguard-controller')!)).toEqual([
      { apiGroups: ['batch'], resources: ['cronjobs'], resourceNames: ['lg-leakguard'], verbs: ['get'] },
    ]);
    expect(rulesOf(byName.get('rook-ceph/lg-leakguard-read')!)).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['rook-ceph-operator'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['rook-ceph-operator-config'], verbs: ['get'] },
    ]);
    for (const binding of manifests.filter((m) => m.kind === 'RoleBinding')) {
      const b = binding as Manifest & { roleRef: Loose; subjects: Loose[] };
      expect(byName.has(`${b.metadata.namespace}/${b.roleRef.name}`)).toBe(true);
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'lg-leakguard', namespace: 'leakguard' }]);
    }
  });

  it('dry-run (the default) renders no Role that can patch, update or evict anything (#9.5)', async () => {
    for (const values of [[], ['every-kind.yaml'], ['rook-all-actions.yaml']]) {
      const manifests = await render({ values, set: ['config.dryRun=true'] });
      const mutating = [...roles(manifests).values()].flatMap((role) =>
        rulesOf(role)
          .filter(
            (rule: Loose) =>
              rule.resources.some((r: string) => r === 'pods/eviction') ||
              (rule.verbs.some((v: string) => ['patch', 'update'].includes(v)) &&
                !['events', 'leases'].some((r) => rule.resources.includes(r))),
          )
          .map((rule: Loose) => `${role.metadata.name}: ${rule.verbs.join(',')} ${rule.resources.join(',')}`),
      );
      expect(mutating, values.join(',') || 'defaults').toEqual([]);
    }
  });

  it('grants nothing mutating for a profile that only opens upgrade PRs, beyond its state annotations', async () => {
    const manifests = await render({ values: ['upgrade-pr-only.yaml'] });
    const names = [...roles(manifests).keys()].sort();
    expect(names).toEqual([
      'leakguard/lg-leakguard-controller',
      'leakguard/lg-leakguard-lease',
      'rook-ceph/lg-leakguard-events',
      'rook-ceph/lg-leakguard-read',
      'rook-ceph/lg-leakguard-state',
    ]);
  });

  it('merges profiles that share a namespace into one Role per action, naming each workload', async () => {
    const byName = roles(await render({ values: ['shared-namespace.yaml'] }));
    expect([...byName.keys()].filter((k) => k.startsWith('operators/')).sort()).toEqual([
      'operators/lg-leakguard-events',
      'operators/lg-leakguard-read',
      'operators/lg-leakguard-restart',
      'operators/lg-leakguard-state',
      'operators/lg-leakguard-workaround',
    ]);
    expect(rulesOf(byName.get('operators/lg-leakguard-restart')!)).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['operator-a'], verbs: ['patch'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['operator-b'], verbs: ['patch'] },
    ]);
    // State is read one list per kind and namespace: list on the kinds the namespace's profiles name, and no other.
    expect(
      rulesOf(byName.get('operators/lg-leakguard-read')!).filter((rule: Loose) => rule.verbs.includes('list')),
    ).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list'] },
    ]);
    // The workaround sets ConfigMap keys only: no patch on workloads.
    expect(rulesOf(byName.get('operators/lg-leakguard-workaround')!)).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['operator-b-config'], verbs: ['get', 'patch'] },
    ]);
  });

  it("a profile taking its known issue's hotfix image may patch only its named workload's template; dry-run renders no such Role", async () => {
    const byName = roles(await render({ values: ['hotfix-image.yaml'] }));
    expect(rulesOf(byName.get('longhorn-system/lg-leakguard-workaround')!)).toEqual([
      { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: ['instance-manager'], verbs: ['patch'] },
    ]);
    expect(
      [...roles(await render({ values: ['hotfix-image.yaml'], set: ['config.dryRun=true'] })).keys()].filter((k) =>
        /workaround|state/.test(k),
      ),
    ).toEqual([]);
  });

  it('grants pods/proxy only in the namespace of a profile with diagnostics.heapProfile; the ConfigMaps only when acting', async () => {
    const byName = roles(await render({ values: ['every-kind.yaml'] }));
    expect([...byName.keys()].filter((k) => k.endsWith('-heap-profile'))).toEqual([
      'operators/lg-leakguard-heap-profile',
    ]);
    const names = [
      'leakguard-heap-deployment-op-deployment',
      'leakguard-heap-statefulset-op-statefulset',
      'leakguard-heap-daemonset-op-daemonset',
    ];
    expect(rulesOf(byName.get('operators/lg-leakguard-heap-profile')!)).toEqual([
      { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: names, verbs: ['get', 'update'] },
    ]);
    const dry = roles(await render({ values: ['every-kind.yaml'], set: ['config.dryRun=true'] }));
    expect(rulesOf(dry.get('operators/lg-leakguard-heap-profile')!)).toEqual([
      { apiGroups: [''], resources: ['pods/proxy'], verbs: ['get'] },
    ]);
    expect(
      [...roles(await render({ values: ['rook-all-actions.yaml'] })).keys()].filter((k) => k.endsWith('-heap-profile')),
    ).toEqual([]);
  });

  it("the README's Rook profile (the known issue's workaround, none spelled out) may patch the operator and its ConfigMap key", async () => {
    const byName = roles(await render({ values: ['rook-known-issue.yaml'] }));
    expect(rulesOf(byName.get('rook-ceph/lg-leakguard-workaround')!)).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['rook-ceph-operator'], verbs: ['patch'] },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['rook-ceph-operator-config'],
        verbs: ['get', 'patch'],
      },
    ]);
  });

  it('covers every Kubernetes API call leakguard makes (scanned from src/)', async () => {
    const calls = kubeAdapterCalls();
    expect(calls.length).toBeGreaterThan(10);
    const rules = (await render({ values: ['every-kind.yaml'] })).filter((m) => m.kind === 'Role').flatMap(rulesOf);
    const missing = calls.filter(
      ({ group, resource, verb }) =>
        !rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb)),
    );
    expect(missing).toEqual([]);
  });

  it('creates no RBAC objects with rbac.create=false', async () => {
    const kinds = (await render({ set: ['rbac.create=false'] })).map((m) => m.kind);
    expect(kinds.filter((k) => k.startsWith('Role'))).toEqual([]);
    expect(kinds).toContain('CronJob');
  });
});
